import { ADMIN_PASSWORD, startTestApp, TestApp } from './support/test-app';
import { claimsOf, headerOf } from './support/tokens';

describe('login, me, refresh, revoke (e2e)', () => {
  let api: TestApp;

  beforeAll(async () => {
    api = await startTestApp();
  });
  afterAll(() => api.close());

  const login = (username = 'admin', password = ADMIN_PASSWORD) => api.post('/v1/login', { username, password });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  it('logs the first-run admin in and returns the documented token set', async () => {
    const response = await login();

    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.body).toEqual({
      challenge_name: null,
      session: null,
      id_token: expect.any(String),
      access_token: expect.any(String),
      refresh_token: expect.any(String),
      expires_in: 86400,
      token_type: 'Bearer',
    });
    const access = claimsOf(response.body.access_token);
    expect(headerOf(response.body.access_token).alg).toBe('HS256');
    expect(access).toMatchObject({ token_use: 'access', username: 'admin', iss: 'auth-service', aud: 'auth-service' });
    expect(access.exp - access.iat).toBe(86400);
    expect(typeof access.sid).toBe('string');
    expect(claimsOf(response.body.id_token)).toMatchObject({ token_use: 'id', email: 'admin@example.com' });
  });

  it('treats usernames case-insensitively, in NFKC form', async () => {
    expect((await login('ADMIN')).status).toBe(200);
    expect((await login('Ａｄｍｉｎ')).status).toBe(200);
  });

  it('answers wrong password and unknown user identically', async () => {
    const wrongPassword = await login('admin', 'not-the-password');
    const unknownUser = await login('nobody-here', ADMIN_PASSWORD);

    expect(wrongPassword.status).toBe(401);
    expect(unknownUser.status).toBe(401);
    expect(wrongPassword.body).toEqual({
      message: 'Incorrect username or password.',
      status: 401,
      code: 'NotAuthorized',
    });
    expect(unknownUser.body).toEqual(wrongPassword.body);
  });

  it('serves the profile for an access token, without any secret', async () => {
    const { body: tokens } = await login();
    const response = await api.get('/v1/me', bearer(tokens.access_token));

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      username: 'admin',
      email: 'admin@example.com',
      status: 'ACTIVE',
      roles: ['admin'],
      mfa_enabled: false,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(JSON.stringify(response.body)).not.toMatch(/\$2[aby]\$|hash/i);
  });

  it('refreshes: new access and id tokens bound to the same session, no new refresh token', async () => {
    const { body: tokens } = await login();
    const response = await api.post('/v1/token-refresh', { username: 'Admin', refresh_token: tokens.refresh_token });

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      id_token: expect.any(String),
      access_token: expect.any(String),
      expires_in: 86400,
      token_type: 'Bearer',
    });
    expect(claimsOf(response.body.access_token).sid).toBe(claimsOf(tokens.access_token).sid);
    expect((await api.get('/v1/me', bearer(response.body.access_token))).status).toBe(200);
  });

  it('refuses a refresh token presented with another username', async () => {
    const { body: tokens } = await login();
    const response = await api.post('/v1/token-refresh', { username: 'someone', refresh_token: tokens.refresh_token });

    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ status: 401, code: 'NotAuthorized' });
  });

  it('refuses refresh tokens that are forged, altered or malformed', async () => {
    const { body: tokens } = await login();
    const [id, secret] = tokens.refresh_token.split('.');
    const altered = `${id}.${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;

    for (const refresh_token of [altered, 'garbage', `${id}.`, tokens.access_token]) {
      const response = await api.post('/v1/token-refresh', { username: 'admin', refresh_token });
      expect(response.status).toBe(401);
    }
  });

  it('revokes: the refresh token and every access token issued from it stop working', async () => {
    const { body: tokens } = await login();
    const { body: refreshed } = await api.post('/v1/token-refresh', {
      username: 'admin',
      refresh_token: tokens.refresh_token,
    });
    const { body: other } = await login();

    const revoke = await api.post('/v1/token-revoke', { refresh_token: tokens.refresh_token });
    expect(revoke.status).toBe(200);
    expect(revoke.body).toEqual({ message: 'Token revoked.', status: 200 });

    expect((await api.get('/v1/me', bearer(tokens.access_token))).status).toBe(401);
    expect((await api.get('/v1/me', bearer(refreshed.access_token))).status).toBe(401);
    const refresh = await api.post('/v1/token-refresh', { username: 'admin', refresh_token: tokens.refresh_token });
    expect(refresh.status).toBe(401);
    // Other sessions of the same user are untouched.
    expect((await api.get('/v1/me', bearer(other.access_token))).status).toBe(200);
  });

  it('revoke is idempotent and answers 200 for unknown tokens (RFC 7009)', async () => {
    const { body: tokens } = await login();
    for (const refresh_token of [tokens.refresh_token, tokens.refresh_token, 'never-issued']) {
      const response = await api.post('/v1/token-revoke', { refresh_token });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ message: 'Token revoked.', status: 200 });
    }
  });

  it('revoke cannot be used to revoke a token with only its id', async () => {
    const { body: tokens } = await login();
    const [id] = tokens.refresh_token.split('.');
    await api.post('/v1/token-revoke', { refresh_token: `${id}.${'A'.repeat(43)}` });

    expect((await api.get('/v1/me', bearer(tokens.access_token))).status).toBe(200);
  });
});
