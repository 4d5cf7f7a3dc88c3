import { registerAs } from '@nestjs/config';
import { ConfigError, readString } from '../config/env';

export interface RedisConfig {
  /** REDIS_URL: the state every instance shares (revocations, the per-IP counts). Unset: each instance alone. */
  url?: string;
}

export function readRedisConfig(env: NodeJS.ProcessEnv = process.env): RedisConfig {
  const url = readString(env, 'REDIS_URL');
  if (url === undefined) return { url };
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    // Reported below, without the value: it may hold a password.
  }
  const valid =
    parsed !== undefined &&
    (parsed.protocol === 'redis:' || parsed.protocol === 'rediss:') &&
    parsed.hostname !== '' &&
    /^\/?(\d{1,2})?$/.test(parsed.pathname);
  if (!valid) throw new ConfigError('REDIS_URL must look like redis://host:6379/0 or rediss://:password@host:6380/0');
  return { url };
}

export const redisConfig = registerAs('redis', () => readRedisConfig());
