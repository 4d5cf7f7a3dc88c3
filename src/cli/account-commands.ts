import { Injectable } from '@nestjs/common';
import { Command, CommandRunner, Option } from 'nest-commander';
import { AdminAccessService } from '../admin/admin-access.service';
import { AdminPasswordsService } from '../admin/admin-passwords.service';
import { CLI_CLIENT, cliActor } from './operator-actor';

interface UsernameOptions {
  /** Commander refuses the command without it (the option is required). */
  username: string;
}

/**
 * The admin API's account changes from a shell, through the same services: one transaction,
 * the audit event (actor `cli:<user>`), the sessions ended. A running server's guard sees the
 * ended sessions once its short cache entry lapses (SESSION_CACHE_TTL_MS, 2 s by default).
 */
@Injectable()
abstract class AccountCommand<O extends UsernameOptions = UsernameOptions> extends CommandRunner {
  abstract change(options: O): Promise<string>;

  async run(_args: string[], options: O): Promise<void> {
    process.stdout.write(`${await this.change(options)}\n`);
  }

  @Option({ flags: '--username <username>', description: 'the account (any letter case)', required: true })
  parseUsername(value: string): string {
    return value;
  }
}

@Command({ name: 'disable-user', description: 'Disable an account and end every session of it' })
export class DisableUserCommand extends AccountCommand {
  constructor(private readonly access: AdminAccessService) {
    super();
  }

  async change({ username }: UsernameOptions): Promise<string> {
    const user = await this.access.disable(username, cliActor(), CLI_CLIENT);
    return `Disabled "${user.username}"; every session of it has ended.`;
  }
}

@Command({ name: 'enable-user', description: 'Enable a disabled account (its old sessions stay ended)' })
export class EnableUserCommand extends AccountCommand {
  constructor(private readonly access: AdminAccessService) {
    super();
  }

  async change({ username }: UsernameOptions): Promise<string> {
    const user = await this.access.enable(username, cliActor(), CLI_CLIENT);
    return `Enabled "${user.username}" (${user.status}).`;
  }
}

@Command({ name: 'sign-out-user', description: 'End every session of an account' })
export class SignOutUserCommand extends AccountCommand {
  constructor(private readonly access: AdminAccessService) {
    super();
  }

  async change({ username }: UsernameOptions): Promise<string> {
    await this.access.signOut(username, cliActor(), CLI_CLIENT);
    return `Signed "${username}" out of every session.`;
  }
}

interface ResetPasswordOptions extends UsernameOptions {
  temporaryPassword?: string;
}

@Command({
  name: 'reset-password',
  description:
    'Give an account a temporary password (ending every session): the one given, or a generated one a running server mails',
})
export class ResetPasswordCommand extends AccountCommand<ResetPasswordOptions> {
  constructor(private readonly passwords: AdminPasswordsService) {
    super();
  }

  async change({ username, temporaryPassword }: ResetPasswordOptions): Promise<string> {
    const user = await this.passwords.setTemporary(username, temporaryPassword, cliActor(), CLI_CLIENT);
    const handOver =
      temporaryPassword === undefined
        ? "A generated one is queued for mail: a running server sends it to the account's address."
        : 'Hand it over yourself: it is not mailed.';
    return `Set a temporary password for "${user.username}"; every session has ended. ${handOver}`;
  }

  @Option({
    flags: '--temporary-password <password>',
    description: 'the temporary password (default: generated, mailed)',
  })
  parseTemporaryPassword(value: string): string {
    return value;
  }
}
