import { registerAs } from '@nestjs/config';
import { ConfigError, readEnum, readInt, readString } from './env';
import { readTrustProxy, TrustProxy } from './trust-proxy';

export const NODE_ENVS = ['development', 'production', 'test'] as const;
/** Pino's level names: each writes its level and those above (`silent` writes nothing). */
export const LOG_LEVELS = ['silent', 'error', 'warn', 'info', 'debug'] as const;
export const LOG_FORMATS = ['json', 'pretty'] as const;

export interface AppConfig {
  nodeEnv: (typeof NODE_ENVS)[number];
  isProduction: boolean;
  port: number;
  logLevel: (typeof LOG_LEVELS)[number];
  /** `json`: one object a line, for a log store; `pretty`: coloured text, for a developer. */
  logFormat: (typeof LOG_FORMATS)[number];
  /** Largest request body accepted, in bytes; every documented request fits in a few hundred. */
  bodyLimit: number;
  /** Which X-Forwarded-For entries to believe when computing the client's address. */
  trustProxy: TrustProxy;
  /** Origins allowed by CORS; empty means no cross-origin browser access. */
  corsOrigins: string[];
  /** How long a client may take to send a request's headers and body. */
  requestTimeoutMs: number;
  /**
   * How long SIGTERM waits for requests in flight before closing their connections. Bounded
   * so a stuck or trickling request cannot hold a stopping instance until the orchestrator
   * kills it, and the audit buffer with it. 10 s outlasts any honest answer (a queued bcrypt
   * included) and leaves room inside Kubernetes' default 30 s grace; 0 closes them at once.
   */
  shutdownGraceMs: number;
}

export function readAppConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const nodeEnv = readEnum(env, 'NODE_ENV', NODE_ENVS, 'development');
  return {
    nodeEnv,
    isProduction: nodeEnv === 'production',
    port: readInt(env, 'PORT', 3000, 0, 65535),
    logLevel: readEnum(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    // Pretty for a developer's terminal only: production feeds a log store, and tests read JSON.
    logFormat: readEnum(env, 'LOG_FORMAT', LOG_FORMATS, nodeEnv === 'development' ? 'pretty' : 'json'),
    bodyLimit: readInt(env, 'BODY_LIMIT', 16 * 1024, 1024, 1024 * 1024),
    trustProxy: readTrustProxy(readString(env, 'TRUST_PROXY')),
    corsOrigins: readCorsOrigins(readString(env, 'CORS_ORIGINS', '')),
    requestTimeoutMs: readInt(env, 'REQUEST_TIMEOUT_MS', 30_000, 100, 600_000),
    shutdownGraceMs: readInt(env, 'SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
  };
}

function readCorsOrigins(value: string): string[] {
  const origins = value
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  for (const origin of origins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw new ConfigError(`CORS_ORIGINS must list origins like https://app.example.com, got "${origin}"`);
    }
  }
  return origins;
}

export const appConfig = registerAs('app', () => readAppConfig());
