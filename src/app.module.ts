import { Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { AdminModule } from './admin/admin.module';
import { AuthModule } from './auth/auth.module';
import { AllExceptionsFilter } from './common/filters/all-exceptions.filter';
import { createValidationPipe } from './common/http/validation.pipe';
import { AppConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { MailModule } from './mail/mail.module';
import { OutboxWorkerModule } from './mail/outbox-worker.module';
import { MetricsModule } from './metrics/metrics.module';
import { MetricsServerModule } from './metrics/metrics-server.module';
import { RedisModule } from './redis/redis.module';
import { TokensModule } from './tokens/tokens.module';
import { FirstRunAdminModule } from './users/first-run-admin.module';
import { UsersModule } from './users/users.module';

@Module({
  imports: [
    AppConfigModule,
    DatabaseModule.forRoot({ retryAttempts: 10, runJanitor: true }),
    RedisModule,
    MetricsModule,
    MetricsServerModule,
    UsersModule,
    FirstRunAdminModule,
    TokensModule,
    MailModule,
    OutboxWorkerModule,
    AuthModule,
    AdminModule,
    HealthModule,
  ],
  providers: [
    { provide: APP_FILTER, useClass: AllExceptionsFilter },
    { provide: APP_PIPE, useFactory: createValidationPipe },
  ],
})
export class AppModule {}
