import { Module } from '@nestjs/common';
import { AppConfigModule } from '../config/config.module';
import { DatabaseModule } from '../database/database.module';
import { MailModule } from '../mail/mail.module';
import { MetricsModule } from '../metrics/metrics.module';
import { UsersModule } from '../users/users.module';
import { CreateUserCommand } from './create-user.command';
import { ProvisioningReport } from './provisioning-report';
import { SeedAdminCommand } from './seed-admin.command';

/**
 * The operator CLI: same configuration and database as the server, no HTTP. MetricsModule only
 * because MailModule's services record to it; without MetricsServerModule nothing is served.
 */
@Module({
  imports: [
    AppConfigModule,
    DatabaseModule.forRoot({ retryAttempts: 0, runJanitor: false }),
    MetricsModule,
    UsersModule,
    MailModule,
  ],
  providers: [SeedAdminCommand, CreateUserCommand, ProvisioningReport],
})
export class CliModule {}
