import { connect, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { ADMIN_PASSWORD, startTestApp, TestApp } from './support/test-app';

/** Opens a raw connection to the app, so a test can send a request as slowly or as much as it likes. */
function rawConnection(url: string) {
  const { hostname, port } = new URL(url.replace('[::1]', '127.0.0.1'));
  const socket: Socket = connect(Number(port), hostname);
  let received = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
  socket.on('error', () => undefined); // EPIPE/ECONNRESET once the server hangs up: what some tests wait for
  const closed = new Promise<number>((resolve) => {
    const start = Date.now();
    socket.once('close', () => resolve(Date.now() - start));
  });
  return { socket, closed, received: () => received };
}

/** Writes one byte every `everyMs` until the socket closes (or `max` bytes went out). */
async function trickle(socket: Socket, bytes: string, everyMs: number): Promise<void> {
  for (const byte of bytes) {
    if (socket.destroyed || socket.writableEnded) return;
    socket.write(byte);
    await sleep(everyMs);
  }
}

describe('clients that send slowly (e2e)', () => {
  let api: TestApp;

  beforeAll(async () => {
    api = await startTestApp({ REQUEST_TIMEOUT_MS: '1000', RATE_LIMIT_PER_MINUTE: '0' });
  });
  afterAll(() => api.close());

  it('answers 408 and closes a connection whose body trickles in a byte at a time', async () => {
    const { socket, closed, received } = rawConnection(api.url);
    socket.write('POST /v1/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 60\r\n\r\n');
    void trickle(socket, '{"username":"admin","password":"' + 'x'.repeat(40), 200);

    // 60 bytes at 5 a second would take 12 s; the timeout is 1 s (checked every 200 ms).
    const after = await closed;
    expect(after).toBeLessThan(5000);
    expect(received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('closes a connection whose headers trickle in', async () => {
    const { socket, closed } = rawConnection(api.url);
    void trickle(socket, 'POST /v1/login HTTP/1.1\r\nHost: x\r\nX-Slow: ' + 'y'.repeat(100), 200);

    expect(await closed).toBeLessThan(5000);
  });

  it('still serves everyone else', async () => {
    expect((await api.post('/v1/login', { username: 'admin', password: ADMIN_PASSWORD })).status).toBe(200);
  });
});

describe('clients that send too much (e2e)', () => {
  let api: TestApp;

  beforeAll(async () => {
    api = await startTestApp({ RATE_LIMIT_PER_MINUTE: '0' });
  });
  afterAll(() => api.close());

  it.each([
    ['2 MB', 2_000_000],
    ['3.9 MB', 3_900_000],
  ])('lets a client still sending a %s body read the 413', async (_name, size) => {
    const body = JSON.stringify({ username: 'admin', password: 'x'.repeat(size) });
    const response = await fetch(`${api.url.replace('[::1]', '127.0.0.1')}/v1/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });

    expect(response.status).toBe(413);
    await expect(response.json()).resolves.toEqual({
      message: 'Request body is too large.',
      status: 413,
      code: 'PayloadTooLarge',
    });
  });

  it('reads no more than its bound of a larger body before hanging up', async () => {
    const { socket, closed, received } = rawConnection(api.url);
    socket.write(
      'POST /v1/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n',
    );
    const chunk = 'x'.repeat(64 * 1024);
    let sent = 0;
    const hungUp = closed.then(() => true);
    while (sent < 100_000_000 && !(await Promise.race([hungUp, sleep(0).then(() => false)]))) {
      if (!socket.write(chunk)) await Promise.race([new Promise((resolve) => socket.once('drain', resolve)), hungUp]);
      sent += chunk.length;
    }

    await closed;
    expect(sent).toBeLessThan(20_000_000);
    expect(received()).toMatch(/^HTTP\/1\.1 413 /);
  });
});

describe('a login flood past PASSWORD_QUEUE_LIMIT (e2e)', () => {
  let api: TestApp;

  beforeAll(async () => {
    // Cost 10: each check takes tens of milliseconds, so a burst outruns the hashing threads.
    api = await startTestApp({ PASSWORD_QUEUE_LIMIT: '2', BCRYPT_COST: '10', RATE_LIMIT_PER_MINUTE: '0' });
  });
  afterAll(() => api.close());

  it('answers 503 with Retry-After at once past the queue, and keeps /health and token-refresh serving', async () => {
    const { body: session } = await api.post('/v1/login', { username: 'admin', password: ADMIN_PASSWORD });
    const flood = Array.from({ length: 40 }, (_, i) =>
      api.post('/v1/login', { username: `flood-${i}`, password: 'not-a-real-one' }),
    );
    const health = await api.get('/health');
    const refresh = await api.post('/v1/token-refresh', { username: 'admin', refresh_token: session.refresh_token });
    const answers = await Promise.all(flood);

    expect(health.status).toBe(200);
    expect(refresh.status).toBe(200);
    const turnedAway = answers.filter((answer) => answer.status === 503);
    expect(turnedAway.length).toBeGreaterThan(0);
    expect(answers.every((answer) => answer.status === 401 || answer.status === 503)).toBe(true);
    for (const answer of turnedAway) {
      expect(answer.body).toMatchObject({ status: 503, code: 'ServiceUnavailable' });
      expect(answer.headers.get('retry-after')).toBe('1');
    }
  });
});
