import { createPrivateKey, createPublicKey, createSecretKey, KeyObject, randomBytes } from 'node:crypto';
import { ConfigError, readString } from '../config/env';

export type JwtAlgorithm = 'HS256' | 'RS256' | 'ES256' | 'ES384' | 'ES512';

/**
 * Keys are KeyObjects, never strings: given a string, jsonwebtoken tries to parse it as a PEM
 * key and then makes a secret key of it on every call, about 80 times the cost of signing or
 * verifying with a KeyObject ("Performance workarounds" in docs/architecture.md). A KeyObject's
 * type also pins which algorithm family can ever be used with it.
 */
export interface JwtKeys {
  algorithm: JwtAlgorithm;
  signingKey: KeyObject;
  verificationKey: KeyObject;
  /** True when no key was configured and a random one was made for this process (development). */
  ephemeral: boolean;
}

const MIN_SECRET_LENGTH = 32;
const PLACEHOLDERS = /change[-_ ]?me|secret|example|placeholder|^(.)\1+$/i;
const EC_ALGORITHMS: Record<string, JwtAlgorithm> = { prime256v1: 'ES256', secp384r1: 'ES384', secp521r1: 'ES512' };

export function loadJwtKeys(env: NodeJS.ProcessEnv): JwtKeys {
  const production = env.NODE_ENV === 'production';
  const pem = readString(env, 'JWT_PRIVATE_KEY');
  if (pem) return asymmetricKeys(pem.replace(/\\n/g, '\n'));

  const secret = readString(env, 'JWT_SECRET');
  if (secret === undefined) {
    if (production) {
      throw new ConfigError('JWT_SECRET (or JWT_PRIVATE_KEY) must be set when NODE_ENV=production');
    }
    return { ...hmacKeys(randomBytes(32)), ephemeral: true };
  }
  // A short HMAC key falls to an offline search of the tokens it signed, in development too.
  if (secret.length < MIN_SECRET_LENGTH || (production && PLACEHOLDERS.test(secret))) {
    throw new ConfigError(
      `JWT_SECRET must be at least ${MIN_SECRET_LENGTH} random characters (e.g. openssl rand -base64 48)`,
    );
  }
  return hmacKeys(Buffer.from(secret, 'utf8'));
}

function hmacKeys(secret: Buffer): JwtKeys {
  const key = createSecretKey(secret);
  return { algorithm: 'HS256', signingKey: key, verificationKey: key, ephemeral: false };
}

function asymmetricKeys(pem: string): JwtKeys {
  let signingKey: KeyObject;
  try {
    signingKey = createPrivateKey(pem);
  } catch {
    throw new ConfigError('JWT_PRIVATE_KEY must be a PEM private key (RSA or EC P-256/P-384/P-521)');
  }
  const type = signingKey.asymmetricKeyType;
  const curve = signingKey.asymmetricKeyDetails?.namedCurve;
  const algorithm = type === 'rsa' ? 'RS256' : type === 'ec' && curve ? EC_ALGORITHMS[curve] : undefined;
  if (!algorithm) {
    throw new ConfigError(`JWT_PRIVATE_KEY must be RSA or EC P-256/P-384/P-521, got ${type ?? 'unknown'}`);
  }
  if (type === 'rsa' && (signingKey.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) {
    throw new ConfigError('JWT_PRIVATE_KEY: an RSA key must have at least 2048 bits');
  }
  return { algorithm, signingKey, verificationKey: createPublicKey(signingKey), ephemeral: false };
}
