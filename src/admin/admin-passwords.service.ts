import { Injectable } from '@nestjs/common';
import { AuditService, subjectOf } from '../audit/audit.service';
import { AuditEventType } from '../audit/entities/audit-event.entity';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-code';
import { ClientInfo } from '../common/http/client-info';
import { Transactions } from '../database/transactions';
import { OutboxKind } from '../mail/entities/outbox-message.entity';
import { OutboxService } from '../mail/outbox.service';
import { Metrics } from '../metrics/metrics';
import { RefreshTokensService } from '../tokens/refresh-tokens.service';
import { UserEntity, UserStatus } from '../users/entities/user.entity';
import { UsersService } from '../users/users.service';
import { AccountLocks } from './account-locks';
import type { AdminActor } from './admin-actor';
import { AdminUsersService } from './admin-users.service';
import { GeneratedPasswords } from './generated-passwords';

/** An operator's password resets, for the admin route and the CLI's `reset-password`. */
@Injectable()
export class AdminPasswordsService {
  constructor(
    private readonly accounts: AdminUsersService,
    private readonly locks: AccountLocks,
    private readonly users: UsersService,
    private readonly generated: GeneratedPasswords,
    private readonly outbox: OutboxService,
    private readonly refreshTokens: RefreshTokensService,
    private readonly transactions: Transactions,
    private readonly audit: AuditService,
    private readonly metrics: Metrics,
  ) {}

  /**
   * Mails the user forgot-password's confirmation code, through the same outbox message and
   * worker, but past forgot-password's per-username limit: an operator asked. Nothing else
   * changes until the user redeems the code. A disabled account gets no code (forgot-password
   * sends it none), so that is a 400 here rather than a mail that never comes.
   */
  async sendResetCode(username: string, { actor }: AdminActor, client: ClientInfo): Promise<void> {
    const user = await this.accounts.find(username);
    if (user.status === UserStatus.Disabled) {
      throw new ApiException(ErrorCode.InvalidParameter, 'The account is disabled; enable it first.');
    }
    await this.transactions.run(async (manager) => {
      await this.outbox.enqueue(OutboxKind.PasswordResetCode, { username: user.username }, manager);
      await this.audit.record(AuditEventType.ResetCodeSent, { ...subjectOf(user), actor }, client, manager);
    });
    this.outbox.nudge();
  }

  /**
   * A temporary password: the current one stops working, every session ends, and the next login
   * answers NEW_PASSWORD_REQUIRED. The operator's own (`given`, never mailed: they hand it over),
   * or, without one, one the outbox worker makes up and mails. Hashed before the transaction.
   */
  async setTemporary(
    username: string,
    given: string | undefined,
    { actor }: AdminActor,
    client: ClientInfo,
  ): Promise<UserEntity> {
    const found = await this.accounts.find(username);
    const prepared = await this.users.preparePassword(given ?? this.generated.placeholder(), found.username);
    await this.transactions.run(async (manager) => {
      const user = await this.locks.lock(found, manager);
      const expiresAt = await this.users.setTemporaryPassword(user, prepared, manager);
      await this.refreshTokens.revokeAllForUser(user.id, manager);
      if (given === undefined) await this.generated.enqueue(user.id, expiresAt, 'reset', manager);
      await this.audit.record(AuditEventType.TemporaryPasswordSet, { ...subjectOf(user), actor }, client, manager);
    });
    this.refreshTokens.forgetSessionsOf(found.id);
    this.metrics.revocations.inc({ reason: 'admin_password_reset' });
    if (given === undefined) this.generated.nudge();
    return found;
  }
}
