import { ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { createConnection } from 'mysql2/promise';
import { HttpClient } from './support/http-client';
import { eventually, freePort, killChildren, runCli, ServerProcess, startServer } from './support/processes';
import { ADMIN_PASSWORD } from './support/test-app';
import { createTestDatabase, TestDatabase } from './support/test-database';
import { claimsOf } from './support/tokens';

/**
 * Two compiled servers on one MariaDB database sharing a Redis (REDIS_URL) that this spec
 * starts itself on a free port, never the machine's own, so it can stop and restart it.
 * Each server caches session lookups for 60 s: only a revocation published through Redis,
 * or the guard asking the database, can make the other instance refuse a revoked session
 * within that time.
 */
jest.setTimeout(120000);

const SETTINGS = {
  BCRYPT_COST: '4',
  ADMIN_PASSWORD,
  SESSION_CACHE_TTL_MS: '60000',
  JWT_SECRET: 'shared-by-both-instances-0123456789abcdef',
  INTROSPECTION_CLIENTS: 'orders:introspection-client-secret-0123456789',
  ADMIN_API_KEYS: 'ops:admin-api-key-shared-by-instances-0123456789',
};
const ADMIN_KEY = { authorization: 'Bearer admin-api-key-shared-by-instances-0123456789' };
const INTROSPECTION_CLIENT = `Basic ${Buffer.from('orders:introspection-client-secret-0123456789').toString('base64')}`;

/** redis-server on `port`, keeping nothing on disk. */
class RedisServer {
  private child?: ChildProcess;

  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}/0`;
  }

  async start(): Promise<void> {
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', tmpdir()],
      { stdio: 'ignore' },
    );
    this.child = child;
    const deadline = Date.now() + 10000;
    while (!(await answersPing(this.port))) {
      if (child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`redis-server on ${this.port} did not start`);
      }
      await sleep(50);
    }
  }

  /** SIGTERM, as an operator's restart would; resolves once it has exited. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(500);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** How many times a server has logged `text` so far. */
const logged = (server: ServerProcess, text: string): number => {
  const { stdout, stderr } = server.output();
  return (stdout + stderr).split(text).length - 1;
};

const CONNECTED = 'Connected to redis://';
const UNAVAILABLE = 'the guard asks the database on every request';

/** Waits until each server has logged `text` at least `times` times. */
async function untilLogged(servers: ServerProcess[], text: string, times: number, timeoutMs = 15000): Promise<void> {
  const done = await eventually(
    () => (servers.every((server) => logged(server, text) >= times) ? true : undefined),
    timeoutMs,
  );
  if (!done) {
    const outputs = servers.map((server) => `${server.output().stdout}${server.output().stderr}`).join('\n---\n');
    throw new Error(`not every server logged "${text}" ${times} time(s):\n${outputs}`);
  }
}

async function login(api: HttpClient, password = ADMIN_PASSWORD): Promise<{ access: string; refresh: string }> {
  const response = await api.post('/v1/login', { username: 'admin', password });
  expect(response.status).toBe(200);
  return { access: response.body.access_token, refresh: response.body.refresh_token };
}

async function me(api: HttpClient, access: string): Promise<number> {
  return (await api.get('/v1/me', { authorization: `Bearer ${access}` })).status;
}

/** Polls /v1/me until it answers 401; how long that took, or undefined if it never did within `timeoutMs`. */
async function msUntilRefused(api: HttpClient, access: string, timeoutMs = 3000): Promise<number | undefined> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if ((await me(api, access)) === 401) return Date.now() - started;
    await sleep(20);
  }
  return undefined;
}

/** A POST to an auth route that changes nothing (RFC 7009: an unknown token is no error): it only counts. */
async function hit(api: HttpClient): Promise<number> {
  return (await api.post('/v1/token-revoke', { refresh_token: 'unknown.token' })).status;
}

describe('instances sharing a Redis (e2e, MariaDB)', () => {
  let db: TestDatabase | undefined;
  let redis: RedisServer | undefined;
  let a: ServerProcess;
  let b: ServerProcess;

  /** Behind the service's back, as an operator's UPDATE would: no instance publishes it. */
  async function revokeInDatabase(access: string): Promise<void> {
    const connection = await createConnection(db!.url);
    try {
      await connection.query('UPDATE refresh_tokens SET revoked_at = NOW(3) WHERE id = ?', [claimsOf(access).sid]);
    } finally {
      await connection.end();
    }
  }

  /** B answers a session from its cache: revoked in the database alone, it stays usable there. */
  async function expectBCaches(): Promise<void> {
    const probe = await login(a);
    expect(await me(b, probe.access)).toBe(200);
    await revokeInDatabase(probe.access);
    expect(await me(b, probe.access)).toBe(200);
  }

  /** A session B has cached, revoked through A: B refuses it within 1 s. */
  async function expectRevokeThroughAReachesB(): Promise<void> {
    const revoked = await login(a);
    expect(await me(b, revoked.access)).toBe(200);
    expect((await a.post('/v1/token-revoke', { refresh_token: revoked.refresh })).status).toBe(200);
    const afterRevoke = await msUntilRefused(b, revoked.access);
    expect(afterRevoke).toBeDefined();
    expect(afterRevoke).toBeLessThan(1000);
  }

  async function startCluster(settings: Record<string, string>): Promise<void> {
    redis = new RedisServer(await freePort());
    await redis.start();
    db = await createTestDatabase();
    const env = { ...SETTINGS, DATABASE_URL: db.url, REDIS_URL: redis.url, ...settings };
    a = await startServer(env);
    b = await startServer(env);
    await untilLogged([a, b], CONNECTED, 1);
  }

  afterEach(async () => {
    await killChildren();
    await redis?.stop();
    await db?.drop();
    db = redis = undefined;
  });

  it('applies a token-revoke or a password change made through one instance on the other within 1 s', async () => {
    await startCluster({ RATE_LIMIT_PER_MINUTE: '0' });
    await expectBCaches();

    await expectRevokeThroughAReachesB();

    const kept = await login(a);
    const ended = await login(a);
    expect(await me(b, ended.access)).toBe(200);
    const change = await a.post('/v1/change-password', {
      access_token: kept.access,
      previous_password: ADMIN_PASSWORD,
      proposed_password: 'Redis-shared-passphrase-1',
    });
    expect(change.status).toBe(200);
    const afterChange = await msUntilRefused(b, ended.access);
    expect(afterChange).toBeDefined();
    expect(afterChange).toBeLessThan(1000);
    expect(await me(b, kept.access)).toBe(200);
  });

  it('applies a session ended or a sign-out everywhere made through one instance on the other within 1 s', async () => {
    await startCluster({ RATE_LIMIT_PER_MINUTE: '0' });
    await expectBCaches();
    const bearer = (access: string) => ({ authorization: `Bearer ${access}` });

    const caller = await login(a);
    const ended = await login(a);
    expect(await me(b, ended.access)).toBe(200);
    const deleted = await a.raw(`/v1/sessions/${claimsOf(ended.access).sid}`, {
      method: 'DELETE',
      headers: bearer(caller.access),
    });
    expect(deleted.status).toBe(204);
    const afterDelete = await msUntilRefused(b, ended.access);
    expect(afterDelete).toBeDefined();
    expect(afterDelete).toBeLessThan(1000);
    expect(await me(b, caller.access)).toBe(200);

    const other = await login(a);
    expect(await me(b, other.access)).toBe(200);
    expect((await a.post('/v1/global-sign-out', {}, bearer(caller.access))).status).toBe(200);
    for (const session of [caller, other]) {
      const afterSignOut = await msUntilRefused(b, session.access);
      expect(afterSignOut).toBeDefined();
      expect(afterSignOut).toBeLessThan(1000);
    }
  });

  it('applies an admin disable or sign-out made through one instance on the other within 1 s', async () => {
    await startCluster({ RATE_LIMIT_PER_MINUTE: '0' });
    const password = 'Second-admin-pass-91';
    const created = await runCli(
      ['create-user', '--username', 'ops2', '--email', 'ops2@example.com', '--password', password, '--admin'],
      { ...SETTINGS, DATABASE_URL: db!.url },
    );
    expect(created.code).toBe(0);
    const loginOps2 = async () => {
      const response = await a.post('/v1/login', { username: 'ops2', password });
      expect(response.status).toBe(200);
      return response.body.access_token as string;
    };

    const signedOut = await loginOps2();
    expect(await me(b, signedOut)).toBe(200);
    expect((await a.post('/v1/admin/users/ops2/sign-out', {}, ADMIN_KEY)).status).toBe(200);
    const afterSignOut = await msUntilRefused(b, signedOut);
    expect(afterSignOut).toBeDefined();
    expect(afterSignOut).toBeLessThan(1000);

    const disabled = await loginOps2();
    expect(await me(b, disabled)).toBe(200);
    // B's admin door reads the role and status afresh: the token opens it until the disable.
    expect((await b.get('/v1/admin/users/admin', { authorization: `Bearer ${disabled}` })).status).toBe(200);
    expect((await a.post('/v1/admin/users/ops2/disable', {}, ADMIN_KEY)).status).toBe(200);
    const afterDisable = await msUntilRefused(b, disabled);
    expect(afterDisable).toBeDefined();
    expect(afterDisable).toBeLessThan(1000);
    expect((await b.get('/v1/admin/users/admin', { authorization: `Bearer ${disabled}` })).status).toBe(401);
  });

  it("applies an admin's temporary reset, session deletion and account deletion through one instance on the other's guard and introspection within 1 s", async () => {
    await startCluster({ RATE_LIMIT_PER_MINUTE: '0' });
    const introspect = async (api: HttpClient, token: string) =>
      (await api.post('/v1/introspect', { token }, { authorization: INTROSPECTION_CLIENT })).body as {
        active: boolean;
        roles?: string[];
      };
    let seq = 0;
    /** A fresh account with a session that B has seen (and cached) through both doors. */
    const account = async () => {
      const username = `member${++seq}`;
      const password = `Member-passphrase-${seq}-xQ`;
      const created = await a.post(
        '/v1/admin/users',
        { username, email: `${username}@example.com`, password },
        ADMIN_KEY,
      );
      expect(created.status).toBe(201);
      const tokens = (await a.post('/v1/login', { username, password })).body;
      expect(await me(b, tokens.access_token)).toBe(200);
      expect(await introspect(b, tokens.access_token)).toMatchObject({ active: true, roles: ['user'] });
      return { username, access: tokens.access_token as string };
    };
    /** How long until B refuses the token at its guard and answers introspection inactive. */
    const msUntilBothRefuse = async (access: string) => {
      const started = Date.now();
      while (Date.now() - started < 3000) {
        if ((await me(b, access)) === 401 && !(await introspect(b, access)).active) return Date.now() - started;
        await sleep(20);
      }
      return undefined;
    };

    const reset = await account();
    const temporary = { mode: 'temporary', temporary_password: 'Handed-over-passphrase-7' };
    expect((await a.post(`/v1/admin/users/${reset.username}/reset-password`, temporary, ADMIN_KEY)).status).toBe(200);
    expect(await msUntilBothRefuse(reset.access)).toBeLessThan(1000);

    const ended = await account();
    const sessions = (await a.get(`/v1/admin/users/${ended.username}/sessions`, ADMIN_KEY)).body.sessions;
    expect(sessions).toHaveLength(1);
    expect((await a.delete(`/v1/admin/users/${ended.username}/sessions/${sessions[0].id}`, ADMIN_KEY)).status).toBe(
      204,
    );
    expect(await msUntilBothRefuse(ended.access)).toBeLessThan(1000);

    const deleted = await account();
    expect((await a.delete(`/v1/admin/users/${deleted.username}`, ADMIN_KEY)).status).toBe(204);
    expect(await msUntilBothRefuse(deleted.access)).toBeLessThan(1000);

    // A promotion changes no session, but B's introspection answers the new roles within 1 s.
    const promoted = await account();
    expect((await a.patch(`/v1/admin/users/${promoted.username}`, { roles: ['admin'] }, ADMIN_KEY)).status).toBe(200);
    const started = Date.now();
    while ((await introspect(b, promoted.access)).roles?.[0] !== 'admin' && Date.now() - started < 3000)
      await sleep(20);
    expect(await introspect(b, promoted.access)).toMatchObject({ active: true, roles: ['admin'] });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('answers introspection of a session revoked through the other instance as inactive within 1 s', async () => {
    await startCluster({ RATE_LIMIT_PER_MINUTE: '0' });
    const introspect = async (api: HttpClient, token: string) =>
      (await api.post('/v1/introspect', { token }, { authorization: INTROSPECTION_CLIENT })).body as {
        active: boolean;
      };

    const revoked = await login(a);
    expect(await introspect(b, revoked.access)).toMatchObject({ active: true });
    expect((await a.post('/v1/token-revoke', { refresh_token: revoked.refresh })).status).toBe(200);
    const started = Date.now();
    while ((await introspect(b, revoked.access)).active && Date.now() - started < 3000) await sleep(20);
    expect(await introspect(b, revoked.access)).toEqual({ active: false });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('counts the per-IP limit once across the instances', async () => {
    await startCluster({ RATE_LIMIT_PER_MINUTE: '10' });

    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push(await hit(i % 2 === 0 ? a : b));

    expect(statuses).toEqual(Array(10).fill(200));
    expect(await hit(a)).toBe(429);
    expect(await hit(b)).toBe(429);
  });

  it('with Redis down: both keep answering, revocations still hold, and the limit counts in memory', async () => {
    await startCluster({ RATE_LIMIT_PER_MINUTE: '30' });
    const cached = await login(a);
    expect(await me(b, cached.access)).toBe(200);

    await expect(b.get('/health/ready')).resolves.toMatchObject({
      status: 200,
      body: { status: 'ok', details: { database: { status: 'up' }, redis: { status: 'up' } } },
    });
    await redis!.stop();
    await untilLogged([a, b], UNAVAILABLE, 1);
    // Reported, but the instance stays in rotation: it still answers correctly without Redis.
    await expect(b.get('/health/ready')).resolves.toMatchObject({
      status: 200,
      body: { status: 'ok', details: { database: { status: 'up' }, redis: { status: 'down' } } },
    });

    // No more answers from the cache: B asks the database, which says revoked.
    await revokeInDatabase(cached.access);
    expect(await me(b, cached.access)).toBe(401);
    const throughA = await login(a);
    const throughB = await login(b);
    expect(await me(b, throughA.access)).toBe(200);
    expect(await me(a, throughB.access)).toBe(200);
    expect((await a.post('/v1/token-revoke', { refresh_token: throughA.refresh })).status).toBe(200);
    expect(await me(b, throughA.access)).toBe(401);

    // A has counted 2 auth requests (login, revoke) in its memory since Redis went: 28 more pass.
    const statuses: number[] = [];
    for (let i = 0; i < 29; i++) statuses.push(await hit(a));
    expect(statuses.slice(0, 28)).toEqual(Array(28).fill(200));
    expect(statuses[28]).toBe(429);
    expect(await hit(b)).toBe(200);
  });

  it('recovers by itself once Redis is back: revocations and the per-IP limit are shared again', async () => {
    await startCluster({ RATE_LIMIT_PER_MINUTE: '10' });
    const missed = await login(a);
    expect(await me(b, missed.access)).toBe(200);
    await redis!.stop();
    await untilLogged([a, b], UNAVAILABLE, 1);
    // Published into the void: B never hears of it.
    expect((await a.post('/v1/token-revoke', { refresh_token: missed.refresh })).status).toBe(200);

    await redis!.start();
    const restarted = Date.now();
    await untilLogged([a, b], CONNECTED, 2, 10000);
    expect(Date.now() - restarted).toBeLessThan(5000);

    // B started afresh: what it cached before the outage is gone with the revocation it missed.
    expect(await me(b, missed.access)).toBe(401);
    await expectBCaches();
    await expectRevokeThroughAReachesB();

    // The restarted Redis has counted 3 auth requests (two logins, a revoke): 7 more pass, on either.
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push(await hit(i % 2 === 0 ? b : a));
    expect(statuses).toEqual(Array(7).fill(200));
    expect(await hit(a)).toBe(429);
    expect(await hit(b)).toBe(429);
  });
});
