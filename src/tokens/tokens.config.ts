import { registerAs } from '@nestjs/config';
import { readBoolean, readDurationSeconds, readInt, readString } from '../config/env';
import { IntrospectionClients, readIntrospectionClients } from './introspection-clients';
import { JwtKeys, loadJwtKeys } from './jwt-keys';

export interface TokensConfig {
  keys: JwtKeys;
  /** Who may call POST /v1/introspect (none: it answers 401). */
  introspectionClients: IntrospectionClients;
  issuer: string;
  audience: string;
  accessTokenTtl: number;
  refreshTokenTtl: number;
  refreshTokenRotation: boolean;
  /** How long a rotated token still refreshes, so parallel tabs do not sign each other out. */
  refreshTokenReuseGrace: number;
  challengeSessionTtl: number;
  /** How long the guard may trust a session lookup (0: always ask the database). */
  sessionCacheTtlMs: number;
  confirmationCodeTtl: number;
}

export function readTokensConfig(env: NodeJS.ProcessEnv = process.env): TokensConfig {
  return {
    keys: loadJwtKeys(env),
    introspectionClients: readIntrospectionClients(env),
    issuer: readString(env, 'JWT_ISSUER', 'auth-service'),
    audience: readString(env, 'JWT_AUDIENCE', 'auth-service'),
    // 24 h and 90 days, the lifetimes clients written against this API expect; docs/operations.md
    // explains how and why to shorten them.
    accessTokenTtl: readDurationSeconds(env, 'ACCESS_TOKEN_TTL', '24h'),
    refreshTokenTtl: readDurationSeconds(env, 'REFRESH_TOKEN_TTL', '90d'),
    refreshTokenRotation: readBoolean(env, 'REFRESH_TOKEN_ROTATION', false),
    refreshTokenReuseGrace: readDurationSeconds(env, 'REFRESH_TOKEN_REUSE_GRACE', '10s'),
    challengeSessionTtl: readDurationSeconds(env, 'CHALLENGE_SESSION_TTL', '3m'),
    sessionCacheTtlMs: readInt(env, 'SESSION_CACHE_TTL_MS', 2000, 0, 60_000),
    // OWASP ASVS 5.0 V6.5: a reset code lives minutes, not hours.
    confirmationCodeTtl: readDurationSeconds(env, 'CONFIRMATION_CODE_TTL', '10m'),
  };
}

export const tokensConfig = registerAs('tokens', () => readTokensConfig());
