import { adminConfig } from './admin/admin.config';
import { auditConfig } from './audit/audit.config';
import { authConfig } from './auth/auth.config';
import { appConfig } from './config/app.config';
import { databaseConfig } from './database/database.config';
import { mailConfig } from './mail/mail.config';
import { metricsConfig } from './metrics/metrics.config';
import { mfaConfig } from './mfa/mfa.config';
import { redisConfig } from './redis/redis.config';
import { tokensConfig } from './tokens/tokens.config';
import { usersConfig } from './users/users.config';

/**
 * Reads every settings namespace once. Entry points call it before Nest starts, so a bad
 * value is reported as the one line that names it instead of a framework stack trace.
 */
export function checkAllConfig(): void {
  for (const read of [
    appConfig,
    databaseConfig,
    usersConfig,
    authConfig,
    tokensConfig,
    mailConfig,
    auditConfig,
    metricsConfig,
    redisConfig,
    adminConfig,
    mfaConfig,
  ]) {
    read();
  }
}
