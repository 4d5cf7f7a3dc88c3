import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService, subjectOf } from '../audit/audit.service';
import { AuditEventType } from '../audit/entities/audit-event.entity';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-code';
import { ClientInfo } from '../common/http/client-info';
import { Transactions } from '../database/transactions';
import { Metrics } from '../metrics/metrics';
import { RefreshTokensService } from '../tokens/refresh-tokens.service';
import { Role, UserEntity, UserStatus } from '../users/entities/user.entity';
import { UsersService } from '../users/users.service';
import type { AdminActor } from './admin-actor';

const userNotFound = () => new ApiException(ErrorCode.UserNotFound, 'User not found.');
const lastAdmin = () =>
  new ApiException(ErrorCode.LastAdmin, 'The last active admin cannot be disabled, demoted or deleted.');

/**
 * What operators do to accounts, for the admin routes and the CLI alike. Every change runs in
 * one transaction on the user's row (locked first, as every change to a user's sessions is),
 * writes its audit event with the actor inside it, and is forgotten by the guard's session
 * cache once committed: on this instance at once and, with REDIS_URL, on every other.
 */
@Injectable()
export class AdminUsersService {
  constructor(
    private readonly users: UsersService,
    private readonly refreshTokens: RefreshTokensService,
    private readonly transactions: Transactions,
    private readonly audit: AuditService,
    private readonly metrics: Metrics,
  ) {}

  async find(username: string): Promise<UserEntity> {
    const user = await this.users.findByUsername(username);
    if (!user) throw userNotFound();
    return user;
  }

  /** Ends every session too; 409 LastAdmin for the last active admin. */
  async disable(username: string, { actor }: AdminActor, client: ClientInfo): Promise<UserEntity> {
    const found = await this.find(username);
    await this.transactions.run(async (manager) => {
      // The admins' rows before the user's, in one order for every such change (see lockActiveAdmins).
      const admins = found.roles.includes(Role.Admin) ? await this.users.lockActiveAdmins(manager) : undefined;
      const user = await this.lockedAccount(found.id, manager);
      if (user.status === UserStatus.Disabled) return;
      if (user.roles.includes(Role.Admin)) {
        const active = admins ?? (await this.users.lockActiveAdmins(manager));
        if (active.length === 1 && active[0] === user.id) throw lastAdmin();
      }
      await this.users.setEnabled(user, false, manager);
      await this.refreshTokens.revokeAllForUser(user.id, manager);
      await this.audit.record(AuditEventType.UserDisabled, { ...subjectOf(user), actor }, client, manager);
    });
    this.refreshTokens.forgetSessionsOf(found.id);
    this.metrics.revocations.inc({ reason: 'admin_disable' });
    return this.reread(found.id);
  }

  /** Sessions ended by the disable stay ended. */
  async enable(username: string, { actor }: AdminActor, client: ClientInfo): Promise<UserEntity> {
    const found = await this.find(username);
    await this.transactions.run(async (manager) => {
      const user = await this.lockedAccount(found.id, manager);
      if (user.status !== UserStatus.Disabled) return;
      await this.users.setEnabled(user, true, manager);
      await this.audit.record(AuditEventType.UserEnabled, { ...subjectOf(user), actor }, client, manager);
    });
    return this.reread(found.id);
  }

  /** Ends every session of the user; the account stays as it is. */
  async signOut(username: string, { actor }: AdminActor, client: ClientInfo): Promise<void> {
    const found = await this.find(username);
    await this.transactions.run(async (manager) => {
      const user = await this.lockedAccount(found.id, manager);
      await this.refreshTokens.revokeAllForUser(user.id, manager);
      await this.audit.record(AuditEventType.UserSignedOut, { ...subjectOf(user), actor }, client, manager);
    });
    this.refreshTokens.forgetSessionsOf(found.id);
    this.metrics.revocations.inc({ reason: 'admin_sign_out' });
  }

  /** A user deleted since it was found is not found. */
  private async lockedAccount(userId: string, manager: EntityManager): Promise<UserEntity> {
    const user = await this.users.lockAccount(userId, manager);
    if (!user) throw userNotFound();
    return user;
  }

  private async reread(userId: string): Promise<UserEntity> {
    const user = await this.users.findById(userId);
    if (!user) throw userNotFound();
    return user;
  }
}
