import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { ADMIN_PASSWORD, startTestApp, TestApp } from './support/test-app';
import { claimsOf } from './support/tokens';

describe('refresh token rotation with reuse detection (e2e)', () => {
  let api: TestApp;

  beforeAll(async () => {
    api = await startTestApp({ REFRESH_TOKEN_ROTATION: 'true', REFRESH_TOKEN_REUSE_GRACE: '1' });
  });
  afterAll(() => api.close());

  const login = async () => (await api.post('/v1/login', { username: 'admin', password: ADMIN_PASSWORD })).body;
  const refresh = (refresh_token: string) => api.post('/v1/token-refresh', { username: 'admin', refresh_token });
  const me = (access: string) => api.get('/v1/me', { authorization: `Bearer ${access}` });

  it('returns a new refresh token on each refresh, in the same session, with the login-time expiry', async () => {
    const tokens = await login();
    const first = await refresh(tokens.refresh_token);
    const second = await refresh(first.body.refresh_token);

    expect(first.status).toBe(200);
    expect(first.body.refresh_token).toEqual(expect.any(String));
    expect(first.body.refresh_token).not.toBe(tokens.refresh_token);
    expect(second.status).toBe(200);
    expect(claimsOf(second.body.access_token).sid).toBe(claimsOf(tokens.access_token).sid);

    const rows = await api.app
      .get(DataSource)
      .query('SELECT expires_at FROM refresh_tokens WHERE family_id = ?', [claimsOf(tokens.access_token).sid]);
    expect(rows).toHaveLength(3);
    expect(new Set(rows.map((row: { expires_at: unknown }) => String(row.expires_at))).size).toBe(1);
  });

  it('lets the replaced token refresh within the grace window (parallel tabs)', async () => {
    const tokens = await login();
    const tabA = await refresh(tokens.refresh_token);
    const tabB = await refresh(tokens.refresh_token);

    expect(tabA.status).toBe(200);
    expect(tabB.status).toBe(200);
    expect((await me(tabA.body.access_token)).status).toBe(200);
    expect((await me(tabB.body.access_token)).status).toBe(200);
  });

  it('revokes the whole family when a replaced token is reused after the grace window', async () => {
    const tokens = await login();
    const child = await refresh(tokens.refresh_token);
    const grandchild = await refresh(child.body.refresh_token);
    const otherSession = await login();
    await sleep(1200);

    const reuse = await refresh(tokens.refresh_token);
    expect(reuse.status).toBe(401);

    expect((await refresh(grandchild.body.refresh_token)).status).toBe(401);
    expect((await me(grandchild.body.access_token)).status).toBe(401);
    expect((await me(tokens.access_token)).status).toBe(401);
    expect((await me(otherSession.access_token)).status).toBe(200);
  });

  it('never yields two live sessions from concurrent refreshes of one token', async () => {
    const tokens = await login();
    const results = await Promise.all(Array.from({ length: 8 }, () => refresh(tokens.refresh_token)));

    expect(results.map((r) => r.status)).toEqual(Array(8).fill(200));
    const sids = new Set(results.map((r) => claimsOf(r.body.access_token).sid));
    expect(sids).toEqual(new Set([claimsOf(tokens.access_token).sid]));

    // One revoke ends every token the race produced.
    await api.post('/v1/token-revoke', { refresh_token: results[3].body.refresh_token });
    for (const result of results) {
      expect((await refresh(result.body.refresh_token)).status).toBe(401);
    }
  });

  it('revoking any token of the session ends the session', async () => {
    const tokens = await login();
    const child = await refresh(tokens.refresh_token);
    await api.post('/v1/token-revoke', { refresh_token: tokens.refresh_token });

    expect((await refresh(child.body.refresh_token)).status).toBe(401);
    expect((await me(child.body.access_token)).status).toBe(401);
  });
});
