import { Injectable } from '@nestjs/common';
import {
  passwordChangedMail,
  passwordResetCodeMail,
  temporaryPasswordMail,
  TemporaryPasswordReason,
} from './mail-templates';
import { Mailer } from './mailer.service';

/** Whom a mail is for: any account-like object will do, so mail needs no knowledge of users. */
export interface Recipient {
  username: string;
  email: string;
}

/** Decides what each mail says and sends it; Mailer does the sending. */
@Injectable()
export class MailService {
  constructor(private readonly mailer: Mailer) {}

  /** False when no SMTP_URL is set: mail is only written to the log. */
  get delivers(): boolean {
    return this.mailer.delivers;
  }

  sendPasswordResetCode(to: Recipient, code: string, validSeconds: number): Promise<void> {
    return this.mailer.send({ to: to.email, ...passwordResetCodeMail(to.username, code, validSeconds) });
  }

  sendTemporaryPassword(
    to: Recipient,
    password: string,
    validSeconds: number,
    reason: TemporaryPasswordReason = 'created',
  ): Promise<void> {
    return this.mailer.send({ to: to.email, ...temporaryPasswordMail(to.username, password, validSeconds, reason) });
  }

  sendPasswordChanged(to: Recipient, how: 'changed' | 'reset', at: Date): Promise<void> {
    return this.mailer.send({ to: to.email, ...passwordChangedMail(to.username, how, at) });
  }
}
