import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AllConfig } from '../config/config.types';
import { UserEntity } from '../users/entities/user.entity';
import { passwordChangedMail, passwordResetCodeMail, temporaryPasswordMail } from './mail-templates';
import { Mailer } from './mailer.service';

/** Decides what each mail says and sends it; Mailer does the sending. */
@Injectable()
export class MailService {
  private readonly codeTtl: number;
  private readonly temporaryPasswordTtl: number;

  constructor(
    private readonly mailer: Mailer,
    @Inject(ConfigService) config: ConfigService<AllConfig, true>,
  ) {
    this.codeTtl = config.get('tokens.confirmationCodeTtl', { infer: true });
    this.temporaryPasswordTtl = config.get('auth.temporaryPasswordTtl', { infer: true });
  }

  sendPasswordResetCode(user: UserEntity, code: string): Promise<void> {
    return this.mailer.send({ to: user.email, ...passwordResetCodeMail(user.username, code, this.codeTtl) });
  }

  sendTemporaryPassword(user: UserEntity, password: string): Promise<void> {
    return this.mailer.send({
      to: user.email,
      ...temporaryPasswordMail(user.username, password, this.temporaryPasswordTtl),
    });
  }

  sendPasswordChanged(user: UserEntity, how: 'changed' | 'reset', at: Date): Promise<void> {
    return this.mailer.send({ to: user.email, ...passwordChangedMail(user.username, how, at) });
  }
}
