import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, Server, Socket, connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { TestResponse } from './support/http-client';
import { ADMIN_PASSWORD, startTestApp, TestApp } from './support/test-app';
import { createTestDatabase, MYSQL_SERVER, TestDatabase } from './support/test-database';

/**
 * A TCP proxy in front of MariaDB that the test can cut: stopping it refuses new connections
 * and destroys every open one, as a crashed or unreachable database server would.
 */
class CuttableProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async start(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.once('close', () => this.sockets.delete(socket));
        socket.once('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    const closed = server && new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }
}

const ADMIN_KEY = 'outage-spec-admin-key-0123456789abcdef';

describe('database outage (e2e, MySQL)', () => {
  const OUTAGE_ANSWER_MS = 5000;
  const RECOVERY_MS = 10000;
  const mysql = new URL(MYSQL_SERVER);
  const proxy = new CuttableProxy({ host: mysql.hostname, port: Number(mysql.port || 3306) });
  let db: TestDatabase;
  let api: TestApp;

  const login = () => api.post('/v1/login', { username: 'admin', password: ADMIN_PASSWORD });
  const refresh = (refreshToken: string) =>
    api.post('/v1/token-refresh', { username: 'admin', refresh_token: refreshToken });
  const revoke = (refreshToken: string) => api.post('/v1/token-revoke', { refresh_token: refreshToken });
  const me = (accessToken: string) => api.get('/v1/me', { authorization: `Bearer ${accessToken}` });
  const health = () => api.get('/health');
  const ready = () => api.get('/health/ready');
  const live = () => api.get('/health/live');

  /** Runs a request and checks it answered the contract's 503, promptly. */
  async function expectUnavailable(request: () => Promise<TestResponse>): Promise<void> {
    const started = Date.now();
    const response = await request();
    const elapsed = Date.now() - started;

    expect({ status: response.status, body: response.body }).toEqual({
      status: 503,
      body: { message: expect.any(String), status: 503, code: 'ServiceUnavailable' },
    });
    expect(response.body.message).not.toMatch(/select|insert|update|sql|ECONN|\bat\b.*\.js/i);
    expect(elapsed).toBeLessThan(OUTAGE_ANSWER_MS);
  }

  /** Polls until the request answers 200, for at most RECOVERY_MS. */
  async function eventuallyOk(request: () => Promise<TestResponse>): Promise<TestResponse> {
    const deadline = Date.now() + RECOVERY_MS;
    let response = await request();
    while (response.status !== 200 && Date.now() < deadline) {
      await sleep(200);
      response = await request();
    }
    return response;
  }

  beforeAll(async () => {
    // Created directly on the real server; the app reaches it only through the proxy.
    db = await createTestDatabase();
    await proxy.start();
    const name = new URL(db.url).pathname;
    // Without the guard's session cache, so /v1/me must reach the database like the others.
    api = await startTestApp(
      {
        DATABASE_URL: `mysql://root@127.0.0.1:${proxy.port}${name}`,
        SESSION_CACHE_TTL_MS: '0',
        ADMIN_API_KEYS: `ops:${ADMIN_KEY}`,
      },
      db,
    );
  });
  afterAll(async () => {
    await api?.close();
    await proxy.stop();
    await db?.drop();
  });

  it('answers 503 promptly while the database is down, has no effect, and recovers without a restart', async () => {
    const before = await login();
    expect(before.status).toBe(200);
    const tokens = before.body;
    expect((await me(tokens.access_token)).status).toBe(200);

    await proxy.stop();

    await expectUnavailable(login);
    await expectUnavailable(() => refresh(tokens.refresh_token));
    await expectUnavailable(() => me(tokens.access_token));
    await expectUnavailable(health);
    await expectUnavailable(ready);
    // Restarting the process would not bring the database back: liveness stays up.
    await expect(live()).resolves.toMatchObject({ status: 200, body: { status: 'ok' } });
    // The routes Part 2 added keep Part 1's rule.
    const key = { authorization: `Bearer ${ADMIN_KEY}` };
    await expectUnavailable(() => api.get('/v1/admin/users?limit=5', key));
    await expectUnavailable(() => api.post('/v1/admin/users', { username: 'nobody', email: 'n@example.com' }, key));
    await expectUnavailable(() => api.get('/v1/admin/audit-events', key));
    await expectUnavailable(() => api.post('/v1/admin/users/admin/disable', {}, key));
    await expectUnavailable(() =>
      api.post('/v1/mfa/totp/setup', {}, { authorization: `Bearer ${tokens.access_token}` }),
    );
    // Well-formed, so the service must ask the database whether it exists.
    const madeUp = `${randomUUID()}.${randomBytes(32).toString('base64url')}`;
    await expectUnavailable(() =>
      api.post('/v1/software-token-mfa', { session: madeUp, username: 'admin', code: '123456' }),
    );
    // The revoke did not happen: after recovery the token still works.
    await expectUnavailable(() => revoke(tokens.refresh_token));

    await proxy.start();

    expect((await eventuallyOk(login)).status).toBe(200);
    expect((await eventuallyOk(health)).status).toBe(200);
    expect((await ready()).status).toBe(200);
    await expect(refresh(tokens.refresh_token)).resolves.toMatchObject({ status: 200 });
    await expect(me(tokens.access_token)).resolves.toMatchObject({ status: 200, body: { username: 'admin' } });
    // Nothing the refused admin requests asked for happened.
    const admin = await api.get('/v1/admin/users/admin', { authorization: `Bearer ${ADMIN_KEY}` });
    expect(admin.body).toMatchObject({ status: 'ACTIVE', mfa_enabled: false });
    expect((await api.get('/v1/admin/users/nobody', { authorization: `Bearer ${ADMIN_KEY}` })).status).toBe(404);
  }, 60000);
});
