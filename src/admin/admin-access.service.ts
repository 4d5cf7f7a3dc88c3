import { Injectable } from '@nestjs/common';
import { AuditService, subjectOf } from '../audit/audit.service';
import { AuditEventType } from '../audit/entities/audit-event.entity';
import { ClientInfo } from '../common/http/client-info';
import { Transactions } from '../database/transactions';
import { Metrics } from '../metrics/metrics';
import { TotpFactorsService } from '../mfa/totp-factors.service';
import { RefreshTokensService } from '../tokens/refresh-tokens.service';
import { UserEntity, UserStatus } from '../users/entities/user.entity';
import { UsersService } from '../users/users.service';
import { AccountLocks } from './account-locks';
import type { AdminActor } from './admin-actor';
import { AdminUsersService } from './admin-users.service';

/**
 * Whether an account may be used, for the admin routes and the CLI alike: disable, enable,
 * sign out, and a lost second factor's removal. Every change runs in one transaction on the user's row, writes its audit event with
 * the actor inside it, and is forgotten by the guard's session cache once committed: on this
 * instance at once and, with REDIS_URL, on every other.
 */
@Injectable()
export class AdminAccessService {
  constructor(
    private readonly accounts: AdminUsersService,
    private readonly locks: AccountLocks,
    private readonly users: UsersService,
    private readonly refreshTokens: RefreshTokensService,
    private readonly factors: TotpFactorsService,
    private readonly transactions: Transactions,
    private readonly audit: AuditService,
    private readonly metrics: Metrics,
  ) {}

  /** Ends every session too; 409 LastAdmin for the last active admin. */
  async disable(username: string, { actor }: AdminActor, client: ClientInfo): Promise<UserEntity> {
    const found = await this.accounts.find(username);
    await this.transactions.run(async (manager) => {
      const user = await this.locks.lock(found, manager, { removesAdmin: true });
      if (user.status === UserStatus.Disabled) return;
      await this.users.setEnabled(user, false, manager);
      await this.refreshTokens.revokeAllForUser(user.id, manager);
      await this.audit.record(AuditEventType.UserDisabled, { ...subjectOf(user), actor }, client, manager);
    });
    this.refreshTokens.forgetSessionsOf(found.id);
    this.metrics.revocations.inc({ reason: 'admin_disable' });
    return this.accounts.reread(found.id);
  }

  /** Sessions ended by the disable stay ended. */
  async enable(username: string, { actor }: AdminActor, client: ClientInfo): Promise<UserEntity> {
    const found = await this.accounts.find(username);
    await this.transactions.run(async (manager) => {
      const user = await this.locks.lock(found, manager);
      if (user.status !== UserStatus.Disabled) return;
      await this.users.setEnabled(user, true, manager);
      await this.audit.record(AuditEventType.UserEnabled, { ...subjectOf(user), actor }, client, manager);
    });
    return this.accounts.reread(found.id);
  }

  /**
   * Removes a lost second factor (and its recovery codes): the next login asks for the password
   * alone, or, with MFA=required, for a new factor. Sessions go on.
   */
  async resetMfa(username: string, { actor }: AdminActor, client: ClientInfo): Promise<UserEntity> {
    const found = await this.accounts.find(username);
    await this.transactions.run(async (manager) => {
      const user = await this.locks.lock(found, manager);
      if (await this.factors.remove(user.id, manager)) {
        await this.audit.record(AuditEventType.MfaReset, { ...subjectOf(user), actor }, client, manager);
      }
    });
    this.refreshTokens.forgetSessionsOf(found.id);
    return this.accounts.reread(found.id);
  }

  /** Ends every session of the user; the account stays as it is. */
  async signOut(username: string, { actor }: AdminActor, client: ClientInfo): Promise<void> {
    const found = await this.accounts.find(username);
    await this.transactions.run(async (manager) => {
      const user = await this.locks.lock(found, manager);
      await this.refreshTokens.revokeAllForUser(user.id, manager);
      await this.audit.record(AuditEventType.UserSignedOut, { ...subjectOf(user), actor }, client, manager);
    });
    this.refreshTokens.forgetSessionsOf(found.id);
    this.metrics.revocations.inc({ reason: 'admin_sign_out' });
  }
}
