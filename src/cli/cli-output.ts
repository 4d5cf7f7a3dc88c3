import { ProvisionedUser } from '../users/account-provisioning.service';
import { UserStatus } from '../users/entities/user.entity';

/** A mistake in the command line, reported as one line. */
export class CliUsageError extends Error {
  override name = 'CliUsageError';
}

/** Commands report to stdout (the operator's terminal), never through the application log. */
export function printProvisioned(what: string, { user, generatedPassword }: ProvisionedUser): void {
  const lines = [`Created ${what} "${user.username}" (${user.email}).`];
  if (generatedPassword) {
    lines.push(`Temporary password: ${generatedPassword}`, 'It is shown only now; it must be changed at first login.');
  } else if (user.status === UserStatus.ForceChangePassword) {
    lines.push('The password is temporary; it must be changed at first login.');
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
