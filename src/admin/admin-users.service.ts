import { Injectable } from '@nestjs/common';
import { AuditService, subjectOf } from '../audit/audit.service';
import { AuditEventType } from '../audit/entities/audit-event.entity';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-code';
import { ClientInfo } from '../common/http/client-info';
import { decodeCursor, DEFAULT_PAGE_SIZE, pageOf } from '../common/pagination/cursor';
import { Transactions } from '../database/transactions';
import { Metrics } from '../metrics/metrics';
import { RefreshTokensService } from '../tokens/refresh-tokens.service';
import { Role, UserEntity } from '../users/entities/user.entity';
import { UsersService } from '../users/users.service';
import { AccountLocks } from './account-locks';
import type { AdminActor } from './admin-actor';
import { userNotFound } from './admin-errors';
import { CreateUserDto } from './dto/create-user.dto';
import { ListUsersQuery } from './dto/list-users.query';
import { UpdateUserDto } from './dto/update-user.dto';
import { GeneratedPasswords } from './generated-passwords';

export interface UserPage {
  users: UserEntity[];
  nextCursor: string | null;
}

const sameRoles = (a: Role[], b: Role[]) => a.length === b.length && a.every((role) => b.includes(role));

/** The accounts themselves, for the admin API: find, list, create, change, delete. */
@Injectable()
export class AdminUsersService {
  constructor(
    private readonly users: UsersService,
    private readonly locks: AccountLocks,
    private readonly generated: GeneratedPasswords,
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

  /** After a change: the account as committed. */
  async reread(userId: string): Promise<UserEntity> {
    const user = await this.users.findById(userId);
    if (!user) throw userNotFound();
    return user;
  }

  /** In username order; one more row than asked tells whether another page follows. */
  async list({ query, status, limit = DEFAULT_PAGE_SIZE, cursor }: ListUsersQuery): Promise<UserPage> {
    const after = cursor === undefined ? undefined : decodeCursor(cursor, 1)[0];
    const rows = await this.users.page({ query, status, after, limit: limit + 1 });
    const { items, nextCursor } = pageOf(rows, limit, (last) => [last.username]);
    return { users: items, nextCursor };
  }

  /**
   * 409 UsernameExists in any letter case. With neither password given, the account gets a
   * temporary password that the outbox worker makes up and mails (GeneratedPasswords).
   */
  async create(dto: CreateUserDto, { actor }: AdminActor, client: ClientInfo): Promise<UserEntity> {
    if (dto.password !== undefined && dto.temporary_password !== undefined) {
      throw new ApiException(ErrorCode.InvalidParameter, 'Give password or temporary_password, not both.');
    }
    const generate = dto.password === undefined && dto.temporary_password === undefined;
    const user = await this.users.createAccount(
      {
        username: dto.username,
        email: dto.email,
        password: dto.password ?? dto.temporary_password ?? this.generated.placeholder(),
        temporary: dto.password === undefined,
        roles: dto.roles ?? [Role.User],
      },
      async (created, manager) => {
        await this.audit.record(AuditEventType.UserCreated, { ...subjectOf(created), actor }, client, manager);
        if (generate) await this.generated.enqueue(created.id, created.temporaryPasswordExpiresAt!, 'created', manager);
      },
    );
    if (generate) this.generated.nudge();
    return user;
  }

  /**
   * Email and role. Taking the admin role from the last active admin is 409; a demotion applies
   * at once because the admin guard reads the role on every request, and introspection answers
   * the new roles once the session cache has forgotten the user (at once, on every instance).
   */
  async update(username: string, dto: UpdateUserDto, { actor }: AdminActor, client: ClientInfo): Promise<UserEntity> {
    if (dto.email === undefined && dto.roles === undefined) {
      throw new ApiException(ErrorCode.InvalidParameter, 'Give email or roles to change.');
    }
    const found = await this.find(username);
    const demotes = dto.roles !== undefined && !dto.roles.includes(Role.Admin);
    const changed = await this.transactions.run(async (manager) => {
      const user = await this.locks.lock(found, manager, { removesAdmin: demotes });
      const change = {
        ...(dto.email !== undefined && dto.email !== user.email ? { email: dto.email } : {}),
        ...(dto.roles !== undefined && !sameRoles(dto.roles, user.roles) ? { roles: dto.roles } : {}),
      };
      if (Object.keys(change).length === 0) return false;
      await this.users.updateAccount(user.id, change, manager);
      await this.audit.record(AuditEventType.UserUpdated, { ...subjectOf(user), actor }, client, manager);
      return true;
    });
    if (changed) this.refreshTokens.forgetSessionsOf(found.id);
    return this.reread(found.id);
  }

  /**
   * Deletes the account and, with it, its sessions, codes and challenges; its audit events stay
   * and the name can be taken again. 409 for the last active admin.
   */
  async delete(username: string, { actor }: AdminActor, client: ClientInfo): Promise<void> {
    const found = await this.find(username);
    await this.transactions.run(async (manager) => {
      const user = await this.locks.lock(found, manager, { removesAdmin: true });
      await this.refreshTokens.revokeAllForUser(user.id, manager);
      await this.users.deleteAccount(user.id, manager);
      await this.audit.record(AuditEventType.UserDeleted, { ...subjectOf(user), actor }, client, manager);
    });
    this.refreshTokens.forgetSessionsOf(found.id);
    this.metrics.revocations.inc({ reason: 'admin_delete' });
  }
}
