import {
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  JsonWebKey,
  KeyObject,
  randomBytes,
} from 'node:crypto';
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
  /** In every token's header: names `verificationKey` among `accepted`. */
  kid: string;
  signingKey: KeyObject;
  verificationKey: KeyObject;
  /** True when no key was configured and a random one was made for this process (development). */
  ephemeral: boolean;
  /** Every key a token may name by `kid`: the signing key's, then JWT_PREVIOUS_KEYS and _SECRETS. */
  accepted: ReadonlyMap<string, VerificationKey>;
}

/** A key tokens may be signed with, and the one algorithm a token under it may use. */
export interface VerificationKey {
  kid: string;
  algorithm: JwtAlgorithm;
  key: KeyObject;
  /** The public JWK (RFC 7517) the JWKS publishes; none for an HMAC secret. */
  jwk?: PublicJwk;
}

export type PublicJwk = JsonWebKey & { kid: string; alg: JwtAlgorithm; use: 'sig' };

const MIN_SECRET_LENGTH = 32;
const PLACEHOLDERS = /change[-_ ]?me|secret|example|placeholder|^(.)\1+$/i;
const EC_ALGORITHMS: Record<string, JwtAlgorithm> = { prime256v1: 'ES256', secp384r1: 'ES384', secp521r1: 'ES512' };

export function loadJwtKeys(env: NodeJS.ProcessEnv): JwtKeys {
  const current = currentKeys(env);
  const accepted = new Map<string, VerificationKey>();
  for (const key of [current, ...previousKeys(env)]) {
    // The same key listed twice (current and previous, say) is one entry.
    if (!accepted.has(key.kid)) accepted.set(key.kid, key);
  }
  const { algorithm, kid, signingKey, verificationKey, ephemeral } = current;
  return { algorithm, kid, signingKey, verificationKey, ephemeral, accepted };
}

type CurrentKey = VerificationKey & Omit<JwtKeys, 'accepted'>;

function currentKeys(env: NodeJS.ProcessEnv): CurrentKey {
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
  return hmacKeys(checkedSecret(secret, 'JWT_SECRET', production));
}

/** A short HMAC key falls to an offline search of the tokens it signed, in development too. */
function checkedSecret(secret: string, name: string, production: boolean): Buffer {
  if (secret.length < MIN_SECRET_LENGTH || (production && PLACEHOLDERS.test(secret))) {
    throw new ConfigError(
      `${name} must be at least ${MIN_SECRET_LENGTH} random characters (e.g. openssl rand -base64 48)`,
    );
  }
  return Buffer.from(secret, 'utf8');
}

function hmacKeys(secret: Buffer): CurrentKey {
  const key = createSecretKey(secret);
  // Derived from the secret by HMAC, so instances agree on it and it tells nothing of the secret.
  const kid = createHmac('sha256', key).update('auth-service kid').digest('base64url').slice(0, 22);
  return { algorithm: 'HS256', kid, key, signingKey: key, verificationKey: key, ephemeral: false };
}

function asymmetricKeys(pem: string): CurrentKey {
  let signingKey: KeyObject;
  try {
    signingKey = createPrivateKey(pem);
  } catch {
    throw new ConfigError('JWT_PRIVATE_KEY must be a PEM private key (RSA or EC P-256/P-384/P-521)');
  }
  const verificationKey = createPublicKey(signingKey);
  const { kid, algorithm, jwk } = publicKeyEntry(verificationKey, 'JWT_PRIVATE_KEY');
  return { algorithm, kid, key: verificationKey, jwk, signingKey, verificationKey, ephemeral: false };
}

/** The algorithm a public key allows (pinned by its type), its RFC 7638 kid and its JWK. */
function publicKeyEntry(key: KeyObject, name: string): VerificationKey {
  const type = key.asymmetricKeyType;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  const algorithm = type === 'rsa' ? 'RS256' : type === 'ec' && curve ? EC_ALGORITHMS[curve] : undefined;
  if (!algorithm) {
    throw new ConfigError(`${name} must be RSA or EC P-256/P-384/P-521, got ${type ?? 'unknown'}`);
  }
  if (type === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) {
    throw new ConfigError(`${name}: an RSA key must have at least 2048 bits`);
  }
  const exported = key.export({ format: 'jwk' });
  const kid = thumbprint(exported);
  return { kid, algorithm, key, jwk: { ...exported, kid, alg: algorithm, use: 'sig' } };
}

/**
 * RFC 7638: SHA-256 of the key's required public members, in lexicographic order with no
 * whitespace. Every instance given the same key computes the same kid, with nothing to share.
 */
function thumbprint(jwk: JsonWebKey): string {
  const members =
    jwk.kty === 'RSA' ? { e: jwk.e, kty: jwk.kty, n: jwk.n } : { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y };
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

/**
 * JWT_PREVIOUS_KEYS (PEM keys, public or private, separated by blank lines) and
 * JWT_PREVIOUS_SECRETS (comma-separated): tokens they signed still verify until removed.
 */
function previousKeys(env: NodeJS.ProcessEnv): VerificationKey[] {
  const production = env.NODE_ENV === 'production';
  const pems = (readString(env, 'JWT_PREVIOUS_KEYS') ?? '')
    .replace(/\\n/g, '\n')
    .split(/\n\s*\n/)
    .map((block) => block.trim())
    .filter((block) => block !== '');
  const secrets = (readString(env, 'JWT_PREVIOUS_SECRETS') ?? '')
    .split(',')
    .map((secret) => secret.trim())
    .filter((secret) => secret !== '');
  return [
    ...pems.map((pem, index) => publicKeyEntry(publicKeyOf(pem, index), `JWT_PREVIOUS_KEYS (key ${index + 1})`)),
    ...secrets.map((secret, index) =>
      hmacKeys(checkedSecret(secret, `JWT_PREVIOUS_SECRETS (secret ${index + 1})`, production)),
    ),
  ].map(({ kid, algorithm, key, jwk }) => ({ kid, algorithm, key, ...(jwk ? { jwk } : {}) }));
}

function publicKeyOf(pem: string, index: number): KeyObject {
  try {
    return createPublicKey(pem);
  } catch {
    throw new ConfigError(`JWT_PREVIOUS_KEYS (key ${index + 1}) must be a PEM key, public or private`);
  }
}
