import { Command, CommandRunner, Option } from 'nest-commander';
import { AccountProvisioningService } from '../users/account-provisioning.service';
import { passwordFrom, PasswordOptions } from './password-input';
import { ProvisioningReport } from './provisioning-report';

interface SeedAdminOptions extends PasswordOptions {
  username?: string;
  email?: string;
}

@Command({
  name: 'seed-admin',
  description: 'Create the admin account unless it exists (a temporary password is generated when none is given)',
})
export class SeedAdminCommand extends CommandRunner {
  constructor(
    private readonly provisioning: AccountProvisioningService,
    private readonly report: ProvisioningReport,
  ) {
    super();
  }

  async run(_args: string[], options: SeedAdminOptions): Promise<void> {
    const result = await this.provisioning.seedAdmin({
      username: options.username,
      email: options.email,
      password: await passwordFrom(options),
    });
    if (result.created) {
      await this.report.created('admin', result);
    } else {
      process.stdout.write(`Admin "${result.user.username}" already exists; nothing changed.\n`);
    }
  }

  @Option({ flags: '--username <username>', description: 'admin username (default: ADMIN_USERNAME or admin)' })
  parseUsername(value: string): string {
    return value;
  }

  @Option({ flags: '--email <email>', description: 'admin email (default: ADMIN_EMAIL)' })
  parseEmail(value: string): string {
    return value;
  }

  @Option({ flags: '--password <password>', description: 'final password (default: ADMIN_PASSWORD, else generated)' })
  parsePassword(value: string): string {
    return value;
  }

  @Option({ flags: '--password-stdin', description: 'read the final password from stdin (or set CLI_PASSWORD)' })
  parsePasswordStdin(): boolean {
    return true;
  }
}
