import { once } from 'node:events';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { AuditEventEntity, AuditEventType } from '../src/audit/entities/audit-event.entity';
import { readDatabaseConfig } from '../src/database/database.config';
import { buildDataSourceOptions } from '../src/database/typeorm-options';
import { killChildren, ProcessResult, ServerProcess, startServer } from './support/processes';
import { createTestDatabase, TestDatabase } from './support/test-database';

// Each test starts the compiled server; the first hashes the admin's password at cost 14.
jest.setTimeout(60000);

const PASSWORD = 'Graceful-Shutdown-Admin-42';

/** The compiled server (`npm start`) stopped by SIGTERM, as an orchestrator stops it. */
describe('graceful shutdown (e2e)', () => {
  let db: TestDatabase;

  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    await killChildren();
    await db.drop();
  });

  const start = (settings: Record<string, string> = {}) =>
    startServer({ DATABASE_URL: db.url, ADMIN_PASSWORD: PASSWORD, ...settings });
  const portOf = (server: ServerProcess) => Number(new URL(server.url).port);
  const login = (server: ServerProcess) => server.post('/v1/login', { username: 'admin', password: PASSWORD });

  /** SIGTERM now; resolves with the exit and how long after the signal it came, or rejects after `timeoutMs`. */
  function terminate(server: ServerProcess, timeoutMs: number) {
    const signalled = Date.now();
    server.child.kill('SIGTERM');
    const exit = server.exited.then((result) => ({ ...result, afterMs: Date.now() - signalled }));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const { stdout, stderr } = server.output();
        const lastLines = `${stdout}${stderr}`.trimEnd().split('\n').slice(-5).join('\n');
        reject(new Error(`server still running ${timeoutMs} ms after SIGTERM; its output ends:\n${lastLines}`));
      }, timeoutMs);
    });
    const exited = Promise.race([exit, timeout]).finally(() => clearTimeout(timer));
    // Awaited later in the test; a timeout before then must not count as unhandled.
    exited.catch(() => undefined);
    return exited;
  }

  /** What a fresh TCP connection to the server gets: 'connected' or the error code. */
  async function connectTo(port: number): Promise<string> {
    const socket = connect(port, '127.0.0.1');
    try {
      await once(socket, 'connect');
      return 'connected';
    } catch (error) {
      return (error as NodeJS.ErrnoException).code ?? String(error);
    } finally {
      socket.destroy();
    }
  }

  /**
   * A POST on a connection of its own whose last body byte is held back: from the server's
   * side a request in flight until `finish()`. `answer` is all the server wrote before it
   * closed the connection ('' when it closed it unanswered).
   */
  async function heldRequest(port: number, path: string, body: object) {
    const payload = JSON.stringify(body);
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    let received = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
    socket.on('error', () => undefined);
    const answer = new Promise<string>((resolve) => socket.once('close', () => resolve(received)));
    socket.write(
      `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(payload)}\r\nConnection: close\r\n\r\n${payload.slice(0, -1)}`,
    );
    // Time for the server to read the headers: from then on the connection is busy, not idle.
    await sleep(300);
    return { finish: () => socket.write(payload.slice(-1)), answer };
  }

  const statusOf = (answer: string) => Number(/^HTTP\/1\.1 (\d{3}) /.exec(answer)?.[1]);

  /** The audit trail's event types, oldest first, read once the server is gone. */
  async function auditTrail(): Promise<string[]> {
    const options = buildDataSourceOptions(readDatabaseConfig({ DATABASE_URL: db.url }), [AuditEventEntity]);
    const dataSource = await new DataSource(options).initialize();
    try {
      const events = await dataSource.getRepository(AuditEventEntity).find({ order: { createdAt: 'ASC' } });
      return events.map((event) => event.type);
    } finally {
      await dataSource.destroy();
    }
  }

  function expectCleanExit(result: ProcessResult): void {
    expect({ code: result.code, signal: result.signal }).toEqual({ code: 0, signal: null });
    const output = `${result.stdout}${result.stderr}`;
    expect(output).toMatch(/SIGTERM: refusing new connections, waiting up to \d+ ms for requests in flight/);
    expect(output).toMatch(/Shutdown complete in \d+ ms/);
    expect(output).not.toContain(PASSWORD);
  }

  it('answers a login in flight, refuses new connections at once, and exits 0 well within the grace period', async () => {
    // One bcrypt comparison at cost 14 takes most of a second.
    const server = await start({ BCRYPT_COST: '14' });
    const inFlight = login(server);
    await sleep(250);

    const exit = terminate(server, 10000 + 5000);
    await sleep(100);

    expect(await connectTo(portOf(server))).toBe('ECONNREFUSED');
    const answered = await inFlight;
    expect(answered.status).toBe(200);
    expect(answered.body).toMatchObject({ access_token: expect.any(String), refresh_token: expect.any(String) });
    // Told not to reuse the connection: it would be closed under it.
    expect(answered.headers.get('connection')).toBe('close');
    const result = await exit;
    expectCleanExit(result);
    // SHUTDOWN_GRACE_MS is 10000 by default; nothing else was left to wait for.
    expect(result.afterMs).toBeLessThan(5000);
  });

  it('writes the audit events of requests answered just before and during the shutdown', async () => {
    const server = await start();
    const [first, second] = [(await login(server)).body, (await login(server)).body];
    const during = await heldRequest(portOf(server), '/v1/token-refresh', {
      username: 'admin',
      refresh_token: second.refresh_token,
    });
    // Buffered for 50 ms, off the request path, like every token.refreshed event.
    const before = await server.post('/v1/token-refresh', { username: 'admin', refresh_token: first.refresh_token });
    expect(before.status).toBe(200);

    const exit = terminate(server, 10000 + 5000);
    await sleep(300);
    during.finish();

    expect(statusOf(await during.answer)).toBe(200);
    const result = await exit;
    expect(await auditTrail()).toEqual([
      AuditEventType.LoginSucceeded,
      AuditEventType.LoginSucceeded,
      AuditEventType.TokenRefreshed,
      AuditEventType.TokenRefreshed,
    ]);
    expectCleanExit(result);
  });

  it('with SHUTDOWN_GRACE_MS=500, closes a request still in flight after 500 ms and exits 0', async () => {
    const server = await start({ SHUTDOWN_GRACE_MS: '500' });
    // Its body never completes: a client uploading slower than any grace period.
    const stuck = await heldRequest(portOf(server), '/v1/login', { username: 'admin', password: PASSWORD });

    const exit = terminate(server, 500 + 4500);

    const result = await exit;
    expect(await stuck.answer).toBe('');
    expectCleanExit(result);
    expect(`${result.stdout}${result.stderr}`).toContain('Grace period over: closing the connections still open');
    expect(result.afterMs).toBeGreaterThanOrEqual(500);
    // The grace period, then Nest's shutdown and the database closing.
    expect(result.afterMs).toBeLessThan(500 + 2500);
  });

  it('on a second signal during the wait, exits at once with code 1', async () => {
    const server = await start();
    const stuck = await heldRequest(portOf(server), '/v1/login', { username: 'admin', password: PASSWORD });
    const exit = terminate(server, 10000 + 5000);
    await sleep(200);

    server.child.kill('SIGTERM');

    const result = await exit;
    expect(await stuck.answer).toBe('');
    expect({ code: result.code, signal: result.signal }).toEqual({ code: 1, signal: null });
    expect(result.afterMs).toBeLessThan(2000);
    expect(`${result.stdout}${result.stderr}`).toContain('SIGTERM again: exiting without waiting');
  });
});
