import { randomUUID } from 'node:crypto';
import { connect, Server } from 'node:net';
import { DataSource } from 'typeorm';
import { OutboxKind, OutboxMessageEntity } from '../src/mail/entities/outbox-message.entity';
import { Metrics } from '../src/metrics/metrics';
import { AccountProvisioningService } from '../src/users/account-provisioning.service';
import { parseScrape, Scrape } from './fixtures/prometheus-text';
import { freePort, killChildren, startServer } from './support/processes';
import { ADMIN_PASSWORD, startTestApp, TestApp } from './support/test-app';
import { createTestDatabase } from './support/test-database';

// The last tests start the compiled server too.
jest.setTimeout(60000);

const HOUR_MS = 3600 * 1000;

/** Whether anything accepts a TCP connection on the port, on this machine. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The TCP servers listening in this process (the app's, and its metrics listener if any). */
function listeningServers(): Server[] {
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  return handles.filter((handle): handle is Server => handle instanceof Server && handle.listening);
}

async function scrape(
  port: number,
): Promise<{ status: number; contentType: string | null; text: string; scraped: Scrape }> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  const text = await response.text();
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    text,
    scraped: parseScrape(text),
  };
}

/** An outbox row as the worker leaves it; `overrides` say how it differs from one delivered an hour ago. */
function outboxRow(overrides: Partial<OutboxMessageEntity>): OutboxMessageEntity {
  const anHourAgo = new Date(Date.now() - HOUR_MS);
  return {
    id: randomUUID(),
    kind: OutboxKind.PasswordChanged,
    payload: { userId: randomUUID() },
    attempts: 1,
    nextAttemptAt: anHourAgo,
    lockedUntil: null,
    completedAt: anHourAgo,
    lastError: null,
    createdAt: anHourAgo,
    ...overrides,
  };
}

describe('metrics on METRICS_PORT (e2e)', () => {
  let api: TestApp;
  let metricsPort: number;
  let serversBefore: number;

  beforeAll(async () => {
    metricsPort = await freePort();
    serversBefore = listeningServers().length;
    api = await startTestApp({ METRICS_PORT: String(metricsPort), RATE_LIMIT_PER_MINUTE: '0' });

    // The outbox as the gauges should count it: one message still to send (due in a day, so
    // the worker leaves it), one given up an hour ago, one given up two days ago (outside the
    // gauge's 24 hours), and one delivered.
    const day = 24 * HOUR_MS;
    await api.app
      .get(DataSource)
      .getRepository(OutboxMessageEntity)
      .insert([
        outboxRow({ attempts: 0, completedAt: null, nextAttemptAt: new Date(Date.now() + day) }),
        outboxRow({ attempts: 30, lastError: 'Error EENVELOPE 550' }),
        outboxRow({ attempts: 30, lastError: 'Error ETIMEDOUT', completedAt: new Date(Date.now() - 2 * day) }),
        outboxRow({}),
      ]);

    // One of each: a login, a wrong password, a temporary password's challenge, a refresh and a revoke.
    const login = await api.post('/v1/login', { username: 'admin', password: ADMIN_PASSWORD });
    expect(login.status).toBe(200);
    expect((await api.post('/v1/login', { username: 'admin', password: 'Wrong-Horse-Battery-7' })).status).toBe(401);
    await api.app.get(AccountProvisioningService).createUser({
      username: 'invited',
      email: 'invited@mail.test',
      admin: false,
      temporaryPassword: 'Temporary-Secret-1-Vb3',
    });
    const challenged = await api.post('/v1/login', { username: 'invited', password: 'Temporary-Secret-1-Vb3' });
    expect(challenged.body).toMatchObject({ challenge_name: 'NEW_PASSWORD_REQUIRED' });
    const refreshed = await api.post('/v1/token-refresh', {
      username: 'admin',
      refresh_token: login.body.refresh_token,
    });
    expect(refreshed.status).toBe(200);
    const current = (refreshed.body.refresh_token as string | undefined) ?? (login.body.refresh_token as string);
    expect((await api.post('/v1/token-revoke', { refresh_token: current })).status).toBe(200);
    // A path with an id and a query string, which no route matches.
    expect((await api.get('/v1/users/8d1c0f5e-2b1a-4c39-9d7e-0f1e2d3c4b5a?expand=roles')).status).toBe(404);
  });
  afterAll(() => api?.close());

  it('serves GET /metrics on its own port, in the Prometheus text format', async () => {
    const { status, contentType, scraped } = await scrape(metricsPort);

    expect(status).toBe(200);
    expect(contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(scraped.samples.size).toBeGreaterThan(50);
  });

  it('counts the login outcomes, the refresh and the revocation with their labels', async () => {
    const { scraped } = await scrape(metricsPort);

    expect(scraped.value('auth_login_outcomes_total', { outcome: 'success' })).toBe(1);
    expect(scraped.value('auth_login_outcomes_total', { outcome: 'failure' })).toBe(1);
    expect(scraped.value('auth_login_outcomes_total', { outcome: 'challenge' })).toBe(1);
    expect(scraped.value('auth_login_outcomes_total', { outcome: 'locked' })).toBe(0);
    expect(scraped.value('auth_login_lockouts_total')).toBe(0);
    expect(scraped.value('auth_token_refreshes_total', { outcome: 'success' })).toBe(1);
    expect(scraped.value('auth_token_refreshes_total', { outcome: 'invalid' })).toBe(0);
    expect(scraped.value('auth_session_revocations_total', { reason: 'token_revoke' })).toBe(1);
    expect(scraped.types.get('auth_login_outcomes_total')).toBe('counter');
  });

  it('counts and times the requests by route pattern and status, never by raw URL', async () => {
    const { text, scraped } = await scrape(metricsPort);
    const login = (status: string) => ({ method: 'POST', route: '/v1/login', status });

    expect(scraped.value('auth_http_requests_total', login('200'))).toBe(2);
    expect(scraped.value('auth_http_requests_total', login('401'))).toBe(1);
    expect(
      scraped.value('auth_http_requests_total', { method: 'POST', route: '/v1/token-refresh', status: '200' }),
    ).toBe(1);
    expect(scraped.value('auth_http_requests_total', { method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
    expect(text).not.toMatch(/8d1c0f5e|expand=roles/);

    expect(scraped.types.get('auth_http_request_duration_seconds')).toBe('histogram');
    expect(scraped.value('auth_http_request_duration_seconds_count', login('200'))).toBe(2);
    expect(scraped.value('auth_http_request_duration_seconds_bucket', { ...login('200'), le: '+Inf' })).toBe(2);
    expect(scraped.value('auth_http_request_duration_seconds_bucket', { ...login('200'), le: '0.005' })).toEqual(
      expect.any(Number),
    );
    expect(scraped.value('auth_http_request_duration_seconds_sum', login('200'))).toBeGreaterThan(0);
  });

  it('reads the outbox gauges from the database: messages to send, and those given up in the last day', async () => {
    const { scraped } = await scrape(metricsPort);

    expect(scraped.value('auth_outbox_pending_messages')).toBe(1);
    expect(scraped.value('auth_outbox_failed_messages')).toBe(1);
    expect(scraped.value('auth_outbox_stats_up')).toBe(1);
    expect(scraped.types.get('auth_outbox_pending_messages')).toBe('gauge');
  });

  it('includes the process and Node.js defaults', async () => {
    const { scraped } = await scrape(metricsPort);

    expect(scraped.value('process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(scraped.value('process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(scraped.value('nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    expect(scraped.types.get('nodejs_eventloop_lag_seconds')).toBe('gauge');
  });

  it('serves nothing but /metrics on the metrics port', async () => {
    for (const path of ['/', '/health', '/v1/login', '/docs']) {
      expect((await fetch(`http://127.0.0.1:${metricsPort}${path}`)).status).toBe(404);
    }
  });

  it('does not serve /metrics on the API port', async () => {
    const response = await api.get('/metrics');

    expect(response.status).toBe(404);
    expect(JSON.stringify(response.body)).not.toContain('auth_');
  });

  it('listens on one port more than the API, and on none once the app has closed', async () => {
    const other = await startTestApp({ METRICS_PORT: String(await freePort()) });
    const withOther = listeningServers().length;
    await other.close();

    expect(listeningServers().length).toBe(withOther - 2);
    expect(listeningServers().length).toBe(serversBefore + 2);
  });
});

describe('metrics with the database gone (e2e)', () => {
  it('still answers the scrape, with the outbox marked unknown instead of counted', async () => {
    const port = await freePort();
    const api = await startTestApp({ METRICS_PORT: String(port) });
    try {
      expect((await api.post('/v1/login', { username: 'admin', password: ADMIN_PASSWORD })).status).toBe(200);
      expect((await scrape(port)).scraped.value('auth_outbox_stats_up')).toBe(1);

      await api.app.get(DataSource).destroy();
      const started = Date.now();
      const { status, scraped } = await scrape(port);

      expect(status).toBe(200);
      expect(Date.now() - started).toBeLessThan(3000);
      expect(scraped.value('auth_outbox_stats_up')).toBe(0);
      expect(scraped.value('auth_outbox_pending_messages')).toBeUndefined();
      expect(scraped.value('auth_outbox_failed_messages')).toBeUndefined();
      expect(scraped.value('auth_login_outcomes_total', { outcome: 'success' })).toBe(1);
      expect(scraped.value('process_cpu_user_seconds_total')).toBeGreaterThan(0);
    } finally {
      await api.close();
    }
  });
});

describe('metrics without METRICS_PORT (e2e)', () => {
  it('starts no listener besides the API, and counts nothing on the request path', async () => {
    const wouldBe = await freePort();
    const before = listeningServers().length;
    const api = await startTestApp();
    try {
      expect(listeningServers().length).toBe(before + 1);
      expect(await accepts(wouldBe)).toBe(false);
      expect((await api.get('/metrics')).status).toBe(404);
      const text = await api.app.get(Metrics).text();
      expect(text).not.toMatch(/^auth_http_requests_total/m);
      expect(text).not.toMatch(/^process_cpu_user_seconds_total/m);
    } finally {
      await api.close();
    }
  });
});

describe('metrics of the compiled server (e2e)', () => {
  afterEach(() => killChildren());

  it('serves them on METRICS_PORT from `npm start`, and stops listening there on SIGTERM', async () => {
    const db = await createTestDatabase();
    try {
      const port = await freePort();
      const server = await startServer({ DATABASE_URL: db.url, ADMIN_PASSWORD, METRICS_PORT: String(port) });

      const { status, scraped } = await scrape(port);
      expect(status).toBe(200);
      expect(scraped.value('auth_outbox_stats_up')).toBe(1);
      // The readiness polls of startServer were counted.
      expect(
        scraped.value('auth_http_requests_total', { method: 'GET', route: '/health', status: '200' }),
      ).toBeGreaterThan(0);

      const stopped = await server.stop();
      expect(stopped.code).toBe(0);
      expect(await accepts(port)).toBe(false);
    } finally {
      await db.drop();
    }
  });

  it('refuses to start with a METRICS_PORT that is no port, naming it in one line', async () => {
    const db = await createTestDatabase();
    try {
      await expect(startServer({ DATABASE_URL: db.url, ADMIN_PASSWORD, METRICS_PORT: '70000' })).rejects.toThrow(
        /Startup failed: METRICS_PORT must be a whole number from 1 to 65535, got "70000"/,
      );
    } finally {
      await db.drop();
    }
  });
});
