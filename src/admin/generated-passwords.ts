import { Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { OutboxKind } from '../mail/entities/outbox-message.entity';
import type { TemporaryPasswordReason } from '../mail/mail-templates';
import { MailService } from '../mail/mail.service';
import { OutboxService } from '../mail/outbox.service';
import { generateTemporaryPassword } from '../users/temporary-password';
import { UsersService } from '../users/users.service';

/**
 * Temporary passwords an operator asked the service to make up (account creation or a reset
 * without one given). Like a reset code, the password exists only while the outbox worker
 * sends it: the account first gets a temporary password nobody knows, and the worker replaces
 * it with a fresh one and mails that. Nothing in clear is stored, logged or answered.
 *
 * The temporary password's expiry marks which one the mail is for: if anything has set a
 * password since (the user's own, another reset), the mail is dropped rather than undo it. A
 * retried delivery makes another password, so only the last mail's works.
 */
@Injectable()
export class GeneratedPasswords implements OnModuleInit {
  constructor(
    private readonly users: UsersService,
    private readonly outbox: OutboxService,
    private readonly mail: MailService,
  ) {}

  onModuleInit(): void {
    this.outbox.handle(OutboxKind.TemporaryPassword, ({ userId, expiresAt, reason }) =>
      this.deliver(userId, new Date(expiresAt), reason === 'reset' ? 'reset' : 'created'),
    );
  }

  /** A placeholder to set as the account's temporary password until the mail goes out. */
  placeholder(): string {
    return generateTemporaryPassword();
  }

  /** Inside the transaction that set the temporary password expiring at `expiresAt`; nudge() after it commits. */
  enqueue(userId: string, expiresAt: Date, reason: TemporaryPasswordReason, manager: EntityManager): Promise<void> {
    return this.outbox.enqueue(
      OutboxKind.TemporaryPassword,
      { userId, expiresAt: expiresAt.toISOString(), reason },
      manager,
    );
  }

  nudge(): void {
    this.outbox.nudge();
  }

  private async deliver(userId: string, expiresAt: Date, reason: TemporaryPasswordReason): Promise<void> {
    const user = await this.users.findById(userId);
    if (user?.temporaryPasswordExpiresAt?.getTime() !== expiresAt.getTime()) return;
    const password = generateTemporaryPassword();
    const prepared = await this.users.preparePassword(password, user.username);
    if (!(await this.users.replaceTemporaryPassword(user.id, prepared, expiresAt))) return;
    const validSeconds = Math.max(0, Math.floor((expiresAt.getTime() - Date.now()) / 1000));
    await this.mail.sendTemporaryPassword(user, password, validSeconds, reason);
  }
}
