import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module';
import { AppConfigModule } from '../config/config.module';
import { DatabaseModule } from '../database/database.module';
import { MailModule } from '../mail/mail.module';
import { MetricsModule } from '../metrics/metrics.module';
import { RedisModule } from '../redis/redis.module';
import { UsersModule } from '../users/users.module';
import { DisableUserCommand, EnableUserCommand, ResetPasswordCommand, SignOutUserCommand } from './account-commands';
import { CreateUserCommand } from './create-user.command';
import { ProvisioningReport } from './provisioning-report';
import { SeedAdminCommand } from './seed-admin.command';

/**
 * The operator CLI: same configuration and database as the server, no HTTP. MetricsModule only
 * because MailModule's and AdminModule's services record to it; without MetricsServerModule
 * nothing is served.
 */
@Module({
  imports: [
    AppConfigModule,
    DatabaseModule.forRoot({ retryAttempts: 0, runJanitor: false }),
    MetricsModule,
    UsersModule,
    MailModule,
    // The admin API's services: the session cache they clear wants Redis (a no-op without REDIS_URL).
    RedisModule,
    AdminModule,
  ],
  providers: [
    SeedAdminCommand,
    CreateUserCommand,
    DisableUserCommand,
    EnableUserCommand,
    SignOutUserCommand,
    ResetPasswordCommand,
    ProvisioningReport,
  ],
})
export class CliModule {}
