import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AuditModule } from '../audit/audit.module';
import { MailModule } from '../mail/mail.module';
import { MfaModule } from '../mfa/mfa.module';
import { TokensModule } from '../tokens/tokens.module';
import { UsersModule } from '../users/users.module';
import { AccountLocks } from './account-locks';
import { AdminAccessService } from './admin-access.service';
import { AdminAuditController } from './admin-audit.controller';
import { AdminAuditService } from './admin-audit.service';
import { adminConfig } from './admin.config';
import { AdminGuard } from './admin.guard';
import { AdminPasswordsService } from './admin-passwords.service';
import { AdminSessionsService } from './admin-sessions.service';
import { AdminUserAccessController } from './admin-user-access.controller';
import { AdminUserSessionsController } from './admin-user-sessions.controller';
import { AdminUsersController } from './admin-users.controller';
import { AdminUsersService } from './admin-users.service';
import { GeneratedPasswords } from './generated-passwords';

/** The admin API (/v1/admin), and the account operations the CLI shares with it. */
@Module({
  imports: [ConfigModule.forFeature(adminConfig), UsersModule, TokensModule, MailModule, AuditModule, MfaModule],
  controllers: [AdminUsersController, AdminUserAccessController, AdminUserSessionsController, AdminAuditController],
  providers: [
    AdminGuard,
    AccountLocks,
    AdminUsersService,
    AdminAccessService,
    AdminPasswordsService,
    AdminSessionsService,
    AdminAuditService,
    GeneratedPasswords,
  ],
  exports: [AdminAccessService, AdminPasswordsService],
})
export class AdminModule {}
