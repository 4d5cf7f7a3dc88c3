import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-code';
import { AccountProvisioningService } from './account-provisioning.service';
import { UsersService } from './users.service';

/** On a first start with no users at all, creates the admin from the ADMIN_* settings. */
@Injectable()
export class FirstRunAdmin implements OnApplicationBootstrap {
  private readonly logger = new Logger(FirstRunAdmin.name);

  constructor(
    private readonly users: UsersService,
    private readonly provisioning: AccountProvisioningService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (await this.users.hasAnyUser()) return;
    try {
      const result = await this.provisioning.seedAdmin();
      if (!result.created) return;
      this.logger.log(`Created the admin account "${result.user.username}"`);
      if (result.generatedPassword) {
        // Printed once, on stdout rather than through the logger: no password may reach the log
        // stream, and the operator starting the service for the first time needs this one.
        process.stdout.write(
          `\n  Admin "${result.user.username}" has the temporary password: ${result.generatedPassword}\n` +
            '  It is shown only now. Log in with it to set a new password.\n\n',
        );
      }
    } catch (error) {
      // Another instance starting at the same moment seeded it first.
      if (!(error instanceof ApiException && error.code === ErrorCode.UsernameExists)) throw error;
    }
  }
}
