import ms, { StringValue } from 'ms';

/** Raised for a bad environment variable; main.ts prints its message as the one line an operator sees. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

function raw(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === '' ? undefined : value;
}

export function readString(env: Env, name: string, fallback: string): string;
export function readString(env: Env, name: string): string | undefined;
export function readString(env: Env, name: string, fallback?: string): string | undefined {
  return raw(env, name) ?? fallback;
}

export function readInt(env: Env, name: string, fallback: number, min: number, max: number): number {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!/^-?\d+$/.test(value) || parsed < min || parsed > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${value}"`);
  }
  return parsed;
}

export function readBoolean(env: Env, name: string, fallback: boolean): boolean {
  const value = raw(env, name)?.toLowerCase();
  if (value === undefined) return fallback;
  if (['true', '1', 'yes'].includes(value)) return true;
  if (['false', '0', 'no'].includes(value)) return false;
  throw new ConfigError(`${name} must be true or false, got "${value}"`);
}

/** Ten years: beyond it a lifetime is a typo, and far enough beyond it no longer fits a Date. */
const MAX_DURATION_MS = 10 * 365 * 24 * 3600 * 1000;

/** A lifetime in whole seconds, given as seconds ("3600") or with a unit ("15m", "24h", "90d"). */
export function readDurationSeconds(env: Env, name: string, fallback: string): number {
  const value = raw(env, name) ?? fallback;
  const millis = /^\d+$/.test(value) ? Number(value) * 1000 : ms(value as StringValue);
  if (typeof millis !== 'number' || !Number.isFinite(millis) || millis < 1000 || millis > MAX_DURATION_MS) {
    throw new ConfigError(`${name} must be a duration from 1s to 10y, such as 900, 15m, 24h or 90d, got "${value}"`);
  }
  return Math.floor(millis / 1000);
}

export function readEnum<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const value = raw(env, name) ?? fallback;
  if (!allowed.includes(value as T)) {
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${value}"`);
  }
  return value as T;
}
