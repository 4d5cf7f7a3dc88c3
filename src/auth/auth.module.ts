import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MailModule } from '../mail/mail.module';
import { TokensModule } from '../tokens/tokens.module';
import { UsersModule } from '../users/users.module';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { LoginAttemptEntity } from './entities/login-attempt.entity';
import { LoginThrottleService } from './login-throttle.service';
import { JwtAuthGuard } from './guards/jwt-auth.guard';
import { PasswordController } from './password.controller';
import { PasswordService } from './password.service';
import { JwtStrategy } from './strategies/jwt.strategy';

@Module({
  imports: [PassportModule, TypeOrmModule.forFeature([LoginAttemptEntity]), UsersModule, TokensModule, MailModule],
  controllers: [AuthController, PasswordController],
  providers: [
    AuthService,
    PasswordService,
    LoginThrottleService,
    JwtStrategy,
    { provide: APP_GUARD, useClass: JwtAuthGuard },
  ],
})
export class AuthModule {}
