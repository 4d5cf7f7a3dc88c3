import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { MailModule } from '../mail/mail.module';
import { MfaModule } from '../mfa/mfa.module';
import { Redis } from '../redis/redis';
import { TokensModule } from '../tokens/tokens.module';
import { UsersModule } from '../users/users.module';
import { authConfig, AuthConfig } from './auth.config';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { LoginAttemptEntity } from './entities/login-attempt.entity';
import { RateLimitEntity } from './entities/rate-limit.entity';
import { JwtAuthGuard } from './guards/jwt-auth.guard';
import { LoginFailuresPerAddress } from './login-failures-per-address';
import { LoginThrottleService } from './login-throttle.service';
import { MfaController } from './mfa.controller';
import { MfaEnrolmentService } from './mfa-enrolment.service';
import { PasswordController } from './password.controller';
import { PasswordChangeService } from './password-change.service';
import { PasswordChangedNotifier } from './password-changed-notifier';
import { PasswordResetService } from './password-reset.service';
import { perIpThrottlerStorage } from './per-ip-throttler-storage';
import { RateLimiterService } from './rate-limiter.service';
import { SessionsController } from './sessions.controller';
import { SessionsService } from './sessions.service';
import { JwtStrategy } from './strategies/jwt.strategy';

@Module({
  imports: [
    ConfigModule.forFeature(authConfig),
    PassportModule,
    TypeOrmModule.forFeature([LoginAttemptEntity, RateLimitEntity]),
    // Per client IP, a cheap first line against scripted floods of the auth routes: in memory,
    // or with REDIS_URL counted in Redis across instances (in memory while Redis is down).
    ThrottlerModule.forRootAsync({
      imports: [ConfigModule.forFeature(authConfig)],
      inject: [authConfig.KEY, Redis],
      useFactory: ({ rateLimitPerMinute: perMinute }: AuthConfig, redis: Redis) => {
        return {
          throttlers: [{ ttl: 60_000, limit: Math.max(perMinute, 1) }],
          storage: perIpThrottlerStorage(redis),
          skipIf: () => perMinute === 0,
          // One budget per IP across all the auth routes, not one per route.
          generateKey: (_context, tracker, name) => `${name}:${tracker}`,
          errorMessage: 'Too many requests from this address; try again later.',
        };
      },
    }),
    UsersModule,
    TokensModule,
    MailModule,
    AuditModule,
    MfaModule,
  ],
  controllers: [AuthController, PasswordController, SessionsController, MfaController],
  providers: [
    AuthService,
    PasswordResetService,
    PasswordChangeService,
    PasswordChangedNotifier,
    SessionsService,
    MfaEnrolmentService,
    LoginThrottleService,
    LoginFailuresPerAddress,
    RateLimiterService,
    JwtStrategy,
    { provide: APP_GUARD, useClass: JwtAuthGuard },
  ],
})
export class AuthModule {}
