import { randomBytes } from 'node:crypto';
import { sign } from 'jsonwebtoken';
import { DataSource } from 'typeorm';
import { ADMIN_PASSWORD, startTestApp, TestApp } from './support/test-app';
import { claimsOf } from './support/tokens';

const CLIENT_SECRET = randomBytes(24).toString('base64url'); // 32 characters
const OTHER_SECRET = randomBytes(24).toString('base64url');
const basic = (name: string, secret: string) => ({
  authorization: `Basic ${Buffer.from(`${name}:${secret}`).toString('base64')}`,
});
const CLIENT = basic('orders', CLIENT_SECRET);
const INACTIVE = { active: false };
const REFUSED = { message: 'Introspection client authentication failed.', status: 401, code: 'NotAuthorized' };

/** POST /v1/introspect (RFC 7662) as a resource server calls it. */
describe('token introspection (e2e)', () => {
  let api: TestApp;
  const jwtSecret = randomBytes(32).toString('hex');

  beforeAll(async () => {
    api = await startTestApp({
      JWT_SECRET: jwtSecret,
      INTROSPECTION_CLIENTS: `orders:${CLIENT_SECRET}, billing:${OTHER_SECRET}`,
    });
  });
  afterAll(() => api.close());

  async function login(): Promise<{ access_token: string; id_token: string; refresh_token: string }> {
    const response = await api.post('/v1/login', { username: 'admin', password: ADMIN_PASSWORD });
    expect(response.status).toBe(200);
    return response.body;
  }

  const introspect = (token: string, headers: Record<string, string> = CLIENT) =>
    api.post('/v1/introspect', { token }, headers);
  const introspectForm = (body: string, headers: Record<string, string> = CLIENT) =>
    api.raw('/v1/introspect', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body,
    });

  it("answers a live access token's claims, to a JSON body and to a form", async () => {
    const { access_token } = await login();
    const claims = claimsOf(access_token);
    const expected = {
      active: true,
      sub: claims.sub,
      username: 'admin',
      token_use: 'access',
      sid: claims.sid,
      roles: ['admin'],
      iat: claims.iat,
      exp: claims.exp,
      iss: 'auth-service',
      aud: 'auth-service',
    };

    const json = await introspect(access_token);
    expect({ status: json.status, body: json.body }).toEqual({ status: 200, body: expected });
    expect(json.headers.get('cache-control')).toBe('no-store');
    const form = await introspectForm(`token=${encodeURIComponent(access_token)}&token_type_hint=access_token`);
    expect({ status: form.status, body: form.body }).toEqual({ status: 200, body: expected });
    // Every client listed may ask.
    expect((await introspect(access_token, basic('billing', OTHER_SECRET))).body.active).toBe(true);
  });

  it('answers exactly {"active": false} for anything that is not a live access token', async () => {
    const { access_token, id_token, refresh_token } = await login();
    const claims = claimsOf(access_token);
    const resigned = (changes: Record<string, unknown>) =>
      sign({ ...claims, ...changes }, jwtSecret, { algorithm: 'HS256', header: { alg: 'HS256', typ: 'at+jwt' } });

    for (const token of [
      id_token,
      refresh_token,
      'garbage',
      `${access_token.slice(0, -4)}AAAA`,
      resigned({ exp: Math.floor(Date.now() / 1000) - 60 }),
      resigned({ sid: '6c1f7a52-3e0b-4f5e-9d43-1b2a8c7e5f90' }),
    ]) {
      const response = await introspect(token);
      expect({ status: response.status, body: response.body }).toEqual({ status: 200, body: INACTIVE });
    }
  });

  it('sees a revocation at once, and a user disabled behind its back within SESSION_CACHE_TTL_MS', async () => {
    const revoked = await login();
    expect((await introspect(revoked.access_token)).body.active).toBe(true);
    expect((await api.post('/v1/token-revoke', { refresh_token: revoked.refresh_token })).status).toBe(200);
    expect((await introspect(revoked.access_token)).body).toEqual(INACTIVE);

    const signedOut = await login();
    expect((await introspect(signedOut.access_token)).body.active).toBe(true);
    await api.post('/v1/global-sign-out', {}, { authorization: `Bearer ${signedOut.access_token}` });
    expect((await introspect(signedOut.access_token)).body).toEqual(INACTIVE);

    const disabled = await login();
    expect((await introspect(disabled.access_token)).body.active).toBe(true);
    const database = api.app.get(DataSource);
    await database.query("UPDATE users SET status = 'DISABLED' WHERE username = 'admin'");
    try {
      // The guard's cache may hold the session for SESSION_CACHE_TTL_MS; an operator's UPDATE is not a revocation.
      await new Promise((resolve) => setTimeout(resolve, 2100));
      expect((await introspect(disabled.access_token)).body).toEqual(INACTIVE);
    } finally {
      await database.query("UPDATE users SET status = 'ACTIVE' WHERE username = 'admin'");
    }
  });

  it('refuses a caller without valid client credentials: 401 with WWW-Authenticate: Basic', async () => {
    const { access_token } = await login();
    for (const headers of [
      {},
      basic('orders', OTHER_SECRET),
      basic('nobody', CLIENT_SECRET),
      basic('orders', ''),
      { authorization: `Bearer ${access_token}` },
      { authorization: 'Basic !!!' },
    ]) {
      const response = await introspect(access_token, headers);
      expect({ status: response.status, body: response.body }).toEqual({ status: 401, body: REFUSED });
      expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm="introspection"/);
    }
  });

  it('answers bad bodies as every route does', async () => {
    expect((await api.post('/v1/introspect', {}, CLIENT)).status).toBe(400);
    expect((await api.post('/v1/introspect', { token: 'x', extra: 1 }, CLIENT)).status).toBe(400);
    expect((await introspectForm('token_type_hint=access_token')).status).toBe(400);
    const text = await api.raw('/v1/introspect', {
      method: 'POST',
      headers: { 'content-type': 'text/plain', ...CLIENT },
      body: 'token=x',
    });
    expect(text.status).toBe(415);
  });

  it('takes a form body on introspection only: other routes still answer it 415', async () => {
    const response = await api.raw('/v1/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `username=admin&password=${ADMIN_PASSWORD}`,
    });
    expect({ status: response.status, code: response.body.code }).toEqual({
      status: 415,
      code: 'UnsupportedMediaType',
    });
  });
});

describe('token introspection without INTROSPECTION_CLIENTS (e2e)', () => {
  it('answers every caller 401', async () => {
    const api = await startTestApp();
    try {
      const response = await api.post('/v1/introspect', { token: 'x' }, basic('orders', CLIENT_SECRET));
      expect(response.status).toBe(401);
    } finally {
      await api.close();
    }
  });
});
