import { registerAs } from '@nestjs/config';
import { readInt } from '../config/env';

export interface AuthConfig {
  /** Requests per client IP per minute on the /v1 auth routes; 0 turns the limit off. */
  rateLimitPerMinute: number;
  /** Per username (existing or not), per hour. */
  forgotPasswordPerHour: number;
  /** Per username and client address, per hour. */
  forgotPasswordConfirmPerHour: number;
  /** Failed logins per client address per 10 minutes, whatever the usernames; 0 turns the limit off. */
  loginFailuresPerIp: number;
}

export function readAuthConfig(env: NodeJS.ProcessEnv = process.env): AuthConfig {
  return {
    // No person logs in 600 times a minute; a script does.
    rateLimitPerMinute: readInt(env, 'RATE_LIMIT_PER_MINUTE', 600, 0, 1_000_000),
    forgotPasswordPerHour: readInt(env, 'FORGOT_PASSWORD_PER_HOUR', 5, 1, 10_000),
    forgotPasswordConfirmPerHour: readInt(env, 'FORGOT_PASSWORD_CONFIRM_PER_HOUR', 10, 1, 10_000),
    loginFailuresPerIp: readInt(env, 'LOGIN_FAILURES_PER_IP', 100, 0, 1_000_000),
  };
}

export const authConfig = registerAs('auth', () => readAuthConfig());
