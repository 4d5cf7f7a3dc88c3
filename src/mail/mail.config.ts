import { registerAs } from '@nestjs/config';
import { ConfigError, readDurationSeconds, readInt, readString } from '../config/env';

export interface MailConfig {
  /** Unset: messages are written to the log instead (development only). */
  smtpUrl?: string;
  from: string;
  /** How often the outbox is polled for due messages, besides the nudge on each new one. */
  pollIntervalMs: number;
  /** First retry delay; doubles per failed attempt, up to maxRetryDelayMs. */
  retryBaseDelayMs: number;
  maxRetryDelayMs: number;
  maxAttempts: number;
  /** How long a delivered (or given-up) message is kept before the janitor deletes it. */
  retentionSeconds: number;
}

export function readMailConfig(env: NodeJS.ProcessEnv = process.env): MailConfig {
  const smtpUrl = readString(env, 'SMTP_URL');
  if (smtpUrl !== undefined && !/^smtps?:\/\/[^/]+/.test(smtpUrl)) {
    throw new ConfigError('SMTP_URL must look like smtp://host:port or smtps://user:pass@host:465');
  }
  if (smtpUrl === undefined && env.NODE_ENV === 'production') {
    throw new ConfigError('SMTP_URL must be set when NODE_ENV=production (mail would only be written to the log)');
  }
  return {
    smtpUrl,
    from: readString(env, 'MAIL_FROM', 'Authentication Service <no-reply@localhost>'),
    pollIntervalMs: readInt(env, 'MAIL_POLL_INTERVAL_MS', 1000, 50, 60_000),
    retryBaseDelayMs: readInt(env, 'MAIL_RETRY_BASE_DELAY_MS', 5000, 50, 3_600_000),
    maxRetryDelayMs: readInt(env, 'MAIL_RETRY_MAX_DELAY_MS', 10 * 60_000, 50, 86_400_000),
    maxAttempts: readInt(env, 'MAIL_MAX_ATTEMPTS', 30, 1, 1000),
    retentionSeconds: readDurationSeconds(env, 'OUTBOX_RETENTION', '7d'),
  };
}

export const mailConfig = registerAs('mail', () => readMailConfig());
