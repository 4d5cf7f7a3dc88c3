import { Injectable } from '@nestjs/common';
import { MailService } from '../mail/mail.service';
import { AccountProvisioningService, ProvisionedUser } from '../users/account-provisioning.service';
import { UserStatus } from '../users/entities/user.entity';

/** A mistake in the command line, reported as one line. */
export class CliUsageError extends Error {
  override name = 'CliUsageError';
}

/**
 * Tells the operator what was created, on stdout (their terminal, not the application log),
 * and mails a temporary password to its owner when SMTP is configured. The mail is sent
 * right away, not through the outbox, so the password is never stored in clear; if it
 * fails the operator is told and hands the printed password over instead.
 */
@Injectable()
export class ProvisioningReport {
  constructor(
    private readonly mail: MailService,
    private readonly provisioning: AccountProvisioningService,
  ) {}

  async created(what: string, { user, generatedPassword }: ProvisionedUser, givenTemporary?: string): Promise<void> {
    const lines = [`Created ${what} "${user.username}" (${user.email}).`];
    if (generatedPassword) {
      lines.push(
        `Temporary password: ${generatedPassword}`,
        'It is shown only now; it must be changed at first login.',
      );
    } else if (user.status === UserStatus.ForceChangePassword) {
      lines.push('The password is temporary; it must be changed at first login.');
    }
    process.stdout.write(`${lines.join('\n')}\n`);

    const temporary = generatedPassword ?? givenTemporary;
    if (!temporary || !this.mail.delivers) return;
    try {
      await this.mail.sendTemporaryPassword(user, temporary, this.provisioning.temporaryPasswordTtl);
      process.stdout.write(`Mailed the temporary password to ${user.email}.\n`);
    } catch (error) {
      const reason = (error as { code?: string }).code ?? (error as Error).name;
      process.stderr.write(`warning: could not mail the temporary password (${reason}); hand it over yourself.\n`);
    }
  }
}
