import { createPublicKey, generateKeyPairSync, KeyObject, KeyExportOptions } from 'node:crypto';
import { ConfigError } from '../config/env';
import { loadJwtKeys } from './jwt-keys';

const GOOD_SECRET = 'q4Zr8vN1xK7mT2wB9pL5sD3fH6jC0yGa8uE1iO4nR7tV2bX5';

/** Every failure must be a ConfigError: main.ts prints those as one line, without a stack. */
function configErrorOf(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadJwtKeys(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected the keys to be refused');
}

const pemOf = (key: KeyObject, type: 'pkcs8' | 'pkcs1' | 'sec1' = 'pkcs8') =>
  key.export({ type, format: 'pem' } as KeyExportOptions<'pem'>).toString();

describe(loadJwtKeys.name, () => {
  describe('HS256 from JWT_SECRET', () => {
    it('uses the secret bytes as an HMAC key for both signing and verifying', () => {
      const sut = loadJwtKeys({ NODE_ENV: 'development', JWT_SECRET: GOOD_SECRET });

      expect(sut.algorithm).toBe('HS256');
      expect(sut.ephemeral).toBe(false);
      expect(sut.signingKey.type).toBe('secret');
      expect(sut.signingKey.export().toString('utf8')).toBe(GOOD_SECRET);
      expect(sut.verificationKey).toBe(sut.signingKey);
    });

    it.each([undefined, 'development', 'test'])('refuses a short secret with NODE_ENV %p too', (nodeEnv) => {
      const error = configErrorOf({ NODE_ENV: nodeEnv, JWT_SECRET: GOOD_SECRET.slice(0, 31) });

      expect(error.message).toMatch(/^JWT_SECRET must be at least 32/);
    });

    it('accepts a placeholder-looking secret of full length outside production', () => {
      expect(loadJwtKeys({ NODE_ENV: 'test', JWT_SECRET: 'x'.repeat(32) }).algorithm).toBe('HS256');
    });

    it.each([undefined, 'development', 'test'])(
      'makes a random 256-bit key per process when no secret is set (NODE_ENV %p)',
      (nodeEnv) => {
        const first = loadJwtKeys({ NODE_ENV: nodeEnv });
        const second = loadJwtKeys({ NODE_ENV: nodeEnv, JWT_SECRET: '  ' });

        expect(first).toMatchObject({ algorithm: 'HS256', ephemeral: true });
        expect(second).toMatchObject({ algorithm: 'HS256', ephemeral: true });
        expect(first.signingKey.symmetricKeySize).toBe(32);
        expect(first.signingKey.export().equals(second.signingKey.export())).toBe(false);
      },
    );
  });

  describe('in production', () => {
    const production = (env: NodeJS.ProcessEnv) => ({ NODE_ENV: 'production', ...env });

    it('accepts a long random secret', () => {
      expect(loadJwtKeys(production({ JWT_SECRET: GOOD_SECRET }))).toMatchObject({
        algorithm: 'HS256',
        ephemeral: false,
      });
    });

    it.each([
      ['missing', {}],
      ['empty', { JWT_SECRET: '' }],
    ])('refuses a %s secret, naming JWT_SECRET', (_name, env) => {
      expect(configErrorOf(production(env)).message).toMatch(/JWT_SECRET/);
    });

    it.each([
      ['short (31 characters)', GOOD_SECRET.slice(0, 31)],
      ['a "change-me" placeholder', 'change-me-change-me-change-me-change-me'],
      ['a "changeme" placeholder', 'CHANGEME-please-0123456789-0123456789'],
      ['a "secret" placeholder', 'my-super-secret-jwt-key-for-production-use'],
      ['an "example" placeholder', 'example-jwt-key-0123456789-0123456789-0123'],
      ['a "placeholder"', 'placeholder-0123456789-0123456789-01234567'],
      ['one character repeated', 'x'.repeat(64)],
    ])('refuses %s, naming JWT_SECRET', (_name, secret) => {
      const error = configErrorOf(production({ JWT_SECRET: secret }));

      expect(error.message).toMatch(/^JWT_SECRET /);
      expect(error.message).not.toContain(secret);
    });

    it('is satisfied by JWT_PRIVATE_KEY alone', () => {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

      expect(loadJwtKeys(production({ JWT_PRIVATE_KEY: pemOf(privateKey) })).algorithm).toBe('ES256');
    });
  });

  describe('asymmetric keys from JWT_PRIVATE_KEY', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });

    it.each(['pkcs8', 'pkcs1'] as const)('selects RS256 for an RSA 2048 key (%s PEM)', (type) => {
      const sut = loadJwtKeys({ JWT_PRIVATE_KEY: pemOf(rsa.privateKey, type) });

      expect(sut.algorithm).toBe('RS256');
      expect(sut.ephemeral).toBe(false);
      expect(sut.signingKey.type).toBe('private');
      expect(sut.verificationKey.type).toBe('public');
      expect(sut.verificationKey.export({ type: 'spki', format: 'der' })).toEqual(
        rsa.publicKey.export({ type: 'spki', format: 'der' }),
      );
    });

    it('takes precedence over JWT_SECRET', () => {
      expect(loadJwtKeys({ JWT_PRIVATE_KEY: pemOf(rsa.privateKey), JWT_SECRET: GOOD_SECRET }).algorithm).toBe('RS256');
    });

    it.each([
      ['P-256', 'ES256'],
      ['P-384', 'ES384'],
      ['P-521', 'ES512'],
    ])('selects the matching ECDSA algorithm for an EC %s key', (namedCurve, algorithm) => {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve });

      for (const type of ['pkcs8', 'sec1'] as const) {
        const sut = loadJwtKeys({ JWT_PRIVATE_KEY: pemOf(privateKey, type) });

        expect(sut.algorithm).toBe(algorithm);
        expect(sut.verificationKey.export({ type: 'spki', format: 'der' })).toEqual(
          publicKey.export({ type: 'spki', format: 'der' }),
        );
      }
    });

    it('reads a PEM whose newlines are written as \\n (one-line .env files)', () => {
      const oneLine = pemOf(rsa.privateKey).trim().replace(/\n/g, '\\n');
      expect(oneLine).not.toContain('\n');

      expect(loadJwtKeys({ JWT_PRIVATE_KEY: oneLine }).algorithm).toBe('RS256');
    });

    it('refuses an RSA key under 2048 bits', () => {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });

      expect(configErrorOf({ JWT_PRIVATE_KEY: pemOf(privateKey) }).message).toMatch(/^JWT_PRIVATE_KEY.*2048/);
    });

    it.each([
      ['Ed25519', () => generateKeyPairSync('ed25519').privateKey],
      ['EC secp256k1', () => generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey],
    ])('refuses an %s key, which it cannot sign with', (_name, makeKey) => {
      expect(configErrorOf({ JWT_PRIVATE_KEY: pemOf(makeKey()) }).message).toMatch(/^JWT_PRIVATE_KEY /);
    });

    it.each([
      ['text', 'not a key'],
      ['the HMAC secret', GOOD_SECRET],
      ['a truncated PEM', pemOf(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey).slice(0, 80)],
      [
        'a public key',
        generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      ],
    ])('refuses %s, naming JWT_PRIVATE_KEY without echoing it', (_name, value) => {
      const error = configErrorOf({ JWT_PRIVATE_KEY: value });

      expect(error.message).toMatch(/^JWT_PRIVATE_KEY must be a PEM private key/);
      expect(error.message).not.toContain(value.trim().slice(0, 40));
    });
  });

  describe('previous keys (rotation)', () => {
    const ec = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const publicPem = (key: KeyObject) => key.export({ type: 'spki', format: 'pem' }).toString();
    const OLD_SECRET = 'm3Kp9wQ2xZ7vB4nL8tR1yH6jF5cD0gSa2uE9iO7nT4rV1bX8';

    it('accepts public or private PEMs separated by blank lines, and earlier secrets, each under its own kid', () => {
      const current = ec();
      const older = ec();
      const sut = loadJwtKeys({
        JWT_PRIVATE_KEY: pemOf(current.privateKey),
        JWT_PREVIOUS_KEYS: `${publicPem(older.publicKey)}\n${pemOf(ec().privateKey)}`,
        JWT_PREVIOUS_SECRETS: ` ${OLD_SECRET} ,`,
      });

      expect(sut.accepted.size).toBe(4);
      expect(sut.accepted.get(sut.kid)).toMatchObject({
        algorithm: 'ES256',
        jwk: { kty: 'EC', use: 'sig', alg: 'ES256' },
      });
      const algorithms = [...sut.accepted.values()].map((key) => key.algorithm).sort();
      expect(algorithms).toEqual(['ES256', 'ES256', 'ES256', 'HS256']);
      for (const key of sut.accepted.values()) {
        expect(key.jwk?.d).toBeUndefined(); // never a private member
        if (key.algorithm === 'HS256') expect(key.jwk).toBeUndefined();
      }
    });

    it('lists a key given both as current and previous once', () => {
      const key = ec();
      const sut = loadJwtKeys({ JWT_PRIVATE_KEY: pemOf(key.privateKey), JWT_PREVIOUS_KEYS: publicPem(key.publicKey) });
      expect([...sut.accepted.keys()]).toEqual([sut.kid]);
    });

    it('computes the RFC 7638 thumbprint as the kid of an asymmetric key', () => {
      // RFC 7638 section 3.1's example key and thumbprint.
      const jwk = {
        kty: 'RSA',
        e: 'AQAB',
        n:
          '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMs' +
          'tn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91Cb' +
          'OpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
      };
      const sut = loadJwtKeys({
        JWT_SECRET: GOOD_SECRET,
        JWT_PREVIOUS_KEYS: createPublicKey({ key: jwk, format: 'jwk' })
          .export({ type: 'spki', format: 'pem' })
          .toString(),
      });
      expect(sut.accepted.has('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs')).toBe(true);
    });

    it.each([
      [
        'JWT_PREVIOUS_SECRETS',
        { JWT_SECRET: GOOD_SECRET, JWT_PREVIOUS_SECRETS: `${OLD_SECRET},too-short` },
        /^JWT_PREVIOUS_SECRETS \(secret 2\) must be at least 32/,
      ],
      [
        'JWT_PREVIOUS_KEYS',
        { JWT_SECRET: GOOD_SECRET, JWT_PREVIOUS_KEYS: 'not a key' },
        /^JWT_PREVIOUS_KEYS \(key 1\) must be a PEM key/,
      ],
    ])('refuses a bad %s, naming it without echoing it', (_name, env, message) => {
      const error = configErrorOf(env);
      expect(error.message).toMatch(message);
      expect(error.message).not.toContain('too-short');
      expect(error.message).not.toContain('not a key');
    });
  });
});
