import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Role, UserEntity, UserStatus } from '../users/entities/user.entity';
import { UsersService } from '../users/users.service';
import { lastAdmin, userNotFound } from './admin-errors';

const isActiveAdmin = (user: UserEntity) => user.roles.includes(Role.Admin) && user.status !== UserStatus.Disabled;

/**
 * Locks the account an operator changes, inside the change's transaction, and reads it as it
 * is now. A change that would take the admin role away (disable, demote, delete) first locks
 * every active admin's row, in id order, the same for each such change: two of them at once
 * (disabling the only two admins) queue on those locks instead of each seeing the other admin
 * still active, and the second gets 409 LastAdmin.
 */
@Injectable()
export class AccountLocks {
  constructor(private readonly users: UsersService) {}

  /** 404 when the account was deleted since `found` was read. */
  async lock(found: UserEntity, manager: EntityManager, options: { removesAdmin?: boolean } = {}): Promise<UserEntity> {
    const guarded = options.removesAdmin === true;
    // The admins' rows before the user's: one order for every such change.
    const admins = guarded && found.roles.includes(Role.Admin) ? await this.users.lockActiveAdmins(manager) : undefined;
    const user = await this.users.lockAccount(found.id, manager);
    if (!user) throw userNotFound();
    if (guarded && isActiveAdmin(user)) {
      const active = admins ?? (await this.users.lockActiveAdmins(manager));
      if (!active.some((id) => id !== user.id)) throw lastAdmin();
    }
    return user;
  }
}
