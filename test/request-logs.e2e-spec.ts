import { randomBytes } from 'node:crypto';
import { eventually, killChildren, ServerProcess, startServer } from './support/processes';
import { mailSettings, SmtpCatcher, startSmtpCatcher } from './support/smtp-catcher';
import { createTestDatabase, TestDatabase } from './support/test-database';

// Each test starts the compiled server; production hashes the admin's password at cost 12.
jest.setTimeout(60000);

const PASSWORD = 'Request-Logs-Admin-Pass-37';
const WRONG_PASSWORD = 'Wrong-guess-for-the-log';

type Line = Record<string, unknown>;

/** Every line of stdout as JSON; fails on a line that is not one JSON object. */
function jsonLines(stdout: string): Line[] {
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const parsed: unknown = JSON.parse(line);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        throw new Error(`not an object: ${line}`);
      return parsed as Line;
    });
}

const accessLinesOf = (lines: Line[], requestId: string) =>
  lines.filter((line) => line.req_id === requestId && 'status' in line && 'ms' in line);

/** The compiled server's stdout, as a log store receives it in production. */
describe('request logs (e2e)', () => {
  let db: TestDatabase;
  let smtp: SmtpCatcher;

  beforeEach(async () => {
    db = await createTestDatabase();
    smtp = await startSmtpCatcher();
  });
  afterEach(async () => {
    await killChildren();
    await smtp.stop();
    await db.drop();
  });

  const start = (settings: Record<string, string>) =>
    startServer({
      DATABASE_URL: db.url,
      ADMIN_PASSWORD: PASSWORD,
      JWT_SECRET: randomBytes(32).toString('hex'),
      ...mailSettings(smtp),
      ...settings,
    });

  /** Waits until `count` lines satisfy `match`, so the lines of answered requests are all in. */
  async function logged(server: ServerProcess, match: (line: Line) => boolean, count = 1): Promise<void> {
    await eventually(() => (jsonLines(server.output().stdout).filter(match).length >= count ? true : undefined));
  }

  it('in production writes one JSON object a line, one access line a request, req_id on every line of it, and no secret', async () => {
    // No hashing job may wait: a burst of logins gets 503s, whose warning is written inside the request.
    const server = await start({ NODE_ENV: 'production', BCRYPT_COST: '12', PASSWORD_QUEUE_LIMIT: '0' });

    const wrong = await server.post(
      '/v1/login',
      { username: 'admin', password: WRONG_PASSWORD },
      { 'x-request-id': 'wrong-password-1' },
    );
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('x-request-id')).toBe('wrong-password-1');

    const tokens = (await server.post('/v1/login', { username: 'admin', password: PASSWORD })).body;
    expect(tokens.refresh_token).toEqual(expect.any(String));
    const me = await server.get('/v1/me', { authorization: `Bearer ${tokens.access_token}` });
    expect(me.status).toBe(200);
    const refreshed = await server.post('/v1/token-refresh', {
      username: 'admin',
      refresh_token: tokens.refresh_token,
    });
    expect(refreshed.status).toBe(200);
    expect((await server.get('/health/live?probe=query-string-value')).status).toBe(200);

    const burst = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        server.post(
          '/v1/login',
          { username: `nobody-${i}`, password: WRONG_PASSWORD },
          { 'x-request-id': `burst-${i}` },
        ),
      ),
    );
    const refused = burst.filter((response) => response.status === 503);
    expect(refused.length).toBeGreaterThan(0);
    const refusedIds = refused.map((response) => response.headers.get('x-request-id')!);

    await logged(server, (line) => line.req_id === 'wrong-password-1' && 'status' in line);
    await logged(server, (line) => refusedIds.includes(line.req_id as string) && 'status' in line, refused.length);
    const { stdout, stderr } = await server.stop();
    const lines = jsonLines(stdout);
    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines) expect(line).toMatchObject({ level: expect.any(String), time: expect.any(Number) });

    // The failed login: exactly one line, the access line, with the X-Request-Id answered.
    const wrongLines = lines.filter((line) => line.req_id === 'wrong-password-1');
    expect(wrongLines).toEqual([
      expect.objectContaining({ method: 'POST', route: '/v1/login', status: 401, ms: expect.any(Number) }),
    ]);
    // The route pattern, never the URL with its query.
    expect(lines).toContainEqual(expect.objectContaining({ method: 'GET', route: '/health/live', status: 200 }));

    // A line written while serving a request carries that request's req_id, beside its one access line.
    for (const id of refusedIds) {
      expect(lines.filter((line) => line.req_id === id && line.context === 'Exceptions')).toEqual([
        expect.objectContaining({ level: 'warn', msg: expect.stringContaining('Dependency unavailable') }),
      ]);
      expect(accessLinesOf(lines, id)).toEqual([expect.objectContaining({ route: '/v1/login', status: 503 })]);
    }
    for (let i = 0; i < burst.length; i++) expect(accessLinesOf(lines, `burst-${i}`)).toHaveLength(1);

    const output = `${stdout}${stderr}`;
    const secrets = [PASSWORD, WRONG_PASSWORD, 'query-string-value'];
    for (const body of [tokens, refreshed.body]) {
      for (const value of Object.values(body)) if (typeof value === 'string' && value.length >= 16) secrets.push(value);
    }
    expect(secrets.length).toBeGreaterThanOrEqual(6); // the access and refresh tokens at least
    expect(secrets.filter((secret) => output.includes(secret))).toEqual([]);
    expect(output).not.toMatch(/eyJ[\w-]{10,}\.eyJ[\w-]{10,}/);
  });

  it('with LOG_FORMAT=pretty writes text for a person instead of JSON', async () => {
    const server = await start({ LOG_FORMAT: 'pretty' });
    const wrong = await server.post('/v1/login', { username: 'admin', password: WRONG_PASSWORD });
    expect(wrong.status).toBe(401);
    const requestId = wrong.headers.get('x-request-id')!;
    await eventually(() => (server.output().stdout.includes(requestId) ? true : undefined));
    const { stdout } = await server.stop();

    const lines = stdout.split('\n').filter((line) => line.trim() !== '');
    expect(lines.length).toBeGreaterThan(5);
    for (const line of lines) expect(() => JSON.parse(line)).toThrow();
    expect(stdout).toMatch(/INFO.*request completed/);
    expect(stdout).toContain(requestId);
    expect(stdout).toContain('/v1/login');
    expect(stdout).not.toContain(WRONG_PASSWORD);
  });
});
