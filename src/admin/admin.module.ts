import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AuditModule } from '../audit/audit.module';
import { TokensModule } from '../tokens/tokens.module';
import { UsersModule } from '../users/users.module';
import { adminConfig } from './admin.config';
import { AdminGuard } from './admin.guard';
import { AdminUsersController } from './admin-users.controller';
import { AdminUsersService } from './admin-users.service';

/** The admin API (/v1/admin), and the account operations the CLI shares with it. */
@Module({
  imports: [ConfigModule.forFeature(adminConfig), UsersModule, TokensModule, AuditModule],
  controllers: [AdminUsersController],
  providers: [AdminGuard, AdminUsersService],
  exports: [AdminUsersService],
})
export class AdminModule {}
