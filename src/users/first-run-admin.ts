import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-code';
import { AllConfig } from '../config/config.types';
import { AccountProvisioningService } from './account-provisioning.service';
import { UsersService } from './users.service';

/** On a first start with no users at all, creates the admin from the ADMIN_* settings. */
@Injectable()
export class FirstRunAdmin implements OnApplicationBootstrap {
  private readonly logger = new Logger(FirstRunAdmin.name);

  constructor(
    private readonly users: UsersService,
    private readonly provisioning: AccountProvisioningService,
    @Inject(ConfigService) private readonly config: ConfigService<AllConfig, true>,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (await this.users.hasAnyUser()) return;
    const admin = this.config.get('auth.admin', { infer: true });
    try {
      const result = await this.provisioning.seedAdmin(admin);
      if (!result.created) return;
      this.logger.log(`Created the admin account "${result.user.username}"`);
      if (result.generatedPassword) {
        // Printed once, straight to the terminal rather than the log stream, as the contract asks.
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
