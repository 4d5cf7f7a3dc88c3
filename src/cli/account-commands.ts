import { Injectable } from '@nestjs/common';
import { Command, CommandRunner, Option } from 'nest-commander';
import { AdminUsersService } from '../admin/admin-users.service';
import { CLI_CLIENT, cliActor } from './operator-actor';

interface UsernameOptions {
  /** Commander refuses the command without it (the option is required). */
  username: string;
}

/**
 * The admin API's account changes from a shell, through the same service: one transaction,
 * the audit event (actor `cli:<user>`), the sessions ended. A running server's guard sees the
 * ended sessions once its short cache entry lapses (SESSION_CACHE_TTL_MS, 2 s by default).
 */
@Injectable()
abstract class AccountCommand extends CommandRunner {
  constructor(protected readonly admin: AdminUsersService) {
    super();
  }

  abstract change(username: string): Promise<string>;

  async run(_args: string[], options: UsernameOptions): Promise<void> {
    process.stdout.write(`${await this.change(options.username)}\n`);
  }

  @Option({ flags: '--username <username>', description: 'the account (any letter case)', required: true })
  parseUsername(value: string): string {
    return value;
  }
}

@Command({ name: 'disable-user', description: 'Disable an account and end every session of it' })
export class DisableUserCommand extends AccountCommand {
  async change(username: string): Promise<string> {
    const user = await this.admin.disable(username, cliActor(), CLI_CLIENT);
    return `Disabled "${user.username}"; every session of it has ended.`;
  }
}

@Command({ name: 'enable-user', description: 'Enable a disabled account (its old sessions stay ended)' })
export class EnableUserCommand extends AccountCommand {
  async change(username: string): Promise<string> {
    const user = await this.admin.enable(username, cliActor(), CLI_CLIENT);
    return `Enabled "${user.username}" (${user.status}).`;
  }
}

@Command({ name: 'sign-out-user', description: 'End every session of an account' })
export class SignOutUserCommand extends AccountCommand {
  async change(username: string): Promise<string> {
    await this.admin.signOut(username, cliActor(), CLI_CLIENT);
    return `Signed "${username}" out of every session.`;
  }
}
