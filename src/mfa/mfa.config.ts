import { registerAs } from '@nestjs/config';
import { ConfigError, readEnum, readString } from '../config/env';

export const MFA_MODES = ['off', 'optional', 'required'] as const;
export type MfaMode = (typeof MFA_MODES)[number];

export interface MfaConfig {
  /** `off`: no enrolment; `optional`: users may enrol; `required`: users without a factor enrol at login. */
  mode: MfaMode;
  /** The issuer authenticator apps show beside the account name. */
  issuer: string;
  /**
   * MFA_ENCRYPTION_KEY, 32 bytes: the AES-256-GCM key TOTP secrets are stored under. Undefined
   * when unset: outside production a random one is used (secrets enrolled then die with the
   * process); in production enrolment is refused and a server with factors will not start.
   */
  encryptionKey?: Buffer;
  /** NODE_ENV=production: no stand-in key. */
  production: boolean;
}

export function readMfaConfig(env: NodeJS.ProcessEnv = process.env): MfaConfig {
  const mode = readEnum(env, 'MFA', MFA_MODES, 'optional');
  const raw = readString(env, 'MFA_ENCRYPTION_KEY');
  const encryptionKey = raw === undefined ? undefined : Buffer.from(raw, 'base64');
  if (raw !== undefined && (encryptionKey!.length !== 32 || !/^[A-Za-z0-9+/]+={0,2}$/.test(raw))) {
    throw new ConfigError('MFA_ENCRYPTION_KEY must be 32 bytes in base64 (e.g. openssl rand -base64 32)');
  }
  const production = env.NODE_ENV === 'production';
  if (mode === 'required' && !encryptionKey && production) {
    throw new ConfigError('MFA=required needs MFA_ENCRYPTION_KEY in production (e.g. openssl rand -base64 32)');
  }
  return {
    mode,
    issuer: readString(env, 'MFA_ISSUER') ?? readString(env, 'JWT_ISSUER', 'auth-service'),
    encryptionKey,
    production,
  };
}

export const mfaConfig = registerAs('mfa', () => readMfaConfig());
