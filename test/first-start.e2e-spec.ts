import { eventually, killChildren, ProcessResult, ServerProcess, spawnServer, startServer } from './support/processes';
import { createTestDatabase, TestDatabase } from './support/test-database';
import { awayFromStepEdge, codeFor } from './support/totp';
import { randomBytes } from 'node:crypto';

// Some tests start the server twice; each start loads the whole compiled app.
jest.setTimeout(60000);

/** The compiled server (`npm start`) on an empty database, as a new operator first runs it. */
describe('server first start (e2e)', () => {
  const TEMPORARY_PASSWORD_LINE = /temporary password: (\S+)/i;
  let db: TestDatabase | undefined;

  const emptyDatabase = async () => (db = await createTestDatabase());
  const login = (server: ServerProcess, password: string) => server.post('/v1/login', { username: 'admin', password });

  /** Resolves with the exit of a server that is expected to refuse to start. */
  async function exitOf(server: ServerProcess, timeoutMs = 15000): Promise<ProcessResult> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`server still running after ${timeoutMs} ms:\n${server.output().stderr}`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([server.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  function expectStartupFailure(result: ProcessResult, reason: RegExp): void {
    expect(result.code).toBeGreaterThan(0);
    expect(result.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^Startup failed: /)]);
    expect(result.stderr).toMatch(reason);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  }

  afterEach(async () => {
    await killChildren();
    await db?.drop();
    db = undefined;
  });

  it('without ADMIN_PASSWORD prints a generated temporary password once, and never again', async () => {
    const { url } = await emptyDatabase();
    const first = await startServer({ DATABASE_URL: url });

    const password = await eventually(() => TEMPORARY_PASSWORD_LINE.exec(first.output().stdout)?.[1]);
    expect(password).toEqual(expect.stringMatching(/^\S{12,}$/));
    const challenged = await login(first, password!);
    expect(challenged.status).toBe(200);
    expect(challenged.body).toMatchObject({
      challenge_name: 'NEW_PASSWORD_REQUIRED',
      session: expect.any(String),
      id_token: null,
      access_token: null,
      refresh_token: null,
    });

    const firstRun = await first.stop();
    expect(firstRun.stdout.split(password!)).toHaveLength(2);
    expect(firstRun.stderr).not.toContain(password);

    const second = await startServer({ DATABASE_URL: url });
    // The account is the one seeded before, still waiting for its new password.
    await expect(login(second, password!)).resolves.toMatchObject({
      status: 200,
      body: { challenge_name: 'NEW_PASSWORD_REQUIRED' },
    });
    const secondRun = await second.stop();
    expect(secondRun.stdout).not.toMatch(TEMPORARY_PASSWORD_LINE);
    expect(`${secondRun.stdout}${secondRun.stderr}`).not.toContain(password);
  });

  it('with ADMIN_PASSWORD creates the admin with that final password', async () => {
    const { url } = await emptyDatabase();
    const server = await startServer({ DATABASE_URL: url, ADMIN_PASSWORD: 'First-Start-Admin-88' });

    const response = await login(server, 'First-Start-Admin-88');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      challenge_name: null,
      session: null,
      id_token: expect.any(String),
      access_token: expect.any(String),
      refresh_token: expect.any(String),
    });

    const run = await server.stop();
    expect(run.stdout).not.toMatch(TEMPORARY_PASSWORD_LINE);
    expect(`${run.stdout}${run.stderr}`).not.toContain('First-Start-Admin-88');
  });

  it.each([
    ['BCRYPT_COST', { BCRYPT_COST: 'abc' }],
    ['DATABASE_URL', { DATABASE_URL: 'postgres://u:secretpw@h/db' }],
    // Development too: a short HMAC key falls to an offline search of any token it signed.
    ['JWT_SECRET', { JWT_SECRET: 'secretpw' }],
  ])('refuses to start on a bad %s, in one line that names it', async (name, settings) => {
    const { url } = await emptyDatabase();
    const result = await exitOf(await spawnServer({ DATABASE_URL: url, ...settings }));

    expectStartupFailure(result, new RegExp(name));
    expect(`${result.stdout}${result.stderr}`).not.toContain('secretpw');
  });

  it('refuses to start in production without JWT_SECRET', async () => {
    const { url } = await emptyDatabase();
    // Everything else production asks for is given, so JWT_SECRET is the only thing missing.
    const server = await spawnServer({
      NODE_ENV: 'production',
      DATABASE_URL: url,
      BCRYPT_COST: '12',
      SMTP_URL: 'smtp://127.0.0.1:2525',
      MAIL_FROM: 'auth@example.com',
      ADMIN_PASSWORD: 'Production-Admin-Pass-61',
    });

    expectStartupFailure(await exitOf(server), /JWT_SECRET/);
  });

  it('refuses to start in production without MFA_ENCRYPTION_KEY once an account has a second factor', async () => {
    const { url } = await emptyDatabase();
    const key = randomBytes(32).toString('base64');
    const password = 'Factor-Admin-Pass-62';
    const dev = await startServer({ DATABASE_URL: url, ADMIN_PASSWORD: password, MFA_ENCRYPTION_KEY: key });
    const auth = { authorization: `Bearer ${(await login(dev, password)).body.access_token}` };
    const setup = await dev.post('/v1/mfa/totp/setup', {}, auth);
    await awayFromStepEdge();
    expect((await dev.post('/v1/mfa/totp/verify', { code: codeFor(setup.body.secret_code) }, auth)).status).toBe(200);
    await dev.stop();

    const production = {
      NODE_ENV: 'production',
      DATABASE_URL: url,
      BCRYPT_COST: '12',
      SMTP_URL: 'smtp://127.0.0.1:2525',
      MAIL_FROM: 'auth@example.com',
      JWT_SECRET: randomBytes(36).toString('base64url'),
    };
    expectStartupFailure(await exitOf(await spawnServer(production)), /MFA_ENCRYPTION_KEY is required/);
    const withKey = await startServer({ ...production, MFA_ENCRYPTION_KEY: key });
    await withKey.stop();
  });
});
