import { registerAs } from '@nestjs/config';
import { readDurationSeconds, readInt, readString } from '../config/env';

export interface AuthConfig {
  bcryptCost: number;
  /** Password checks that may wait for a hashing thread; past it, 503 at once. */
  passwordQueueLimit: number;
  temporaryPasswordTtl: number;
  /** Per username (existing or not), per hour. */
  forgotPasswordPerHour: number;
  /** Per username and client address, per hour. */
  forgotPasswordConfirmPerHour: number;
  /** Failed logins per client address per 10 minutes, whatever the usernames; 0 turns the limit off. */
  loginFailuresPerIp: number;
  admin: { username: string; email: string; password?: string };
}

export function readAuthConfig(env: NodeJS.ProcessEnv = process.env): AuthConfig {
  return {
    // 12 is OWASP's floor for bcrypt in 2025; below 10 only for tests.
    bcryptCost: readInt(env, 'BCRYPT_COST', 12, 4, 17),
    passwordQueueLimit: readInt(env, 'PASSWORD_QUEUE_LIMIT', 64, 0, 100_000),
    temporaryPasswordTtl: readDurationSeconds(env, 'TEMPORARY_PASSWORD_TTL', '7d'),
    forgotPasswordPerHour: readInt(env, 'FORGOT_PASSWORD_PER_HOUR', 5, 1, 10_000),
    forgotPasswordConfirmPerHour: readInt(env, 'FORGOT_PASSWORD_CONFIRM_PER_HOUR', 10, 1, 10_000),
    loginFailuresPerIp: readInt(env, 'LOGIN_FAILURES_PER_IP', 100, 0, 1_000_000),
    admin: {
      username: readString(env, 'ADMIN_USERNAME', 'admin'),
      email: readString(env, 'ADMIN_EMAIL', 'admin@localhost'),
      password: readString(env, 'ADMIN_PASSWORD'),
    },
  };
}

export const authConfig = registerAs('auth', () => readAuthConfig());
