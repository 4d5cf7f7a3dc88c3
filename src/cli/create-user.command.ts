import { Command, CommandRunner, Option } from 'nest-commander';
import { AccountProvisioningService } from '../users/account-provisioning.service';
import { passwordFrom, PasswordOptions } from './password-input';
import { CliUsageError, ProvisioningReport } from './provisioning-report';

interface CreateUserOptions extends PasswordOptions {
  username?: string;
  email?: string;
  temporaryPassword?: string;
  admin?: boolean;
}

@Command({
  name: 'create-user',
  description: 'Create an account; it must set a new password at first login unless --password is given',
})
export class CreateUserCommand extends CommandRunner {
  constructor(
    private readonly provisioning: AccountProvisioningService,
    private readonly report: ProvisioningReport,
  ) {
    super();
  }

  async run(_args: string[], options: CreateUserOptions): Promise<void> {
    if (!options.username || !options.email) {
      throw new CliUsageError('create-user needs --username and --email');
    }
    if ((options.password !== undefined || options.passwordStdin) && options.temporaryPassword !== undefined) {
      throw new CliUsageError('give either a final password or --temporary-password, not both');
    }
    // A temporary password asked for explicitly wins over CLI_PASSWORD from the environment.
    const password = options.temporaryPassword === undefined ? await passwordFrom(options) : undefined;
    const provisioned = await this.provisioning.createUser({
      username: options.username,
      email: options.email,
      admin: options.admin ?? false,
      password,
      temporaryPassword: options.temporaryPassword,
    });
    await this.report.created(options.admin ? 'admin' : 'user', provisioned, options.temporaryPassword);
  }

  @Option({ flags: '--username <username>', description: 'username (required)', required: true })
  parseUsername(value: string): string {
    return value;
  }

  @Option({ flags: '--email <email>', description: 'email address (required)', required: true })
  parseEmail(value: string): string {
    return value;
  }

  @Option({ flags: '--temporary-password <password>', description: 'temporary password (default: generated)' })
  parseTemporaryPassword(value: string): string {
    return value;
  }

  @Option({ flags: '--password <password>', description: 'final password: no change needed at first login' })
  parsePassword(value: string): string {
    return value;
  }

  @Option({ flags: '--password-stdin', description: 'read the final password from stdin (or set CLI_PASSWORD)' })
  parsePasswordStdin(): boolean {
    return true;
  }

  @Option({ flags: '--admin', description: 'give the account the admin role' })
  parseAdmin(): boolean {
    return true;
  }
}
