import { Module } from '@nestjs/common';
import { AppConfigModule } from '../config/config.module';
import { DatabaseModule } from '../database/database.module';
import { UsersModule } from '../users/users.module';
import { CreateUserCommand } from './create-user.command';
import { SeedAdminCommand } from './seed-admin.command';

/** The operator CLI: same configuration and database as the server, no HTTP. */
@Module({
  imports: [AppConfigModule, DatabaseModule, UsersModule],
  providers: [SeedAdminCommand, CreateUserCommand],
})
export class CliModule {}
