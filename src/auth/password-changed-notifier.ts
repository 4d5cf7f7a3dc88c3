import { Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { OutboxKind } from '../mail/entities/outbox-message.entity';
import { MailService } from '../mail/mail.service';
import { OutboxService } from '../mail/outbox.service';
import { UsersService } from '../users/users.service';

export type PasswordChange = 'changed' | 'reset';

/** Tells the owner, by mail through the outbox, that their password was changed or reset. */
@Injectable()
export class PasswordChangedNotifier implements OnModuleInit {
  constructor(
    private readonly outbox: OutboxService,
    private readonly mail: MailService,
    private readonly users: UsersService,
  ) {}

  onModuleInit(): void {
    this.outbox.handle(OutboxKind.PasswordChanged, async ({ userId, how, at }) => {
      const user = await this.users.findById(userId);
      if (user) await this.mail.sendPasswordChanged(user, how === 'reset' ? 'reset' : 'changed', new Date(at));
    });
  }

  /** Inside the transaction that changes the password: the notice exists exactly when the change does. */
  enqueue(userId: string, how: PasswordChange, manager: EntityManager): Promise<void> {
    return this.outbox.enqueue(OutboxKind.PasswordChanged, { userId, how, at: new Date().toISOString() }, manager);
  }

  /** Wakes the outbox once the caller's transaction has committed. */
  deliverSoon(): void {
    this.outbox.nudge();
  }
}
