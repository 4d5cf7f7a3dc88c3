import { setTimeout as sleep } from 'node:timers/promises';
import { HttpClient } from './support/http-client';
import { killChildren, startServer } from './support/processes';
import { ADMIN_PASSWORD } from './support/test-app';
import { createTestDatabase, TestDatabase } from './support/test-database';

/**
 * Two server processes on one database, as behind a load balancer, each caching session
 * lookups for 600 ms. (Processes, not two apps in this one: passport's strategies are
 * process-wide, so a second in-process app would answer for the first.)
 */
describe('session cache across instances (e2e)', () => {
  let db: TestDatabase;
  let a: HttpClient;
  let b: HttpClient;

  beforeAll(async () => {
    db = await createTestDatabase();
    const settings = {
      DATABASE_URL: db.url,
      BCRYPT_COST: '4',
      ADMIN_PASSWORD,
      SESSION_CACHE_TTL_MS: '600',
      JWT_SECRET: 'shared-by-both-instances-0123456789abcdef',
    };
    a = await startServer(settings);
    b = await startServer(settings);
  });
  afterAll(async () => {
    await killChildren();
    await db.drop();
  });

  const me = (api: HttpClient, token: string) => api.get('/v1/me', { authorization: `Bearer ${token}` });

  it('applies a revoke at once on the instance that made it, and within the TTL on the other', async () => {
    const { body: tokens } = await a.post('/v1/login', { username: 'admin', password: ADMIN_PASSWORD });
    expect((await me(a, tokens.access_token)).status).toBe(200);
    expect((await me(b, tokens.access_token)).status).toBe(200);

    await a.post('/v1/token-revoke', { refresh_token: tokens.refresh_token });

    expect((await me(a, tokens.access_token)).status).toBe(401);
    await sleep(700);
    expect((await me(b, tokens.access_token)).status).toBe(401);
  });

  it('ends the other sessions at once on the instance where the password changed', async () => {
    const { body: first } = await a.post('/v1/login', { username: 'admin', password: ADMIN_PASSWORD });
    const { body: second } = await a.post('/v1/login', { username: 'admin', password: ADMIN_PASSWORD });
    expect((await me(a, second.access_token)).status).toBe(200);

    const change = await a.post('/v1/change-password', {
      access_token: first.access_token,
      previous_password: ADMIN_PASSWORD,
      proposed_password: 'Cache-test-passphrase',
    });

    expect(change.status).toBe(200);
    expect((await me(a, second.access_token)).status).toBe(401);
    expect((await me(a, first.access_token)).status).toBe(200);
  });
});
