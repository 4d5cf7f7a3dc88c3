import { createHmac, generateKeyPairSync, randomBytes } from 'node:crypto';
import { decode, JwtPayload, sign, verify } from 'jsonwebtoken';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-code';
import { Role, UserEntity, UserStatus } from '../users/entities/user.entity';
import { AccessTokensService } from './access-tokens.service';
import { readTokensConfig } from './tokens.config';

const SECRET = randomBytes(32).toString('hex');
const SESSION_ID = '6c1f7a52-3e0b-4f5e-9d43-1b2a8c7e5f90';
const NOW = new Date('2026-03-01T12:00:00.000Z');
const nowSeconds = NOW.getTime() / 1000;

const USER: Readonly<UserEntity> = Object.freeze({
  id: '0b5a3c1e-8f4d-4c2a-9a51-3f0e6d7b2c18',
  username: 'alice',
  email: 'alice@example.com',
  passwordHash: '$2b$04$abcdefghijklmnopqrstuuS3cretHashThatMustNeverLeave0123',
  status: UserStatus.Active,
  roles: [Role.User, Role.Admin],
  mfaEnabled: false,
  temporaryPasswordExpiresAt: null,
  createdAt: new Date('2026-01-01T00:00:00.000Z'),
  updatedAt: new Date('2026-01-01T00:00:00.000Z'),
});

function serviceWith(env: NodeJS.ProcessEnv = {}): AccessTokensService {
  return new AccessTokensService(readTokensConfig({ JWT_SECRET: SECRET, ...env }));
}

function expectRefused(verify: () => unknown): void {
  let thrown: unknown;
  try {
    verify();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ApiException);
  expect(thrown).toMatchObject({ code: ErrorCode.NotAuthorized });
  expect((thrown as ApiException).getStatus()).toBe(401);
}

const headerOf = (token: string) => decode(token, { complete: true })!.header;

describe(AccessTokensService.name, () => {
  let sut: AccessTokensService;

  beforeEach(() => {
    jest.useFakeTimers({ now: NOW });
    sut = serviceWith({ ACCESS_TOKEN_TTL: '15m' });
  });
  afterEach(() => jest.useRealTimers());

  describe('issue', () => {
    it('makes an HS256 access token with the documented claims and the configured lifetime', () => {
      const { access_token, expires_in } = sut.issue(USER, SESSION_ID);
      const claims = verify(access_token, SECRET, { algorithms: ['HS256'] }) as JwtPayload;

      expect(expires_in).toBe(900);
      expect(headerOf(access_token)).toEqual({ alg: 'HS256', typ: 'at+jwt', kid: expect.any(String) });
      expect(claims).toEqual({
        token_use: 'access',
        sub: USER.id,
        sid: SESSION_ID,
        username: 'alice',
        roles: ['user', 'admin'],
        iss: 'auth-service',
        aud: 'auth-service',
        iat: nowSeconds,
        exp: nowSeconds + 900,
      });
    });

    it('makes an id token with the profile claims and the same lifetime', () => {
      const { id_token } = sut.issue(USER, SESSION_ID);
      const claims = verify(id_token, SECRET, { algorithms: ['HS256'] }) as JwtPayload;

      expect(headerOf(id_token)).toEqual({
        alg: 'HS256',
        typ: 'JWT',
        kid: headerOf(sut.issue(USER, SESSION_ID).access_token).kid,
      });
      expect(claims).toMatchObject({
        token_use: 'id',
        sub: USER.id,
        username: 'alice',
        email: 'alice@example.com',
        iss: 'auth-service',
        aud: 'auth-service',
        iat: nowSeconds,
        exp: nowSeconds + 900,
      });
    });

    it('defaults to the 24 h lifetime of the API document', () => {
      const { access_token, id_token, expires_in } = serviceWith().issue(USER, SESSION_ID);

      expect(expires_in).toBe(86_400);
      for (const token of [access_token, id_token]) {
        const { iat, exp } = decode(token, { json: true })!;
        expect(exp! - iat!).toBe(86_400);
      }
    });

    it('uses the configured issuer and audience', () => {
      const { access_token } = serviceWith({ JWT_ISSUER: 'https://id.example.com', JWT_AUDIENCE: 'api' }).issue(
        USER,
        SESSION_ID,
      );

      expect(decode(access_token, { json: true })).toMatchObject({ iss: 'https://id.example.com', aud: 'api' });
    });

    it('never puts the password hash in a token', () => {
      const { access_token, id_token } = sut.issue(USER, SESSION_ID);

      for (const token of [access_token, id_token]) {
        expect(JSON.stringify(decode(token))).not.toContain(USER.passwordHash!);
        expect(JSON.stringify(decode(token))).not.toMatch(/hash/i);
      }
    });

    it('signs with RS256 and the private key when given an RSA key', () => {
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const rsa = serviceWith({ JWT_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() });
      const { access_token, id_token } = rsa.issue(USER, SESSION_ID);

      for (const token of [access_token, id_token]) {
        expect(headerOf(token).alg).toBe('RS256');
        expect(() => verify(token, publicKey, { algorithms: ['RS256'] })).not.toThrow();
      }
    });
  });

  describe('verifyAccessToken', () => {
    it('accepts an access token it issued and returns its claims', () => {
      const { access_token } = sut.issue(USER, SESSION_ID);

      expect(sut.verifyAccessToken(access_token)).toMatchObject({
        token_use: 'access',
        sub: USER.id,
        sid: SESSION_ID,
        username: 'alice',
      });
    });

    it('accepts a token issued by another instance with the same key (tokens survive a restart)', () => {
      const { access_token } = serviceWith({ ACCESS_TOKEN_TTL: '15m' }).issue(USER, SESSION_ID);

      expect(sut.verifyAccessToken(access_token).sub).toBe(USER.id);
    });

    it('rejects the id token', () => {
      expectRefused(() => sut.verifyAccessToken(sut.issue(USER, SESSION_ID).id_token));
    });

    it('accepts a token until it expires, and rejects it once expired', () => {
      const { access_token } = sut.issue(USER, SESSION_ID);

      jest.setSystemTime(NOW.getTime() + 899_000);
      expect(sut.verifyAccessToken(access_token).sub).toBe(USER.id);

      jest.setSystemTime(NOW.getTime() + 960_000);
      expectRefused(() => sut.verifyAccessToken(access_token));

      jest.setSystemTime(NOW.getTime() + 90 * 86_400_000);
      expectRefused(() => sut.verifyAccessToken(access_token));
    });

    it('remembers a verified token by its whole text: a copy differing in one character is checked afresh', () => {
      const { access_token } = sut.issue(USER, SESSION_ID);
      const first = sut.verifyAccessToken(access_token);
      expect(sut.verifyAccessToken(access_token)).toBe(first);
      expect(Object.isFrozen(first)).toBe(true);

      const last = access_token.at(-2) === 'A' ? 'B' : 'A';
      const tampered = `${access_token.slice(0, -2)}${last}${access_token.at(-1)}`;
      expectRefused(() => sut.verifyAccessToken(tampered));
    });

    it('rejects a token from another issuer signed with the same key', () => {
      const { access_token } = serviceWith({ ACCESS_TOKEN_TTL: '15m', JWT_ISSUER: 'other-service' }).issue(
        USER,
        SESSION_ID,
      );

      expectRefused(() => sut.verifyAccessToken(access_token));
    });

    it('rejects a token for another audience signed with the same key', () => {
      const { access_token } = serviceWith({ ACCESS_TOKEN_TTL: '15m', JWT_AUDIENCE: 'other-api' }).issue(
        USER,
        SESSION_ID,
      );

      expectRefused(() => sut.verifyAccessToken(access_token));
    });

    it('rejects a token signed with another secret', () => {
      const other = new AccessTokensService(readTokensConfig({ JWT_SECRET: randomBytes(32).toString('hex') }));

      expectRefused(() => sut.verifyAccessToken(other.issue(USER, SESSION_ID).access_token));
    });

    /** A token signed with our key and our claims, but shaped as the case says. */
    const signed = (claims: Record<string, unknown>, header: Record<string, unknown> = { typ: 'at+jwt' }) =>
      sign({ token_use: 'access', sub: USER.id, sid: SESSION_ID, username: 'alice', roles: [], ...claims }, SECRET, {
        algorithm: 'HS256',
        issuer: 'auth-service',
        audience: 'auth-service',
        header: { alg: 'HS256', ...header },
      });

    it('accepts a well-formed token signed with our key, with either spelling of its type', () => {
      const exp = nowSeconds + 600;

      expect(sut.verifyAccessToken(signed({ exp })).sub).toBe(USER.id);
      expect(sut.verifyAccessToken(signed({ exp }, { typ: 'application/at+jwt' })).sub).toBe(USER.id);
    });

    it.each([
      ['without a typ header', {}],
      ['with typ "JWT" (an id token, or another service’s JWT)', { typ: 'JWT' }],
    ])('rejects a token %s', (_name, header) => {
      expectRefused(() => sut.verifyAccessToken(signed({ exp: nowSeconds + 600 }, header)));
    });

    it('rejects a token without exp, which would never expire', () => {
      expectRefused(() => sut.verifyAccessToken(signed({})));
    });

    it.each([
      ['iat', { iat: nowSeconds + 60, exp: nowSeconds + 600 }],
      ['nbf', { nbf: nowSeconds + 60, exp: nowSeconds + 600 }],
    ])('rejects a token whose %s lies in the future, beyond the clock tolerance', (_name, claims) => {
      expectRefused(() => sut.verifyAccessToken(signed(claims)));
    });

    it('tolerates an iat a few seconds ahead (clock skew)', () => {
      expect(sut.verifyAccessToken(signed({ iat: nowSeconds + 3, exp: nowSeconds + 600 })).sub).toBe(USER.id);
    });

    it.each([
      ['without sid', { sid: undefined }],
      ['without sub', { sub: undefined }],
      ['with a numeric sid', { sid: 42 }],
      ['with token_use "refresh"', { token_use: 'refresh' }],
    ])('rejects a validly signed token %s', (_name, change) => {
      expectRefused(() => sut.verifyAccessToken(signed({ exp: nowSeconds + 600, ...change })));
    });

    it('rejects an unsigned (alg: none) copy of a valid token', () => {
      const [, payload] = sut.issue(USER, SESSION_ID).access_token.split('.');
      const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');

      expectRefused(() => sut.verifyAccessToken(`${header}.${payload}.`));
    });

    it.each(['', 'garbage', 'a.b.c', '...'])('rejects %p', (token) => {
      expectRefused(() => sut.verifyAccessToken(token));
    });

    it('with an RSA key, rejects an HS256 token whose HMAC key is the public key PEM', () => {
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const rsa = serviceWith({ JWT_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() });
      const [, payload] = rsa.issue(USER, SESSION_ID).access_token.split('.');
      const input = `${Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url')}.${payload}`;
      const hmacKey = publicKey.export({ type: 'spki', format: 'pem' });
      const forged = `${input}.${createHmac('sha256', hmacKey).update(input).digest('base64url')}`;

      expect(rsa.verifyAccessToken(rsa.issue(USER, SESSION_ID).access_token).sub).toBe(USER.id);
      expectRefused(() => rsa.verifyAccessToken(forged));
    });
  });

  it('pins exactly one algorithm for verification', () => {
    expect(sut.verifyOptions.algorithms).toEqual(['HS256']);
  });

  describe('rotation: the key a token names by kid', () => {
    const OLD_SECRET = randomBytes(32).toString('hex');
    const ecPem = () =>
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const kidOf = (token: string) => headerOf(token).kid as string;

    it('keeps accepting tokens signed with a previous secret or key, and signs new ones with the current', () => {
      const oldPem = ecPem();
      const beforeSecret = serviceWith({ JWT_SECRET: OLD_SECRET }).issue(USER, SESSION_ID).access_token;
      const beforeKey = serviceWith({ JWT_PRIVATE_KEY: oldPem }).issue(USER, SESSION_ID).access_token;
      const rotated = serviceWith({ JWT_PREVIOUS_SECRETS: OLD_SECRET, JWT_PREVIOUS_KEYS: oldPem });

      expect(rotated.verifyAccessToken(beforeSecret).sub).toBe(USER.id);
      expect(rotated.verifyAccessToken(beforeKey).sub).toBe(USER.id);
      const fresh = rotated.issue(USER, SESSION_ID).access_token;
      expect(kidOf(fresh)).not.toBe(kidOf(beforeSecret));
      expect(verify(fresh, SECRET, { algorithms: ['HS256'] })).toMatchObject({ sub: USER.id });
      expect(rotated.verifyOptions.algorithms.sort()).toEqual(['ES256', 'HS256']);

      // Removed from both: no longer accepted.
      expectRefused(() => serviceWith().verifyAccessToken(beforeSecret));
      expectRefused(() => serviceWith().verifyAccessToken(beforeKey));
    });

    it('names a key the same way on every instance, and tells nothing of an HMAC secret', () => {
      const pem = ecPem();
      const kid = kidOf(serviceWith().issue(USER, SESSION_ID).access_token);
      expect(kidOf(serviceWith().issue(USER, SESSION_ID).access_token)).toBe(kid);
      expect(kidOf(serviceWith({ JWT_PRIVATE_KEY: pem }).issue(USER, SESSION_ID).access_token)).toBe(
        kidOf(serviceWith({ JWT_PRIVATE_KEY: pem }).issue(USER, SESSION_ID).access_token),
      );
      expect(kid).not.toContain(SECRET.slice(0, 8));
    });

    /** Our claims, signed with our current secret, under the header given. */
    const withHeader = (header: Record<string, unknown>) =>
      sign(
        { token_use: 'access', sub: USER.id, sid: SESSION_ID, username: 'alice', roles: [], exp: nowSeconds + 600 },
        SECRET,
        {
          algorithm: 'HS256',
          issuer: 'auth-service',
          audience: 'auth-service',
          header: { alg: 'HS256', typ: 'at+jwt', ...header },
        },
      );

    it('accepts a token without kid against the current key (issued before kids were)', () => {
      expect(sut.verifyAccessToken(withHeader({})).sub).toBe(USER.id);
    });

    it.each([
      ['an unknown kid', { kid: 'no-such-key' }],
      ['a numeric kid', { kid: 7 }],
      ['a jwk header (its own key)', { jwk: { kty: 'oct', k: 'x' } }],
      ['a jku header', { jku: 'https://attacker.example/jwks.json' }],
      ['an x5u header', { x5u: 'https://attacker.example/cert.pem' }],
      ['an x5c header', { x5c: ['MIIB'] }],
    ])('refuses a token with %s, even signed with our key', (_name, header) => {
      expectRefused(() => sut.verifyAccessToken(withHeader(header)));
      expect(sut.keyFor(withHeader(header))).toBeUndefined();
    });

    it("refuses a token whose alg is not its key's own, as the kid names it", () => {
      const pem = ecPem();
      const ec = serviceWith({ JWT_PRIVATE_KEY: pem, JWT_PREVIOUS_SECRETS: OLD_SECRET });
      const ecKid = kidOf(ec.issue(USER, SESSION_ID).access_token);
      // The EC key's kid with HS256, signed with a secret we do accept: still refused.
      const mixed = sign({ token_use: 'access', sub: USER.id, sid: SESSION_ID, exp: nowSeconds + 600 }, OLD_SECRET, {
        algorithm: 'HS256',
        issuer: 'auth-service',
        audience: 'auth-service',
        header: { alg: 'HS256', typ: 'at+jwt', kid: ecKid },
      });
      expectRefused(() => ec.verifyAccessToken(mixed));
    });
  });
});
