import { createHmac, generateKeyPairSync, KeyObject, randomBytes, randomUUID } from 'node:crypto';
import { sign } from 'jsonwebtoken';
import { AccountProvisioningService } from '../src/users/account-provisioning.service';
import { ADMIN_PASSWORD, startTestApp, TestApp, TestResponse } from './support/test-app';
import { claimsOf, forgeToken, headerOf, unsignedToken } from './support/tokens';

const REFUSED = { message: 'Invalid or expired access token.', status: 401, code: 'NotAuthorized' };

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const nowSeconds = () => Math.floor(Date.now() / 1000);
const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

function expectRefused(response: TestResponse): void {
  expect({ status: response.status, body: response.body }).toEqual({ status: 401, body: REFUSED });
}

/** An HS256 JWT signed by hand, so any bytes (a public key's PEM, say) can be the HMAC key. */
function hmacSigned(key: string | Buffer, claims: Record<string, unknown>): string {
  const input = `${base64url({ alg: 'HS256', typ: 'JWT' })}.${base64url(claims)}`;
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
}

/** A token's claims without its times, to sign again with a fresh lifetime. */
function claimsToResign(token: string): Record<string, unknown> {
  const claims = claimsOf(token);
  delete claims.iat;
  delete claims.exp;
  return claims;
}

/** The token with its payload replaced and its signature kept. */
function withPayload(token: string, claims: Record<string, unknown>): string {
  const [header, , signature] = token.split('.');
  return `${header}.${base64url(claims)}.${signature}`;
}

/** Flips one character in the middle of the signature (the last one may carry only padding bits). */
function withAlteredSignature(token: string): string {
  const [header, payload, signature] = token.split('.');
  const middle = Math.floor(signature.length / 2);
  const flipped = signature[middle] === 'A' ? 'B' : 'A';
  return `${header}.${payload}.${signature.slice(0, middle)}${flipped}${signature.slice(middle + 1)}`;
}

describe('GET /v1/me access guard, HS256 (e2e)', () => {
  const SECRET = randomBytes(32).toString('hex');
  let api: TestApp;
  let tokens: { access_token: string; id_token: string; refresh_token: string };
  let admin: { sub: string; sid: string };

  beforeAll(async () => {
    api = await startTestApp({ JWT_SECRET: SECRET, RATE_LIMIT_PER_MINUTE: '0' });
    tokens = (await api.post('/v1/login', { username: 'admin', password: ADMIN_PASSWORD })).body;
    const claims = claimsOf(tokens.access_token);
    admin = { sub: claims.sub, sid: claims.sid };
  });
  afterAll(() => api.close());

  const me = (headers: Record<string, string> = {}) => api.get('/v1/me', headers);

  /** Claims the guard accepts for the admin's live session: each refusal below changes one thing. */
  const validClaims = () => ({ token_use: 'access', sid: admin.sid, username: 'admin', roles: ['admin'] });
  const forge = (claims: Record<string, unknown>, options: Parameters<typeof forgeToken>[2] = {}) =>
    forgeToken(SECRET, claims, { subject: admin.sub, expiresIn: 3600, ...options });

  describe('positive controls (so that each refusal is about the one thing it changes)', () => {
    it('accepts the access token from login', async () => {
      const response = await me(bearer(tokens.access_token));

      expect(response.status).toBe(200);
      expect(response.body.username).toBe('admin');
    });

    it('accepts a token forged with the app secret and valid claims', async () => {
      const response = await me(bearer(forge(validClaims())));

      expect(response.status).toBe(200);
      expect(response.body.username).toBe('admin');
    });

    it('accepts the scheme name in any case (RFC 7235)', async () => {
      expect((await me({ authorization: `bearer ${tokens.access_token}` })).status).toBe(200);
    });
  });

  describe('refuses requests without a usable bearer token', () => {
    it.each([
      ['no Authorization header', {}],
      ['an empty Authorization header', { authorization: '' }],
      ['"Bearer" with no token', { authorization: 'Bearer' }],
      ['"Bearer " and blanks', { authorization: 'Bearer    ' }],
      ['Basic credentials', { authorization: `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}` }],
      ['a valid token under the Basic scheme', { authorization: 'Basic TOKEN' }],
      ['a valid token under the Token scheme', { authorization: 'Token TOKEN' }],
      ['a valid token with no scheme', { authorization: 'TOKEN' }],
      ['a valid token in another header', { 'x-access-token': 'TOKEN' }],
      ['garbage', { authorization: 'Bearer garbage' }],
      ['three dots', { authorization: 'Bearer ...' }],
      ['base64 junk in three parts', { authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.AAAA' }],
    ])('%s', async (_name, headers: Record<string, string>) => {
      const filled = Object.fromEntries(
        Object.entries(headers).map(([name, value]) => [name, value.replace('TOKEN', tokens.access_token)]),
      );

      expectRefused(await me(filled));
    });

    it('a valid token in the query string', async () => {
      expectRefused(await api.get(`/v1/me?access_token=${tokens.access_token}`));
    });
  });

  describe('refuses tokens of the wrong kind', () => {
    it('the id token', async () => {
      expect(claimsOf(tokens.id_token).token_use).toBe('id');
      expectRefused(await me(bearer(tokens.id_token)));
    });

    it('the refresh token', async () => {
      expectRefused(await me(bearer(tokens.refresh_token)));
    });

    it.each([
      ['id', { token_use: 'id' }],
      ['refresh', { token_use: 'refresh' }],
      ['ACCESS (case matters)', { token_use: 'ACCESS' }],
      ['missing', { token_use: undefined }],
    ])('a validly signed token whose token_use is %s', async (_name, change) => {
      expectRefused(await me(bearer(forge({ ...validClaims(), ...change }))));
    });
  });

  describe('refuses tokens that were altered or not signed by the app', () => {
    it('a tampered payload (signature kept)', async () => {
      const claims = claimsOf(tokens.access_token);
      for (const change of [{ roles: ['admin', 'superuser'] }, { exp: claims.exp + 3600 }, { username: 'root' }]) {
        expectRefused(await me(bearer(withPayload(tokens.access_token, { ...claims, ...change }))));
      }
    });

    it('a tampered signature', async () => {
      expectRefused(await me(bearer(withAlteredSignature(tokens.access_token))));
    });

    it('a token with its signature removed', async () => {
      const [header, payload] = tokens.access_token.split('.');
      expectRefused(await me(bearer(`${header}.${payload}.`)));
    });

    it('an alg:none token with valid claims', async () => {
      const claims = claimsOf(tokens.access_token);
      expectRefused(await me(bearer(unsignedToken(claims))));
      expectRefused(await me(bearer(`${unsignedToken(claims)}${tokens.access_token.split('.')[2]}`)));
    });

    it('a token signed with another secret', async () => {
      const otherSecret = randomBytes(32).toString('hex');
      const token = forgeToken(otherSecret, validClaims(), { subject: admin.sub, expiresIn: 3600 });

      expectRefused(await me(bearer(token)));
    });

    it('a token signed with the app secret but another HMAC algorithm (HS512)', async () => {
      expectRefused(await me(bearer(forge(validClaims(), { algorithm: 'HS512' }))));
    });
  });

  describe('refuses validly signed tokens with bad claims', () => {
    it('wrong iss', async () => {
      expectRefused(await me(bearer(forge(validClaims(), { issuer: 'another-service' }))));
    });

    it('no iss', async () => {
      const token = sign({ ...validClaims(), aud: 'auth-service', sub: admin.sub }, SECRET, { expiresIn: 3600 });
      expectRefused(await me(bearer(token)));
    });

    it('wrong aud', async () => {
      expectRefused(await me(bearer(forge(validClaims(), { audience: 'another-service' }))));
    });

    it('no aud', async () => {
      const token = sign({ ...validClaims(), iss: 'auth-service', sub: admin.sub }, SECRET, { expiresIn: 3600 });
      expectRefused(await me(bearer(token)));
    });

    it('expired an hour ago', async () => {
      const iat = nowSeconds() - 90_000;
      const token = forgeToken(SECRET, { ...validClaims(), iat, exp: iat + 86_400 }, { subject: admin.sub });

      expectRefused(await me(bearer(token)));
    });

    it('expired a minute ago', async () => {
      const exp = nowSeconds() - 60;
      const token = forgeToken(SECRET, { ...validClaims(), exp }, { subject: admin.sub });

      expectRefused(await me(bearer(token)));
    });

    it('not valid before an hour from now', async () => {
      expectRefused(await me(bearer(forge(validClaims(), { notBefore: 3600 }))));
    });

    it('no exp (it would never expire)', async () => {
      expectRefused(await me(bearer(forgeToken(SECRET, validClaims(), { subject: admin.sub }))));
    });

    it('issued a minute from now', async () => {
      const iat = nowSeconds() + 60;
      const token = forgeToken(SECRET, { ...validClaims(), iat, exp: iat + 3600 }, { subject: admin.sub });

      expectRefused(await me(bearer(token)));
    });

    it.each([
      ['typ "JWT"', { alg: 'HS256', typ: 'JWT' }],
      ['no typ', { alg: 'HS256', typ: undefined }],
    ])('%s instead of the access-token type "at+jwt" (RFC 9068)', async (_name, header) => {
      expectRefused(await me(bearer(forge(validClaims(), { header }))));
    });

    it('no sid', async () => {
      expectRefused(await me(bearer(forge({ ...validClaims(), sid: undefined }))));
    });

    it('a sid that names no session', async () => {
      expectRefused(await me(bearer(forge({ ...validClaims(), sid: randomUUID() }))));
    });

    it('a sid that is not even a UUID', async () => {
      expectRefused(await me(bearer(forge({ ...validClaims(), sid: "x' OR '1'='1" }))));
    });

    it('a sid that is a number', async () => {
      expectRefused(await me(bearer(forge({ ...validClaims(), sid: 1 }))));
    });

    it('a sub that names no user, with a live session id', async () => {
      expectRefused(await me(bearer(forge(validClaims(), { subject: randomUUID() }))));
    });

    it("a live session's id with another user's sub", async () => {
      const provisioning = api.app.get(AccountProvisioningService);
      await provisioning.createUser({
        username: 'second-user',
        email: 'second@example.com',
        password: 'Another-Good-Passphrase-9',
        admin: false,
      });
      const login = await api.post('/v1/login', { username: 'second-user', password: 'Another-Good-Passphrase-9' });
      const second = claimsOf(login.body.access_token);
      expect((await me(bearer(login.body.access_token))).body.username).toBe('second-user');

      // The admin's session, claimed for the second user, and the reverse.
      expectRefused(await me(bearer(forge(validClaims(), { subject: second.sub }))));
      expectRefused(await me(bearer(forge({ ...validClaims(), sid: second.sid }))));
    });
  });

  it('refuses the access token of a revoked session, and every refusal looks alike', async () => {
    const { body: session } = await api.post('/v1/login', { username: 'admin', password: ADMIN_PASSWORD });
    expect((await me(bearer(session.access_token))).status).toBe(200);

    await api.post('/v1/token-revoke', { refresh_token: session.refresh_token });

    expectRefused(await me(bearer(session.access_token)));
    expect((await me(bearer(tokens.access_token))).status).toBe(200);
  });
});

describe('GET /v1/me access guard, asymmetric keys (e2e)', () => {
  const login = (api: TestApp) => api.post('/v1/login', { username: 'admin', password: ADMIN_PASSWORD });
  const me = (api: TestApp, token: string) => api.get('/v1/me', bearer(token));

  describe('RS256 (RSA 2048)', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const SECRET = randomBytes(32).toString('hex');
    let api: TestApp;
    let tokens: { access_token: string; id_token: string };

    beforeAll(async () => {
      const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      api = await startTestApp({ JWT_PRIVATE_KEY: pem, JWT_SECRET: SECRET, RATE_LIMIT_PER_MINUTE: '0' });
      tokens = (await login(api)).body;
    });
    afterAll(() => api.close());

    it('logs in and signs both tokens with RS256', async () => {
      expect(headerOf(tokens.access_token).alg).toBe('RS256');
      expect(headerOf(tokens.id_token).alg).toBe('RS256');
      const response = await me(api, tokens.access_token);

      expect(response.status).toBe(200);
      expect(response.body.username).toBe('admin');
    });

    it('accepts an RS256 token signed with the private key (control for the refusals below)', async () => {
      const claims = claimsToResign(tokens.access_token);
      const token = sign(claims, privateKey, {
        algorithm: 'RS256',
        expiresIn: 3600,
        header: { alg: 'RS256', typ: 'at+jwt' },
      });

      expect((await me(api, token)).status).toBe(200);
    });

    it.each([
      ['SPKI', (key: KeyObject) => key.export({ type: 'spki', format: 'pem' }).toString()],
      ['PKCS#1', (key: KeyObject) => key.export({ type: 'pkcs1', format: 'pem' }).toString()],
      ['DER', (key: KeyObject) => key.export({ type: 'spki', format: 'der' })],
    ])('refuses HS256 signed with the public key (%s) as the HMAC secret', async (_name, encode) => {
      const token = hmacSigned(encode(publicKey), claimsOf(tokens.access_token));

      expectRefused(await me(api, token));
    });

    it('refuses an HS256 token signed with the JWT_SECRET it was also given', async () => {
      // JWT_PRIVATE_KEY wins outright; the secret must not become a second accepted key.
      expectRefused(await me(api, hmacSigned(SECRET, claimsOf(tokens.access_token))));
    });

    it('refuses an RS256 token signed with another RSA key', async () => {
      const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
      const claims = claimsToResign(tokens.access_token);

      expectRefused(await me(api, sign(claims, other, { algorithm: 'RS256', expiresIn: 3600 })));
    });

    it('refuses an alg:none token with valid claims', async () => {
      expectRefused(await me(api, unsignedToken(claimsOf(tokens.access_token))));
    });
  });

  describe('ES256 (EC P-256)', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    let api: TestApp;
    let tokens: { access_token: string; id_token: string; refresh_token: string };

    beforeAll(async () => {
      const pem = privateKey.export({ type: 'sec1', format: 'pem' }).toString();
      api = await startTestApp({ JWT_PRIVATE_KEY: pem, RATE_LIMIT_PER_MINUTE: '0' });
      tokens = (await login(api)).body;
    });
    afterAll(() => api.close());

    it('logs in, signs with ES256, and the token opens /v1/me', async () => {
      expect(headerOf(tokens.access_token).alg).toBe('ES256');
      expect(headerOf(tokens.id_token).alg).toBe('ES256');
      const response = await me(api, tokens.access_token);

      expect(response.status).toBe(200);
      expect(response.body.username).toBe('admin');
    });

    it('refreshed tokens are ES256 too and still accepted', async () => {
      const refreshed = await api.post('/v1/token-refresh', { username: 'admin', refresh_token: tokens.refresh_token });

      expect(headerOf(refreshed.body.access_token).alg).toBe('ES256');
      expect((await me(api, refreshed.body.access_token)).status).toBe(200);
    });

    it('refuses HS256 signed with the public key as the HMAC secret', async () => {
      const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();

      expectRefused(await me(api, hmacSigned(pem, claimsOf(tokens.access_token))));
    });

    it('refuses an ES256 token signed with another P-256 key', async () => {
      const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
      const claims = claimsToResign(tokens.access_token);

      expectRefused(await me(api, sign(claims, other, { algorithm: 'ES256', expiresIn: 3600 })));
    });
  });
});
