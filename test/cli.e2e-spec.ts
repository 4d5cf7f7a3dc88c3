import { createPrivateKey } from 'node:crypto';
import { userInfo } from 'node:os';
import { DataSource } from 'typeorm';
import { loadJwtKeys } from '../src/tokens/jwt-keys';
import { killChildren, ProcessResult, runCli } from './support/processes';
import { mailSettings, startSmtpCatcher } from './support/smtp-catcher';
import { startTestApp, TestApp } from './support/test-app';
import { createTestDatabase, TestDatabase } from './support/test-database';

/** The CLI is run as an operator runs it (the compiled `npm run cli`), on the database the app serves. */
describe('operator CLI: seed-admin and create-user (e2e)', () => {
  const ADMIN_FINAL_PASSWORD = 'Seeded-By-The-Cli-42';
  let db: TestDatabase;
  let api: TestApp;
  let seeded: ProcessResult;

  const cli = (args: string[], settings: Record<string, string> = {}, input?: string) =>
    runCli(args, { DATABASE_URL: db.url, ...settings }, { input });
  const login = (username: string, password: string) => api.post('/v1/login', { username, password });
  const profile = (accessToken: string) => api.get('/v1/me', { authorization: `Bearer ${accessToken}` });

  /** The one-line failure the contract promises: non-zero exit, one stderr line, no stack. */
  function expectOneLineFailure(result: ProcessResult, reason: RegExp): void {
    expect(result.code).toBeGreaterThan(0);
    expect(result.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(reason)]);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(result.stdout).toBe('');
  }

  function temporaryPasswordIn(stdout: string): string {
    const match = /Temporary password: (\S+)/.exec(stdout);
    if (!match) throw new Error(`no temporary password printed:\n${stdout}`);
    return match[1];
  }

  const challenge = {
    challenge_name: 'NEW_PASSWORD_REQUIRED',
    session: expect.any(String),
    id_token: null,
    access_token: null,
    refresh_token: null,
    expires_in: 180,
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    // The CLI seeds before the server's first start. The server is given no ADMIN_PASSWORD, so
    // had the CLI seeded nothing, its admin would get a generated password and the login fail.
    seeded = await cli(['seed-admin', '--email', 'root@example.com', '--password', ADMIN_FINAL_PASSWORD]);
    api = await startTestApp({ ADMIN_PASSWORD: '' }, db);
  });
  afterEach(() => killChildren());
  afterAll(async () => {
    await killChildren();
    await api?.close();
    await db?.drop();
  });

  it('seed-admin --password creates an admin whose password is final', async () => {
    expect(seeded).toMatchObject({ code: 0, stderr: '' });
    expect(seeded.stdout).toContain('Created admin "admin" (root@example.com).');
    expect(seeded.stdout).not.toContain(ADMIN_FINAL_PASSWORD);

    const response = await login('admin', ADMIN_FINAL_PASSWORD);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ challenge_name: null, session: null, access_token: expect.any(String) });
    await expect(profile(response.body.access_token)).resolves.toMatchObject({
      status: 200,
      body: { username: 'admin', email: 'root@example.com', status: 'ACTIVE', roles: ['admin'] },
    });
  });

  it('seed-admin is idempotent: a second run says the admin exists and changes nothing', async () => {
    const again = await cli(['seed-admin', '--email', 'other@example.com', '--password', 'Another-Admin-Pass-77']);

    expect(again).toMatchObject({ code: 0, stderr: '' });
    expect(again.stdout).toMatch(/"admin" already exists/);
    expect((await login('admin', 'Another-Admin-Pass-77')).status).toBe(401);
    const { body: tokens } = await login('admin', ADMIN_FINAL_PASSWORD);
    expect((await profile(tokens.access_token)).body.email).toBe('root@example.com');
  });

  it('create-user without a password prints a generated temporary password once; first login is challenged', async () => {
    const result = await cli(['create-user', '--username', 'alice', '--email', 'alice@example.com']);

    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain('Created user "alice" (alice@example.com).');
    const temporary = temporaryPasswordIn(result.stdout);
    expect(result.stdout.split(temporary)).toHaveLength(2);

    const first = await login('alice', temporary);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject(challenge);
    expect(first.body.session).not.toBe('');

    // The challenge is the way in: answering it gives a normal user their tokens.
    const answered = await api.post('/v1/new-password-required', {
      session: first.body.session,
      username: 'alice',
      new_password: 'Alice-Chose-This-One-9',
    });
    expect(answered.status).toBe(200);
    await expect(profile(answered.body.access_token)).resolves.toMatchObject({
      status: 200,
      body: { username: 'alice', status: 'ACTIVE', roles: ['user'] },
    });
  });

  it('create-user --temporary-password sets that password as temporary', async () => {
    const result = await cli([
      'create-user',
      '--username',
      'carol',
      '--email',
      'carol@example.com',
      '--temporary-password',
      'Carol-Temporary-31',
    ]);

    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).not.toMatch(/Temporary password:/);
    const first = await login('carol', 'Carol-Temporary-31');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject(challenge);
  });

  it('create-user --password sets a final password: login yields tokens, role user', async () => {
    const result = await cli([
      'create-user',
      '--username',
      'dave',
      '--email',
      'dave@example.com',
      '--password',
      'Dave-Final-Pass-77',
    ]);

    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).not.toContain('Dave-Final-Pass-77');
    const response = await login('dave', 'Dave-Final-Pass-77');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      challenge_name: null,
      session: null,
      id_token: expect.any(String),
      access_token: expect.any(String),
      refresh_token: expect.any(String),
    });
    await expect(profile(response.body.access_token)).resolves.toMatchObject({ body: { roles: ['user'] } });
  });

  it.each([
    ['--password-stdin', ['--password-stdin'], {}, 'Erin-Piped-Pass-81\n'],
    ['CLI_PASSWORD', [], { CLI_PASSWORD: 'Erin-Piped-Pass-81' }, undefined],
  ])('create-user takes a final password from %s, out of the process list', async (_how, flags, env, input) => {
    const username = `erin-${flags.length}`;
    const result = await cli(
      ['create-user', '--username', username, '--email', 'erin@example.com', ...flags],
      env,
      input,
    );

    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).not.toContain('Erin-Piped-Pass-81');
    const response = await login(username, 'Erin-Piped-Pass-81');
    expect(response.status).toBe(200);
    expect(response.body.challenge_name).toBeNull();
  });

  it('seed-admin --password-stdin reads the admin password from a pipe', async () => {
    const result = await cli(
      ['seed-admin', '--username', 'root2', '--password-stdin'],
      {},
      'Root-Two-Piped-Pass-9\r\n',
    );

    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect((await login('root2', 'Root-Two-Piped-Pass-9')).status).toBe(200);
  });

  it.each([
    ['--password with --password-stdin', ['--password', 'Frank-Pass-Word-55', '--password-stdin'], /not both/],
    [
      '--password-stdin with --temporary-password',
      ['--password-stdin', '--temporary-password', 'Frank-Temp-55'],
      /not both/,
    ],
  ])('refuses %s in one line', async (_name, flags, reason) => {
    const result = await cli(['create-user', '--username', 'frank', '--email', 'f@example.com', ...flags], {}, 'x\n');

    expectOneLineFailure(result, reason);
    expect((await login('frank', 'Frank-Pass-Word-55')).status).toBe(401);
  });

  it('refuses --password-stdin with nothing piped in', async () => {
    const result = await cli(
      ['create-user', '--username', 'grace', '--email', 'g@example.com', '--password-stdin'],
      {},
      '',
    );

    expectOneLineFailure(result, /read no password/);
  });

  it('create-user --admin gives the admin role', async () => {
    const result = await cli([
      'create-user',
      '--username',
      'erin',
      '--email',
      'erin@example.com',
      '--password',
      'Erin-Admin-Pass-58',
      '--admin',
    ]);

    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain('Created admin "erin"');
    const { body: tokens } = await login('erin', 'Erin-Admin-Pass-58');
    await expect(profile(tokens.access_token)).resolves.toMatchObject({ status: 200, body: { roles: ['admin'] } });
  });

  it('refuses a username that exists in another letter case, in one line, changing nothing', async () => {
    const first = await cli([
      'create-user',
      '--username',
      'frank',
      '--email',
      'f1@example.com',
      '--password',
      'Frank-First-Pass-1',
    ]);
    expect(first.code).toBe(0);

    const duplicate = await cli([
      'create-user',
      '--username',
      'FRANK',
      '--email',
      'f2@example.com',
      '--password',
      'Frank-Second-Pass-2',
    ]);

    expectOneLineFailure(duplicate, /"frank" already exists/);
    expect((await login('frank', 'Frank-Second-Pass-2')).status).toBe(401);
    expect((await login('frank', 'Frank-First-Pass-1')).status).toBe(200);
  });

  it('refuses create-user without --email', async () => {
    const result = await cli(['create-user', '--username', 'grace', '--password', 'Grace-Final-Pass-3']);

    expectOneLineFailure(result, /--email/);
    expect((await login('grace', 'Grace-Final-Pass-3')).status).toBe(401);
  });

  it('refuses an invalid email', async () => {
    const result = await cli([
      'create-user',
      '--username',
      'heidi',
      '--email',
      'not-an-email',
      '--password',
      'Heidi-Final-Pass-4',
    ]);

    expectOneLineFailure(result, /email must be a valid email address/);
    expect((await login('heidi', 'Heidi-Final-Pass-4')).status).toBe(401);
  });

  it('refuses a too-common password', async () => {
    const result = await cli([
      'create-user',
      '--username',
      'ivan',
      '--email',
      'ivan@example.com',
      '--password',
      'password1',
    ]);

    expectOneLineFailure(result, /too common/i);
    expect((await login('ivan', 'password1')).status).toBe(401);
  });

  it('disable-user, enable-user and sign-out-user do what the admin routes do, audited as cli:<user>', async () => {
    const password = 'Ivan-User-Pass-73';
    const created = await cli([
      'create-user',
      '--username',
      'ivan',
      '--email',
      'ivan@example.com',
      '--password',
      password,
    ]);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    const before = (await login('ivan', password)).body;
    const refresh = (tokens: { refresh_token: string }) =>
      api.post('/v1/token-refresh', { username: 'ivan', refresh_token: tokens.refresh_token });

    const disabled = await cli(['disable-user', '--username', 'IVAN']);
    expect({ code: disabled.code, stdout: disabled.stdout, stderr: disabled.stderr }).toEqual({
      code: 0,
      stdout: 'Disabled "ivan"; every session of it has ended.\n',
      stderr: '',
    });
    expect((await refresh(before)).status).toBe(401);
    expect((await login('ivan', password)).status).toBe(401);

    expect((await cli(['enable-user', '--username', 'ivan'])).stdout).toBe('Enabled "ivan" (ACTIVE).\n');
    expect((await refresh(before)).status).toBe(401); // ended by the disable, for good
    const after = (await login('ivan', password)).body;
    expect((await refresh(after)).status).toBe(200);

    const signedOut = await cli(['sign-out-user', '--username', 'ivan']);
    expect(signedOut).toMatchObject({ code: 0, stdout: 'Signed "ivan" out of every session.\n', stderr: '' });
    expect((await refresh(after)).status).toBe(401);

    const actors = await api.app
      .get(DataSource)
      .query(
        "SELECT type, actor FROM audit_events WHERE username = 'ivan' AND type LIKE 'admin.%' ORDER BY created_at",
      );
    expect(actors).toEqual([
      { type: 'admin.user_disabled', actor: `cli:${userInfo().username}` },
      { type: 'admin.user_enabled', actor: `cli:${userInfo().username}` },
      { type: 'admin.user_signed_out', actor: `cli:${userInfo().username}` },
    ]);
  });

  it('reset-password sets a temporary password, ends every session, and mails a generated one when none is given', async () => {
    const password = 'Lena-User-Pass-58';
    const created = await cli([
      'create-user',
      '--username',
      'lena',
      '--email',
      'lena@example.com',
      '--password',
      password,
    ]);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    const tokens = (await login('lena', password)).body;

    const given = await cli(['reset-password', '--username', 'LENA', '--temporary-password', 'Handed-Over-Pass-61']);
    expect(given).toMatchObject({ code: 0, stderr: '' });
    expect(given.stdout).toMatch(/^Set a temporary password for "lena"; every session has ended\. Hand it over/);
    expect((await profile(tokens.access_token)).status).toBe(401);
    expect((await login('lena', password)).status).toBe(401);
    expect((await login('lena', 'Handed-Over-Pass-61')).body).toEqual(challenge);

    const generated = await cli(['reset-password', '--username', 'lena']);
    expect(generated).toMatchObject({ code: 0, stderr: '' });
    expect(generated.stdout).toMatch(/A generated one is queued for mail/);
    expect((await login('lena', 'Handed-Over-Pass-61')).status).toBe(401);
    const queued = await api.app
      .get(DataSource)
      .query("SELECT payload FROM mail_outbox WHERE kind = 'temporary-password'");
    expect(queued).toHaveLength(1);
    expect(JSON.stringify(queued)).not.toMatch(/Pass/);

    const weak = await cli(['reset-password', '--username', 'lena', '--temporary-password', 'short']);
    expectOneLineFailure(weak, /^error: .*password/i);
  });

  it.each(['disable-user', 'enable-user', 'sign-out-user', 'reset-password'])(
    '%s refuses an unknown user in one line',
    async (command) => {
      expectOneLineFailure(await cli([command, '--username', 'nobody']), /^error: User not found\.$/);
    },
  );

  it('refuses an unknown command', async () => {
    expectOneLineFailure(await cli(['frobnicate']), /unknown command 'frobnicate'/);
  });

  it.each([
    ['DATABASE_URL', { DATABASE_URL: 'postgres://u:secretpw@h/db' }],
    ['BCRYPT_COST', { BCRYPT_COST: 'abc' }],
  ])('refuses a bad %s in one line that names it', async (name, settings) => {
    const result = await cli(['seed-admin', '--password', 'Never-Created-Pass-5'], settings);

    expectOneLineFailure(result, new RegExp(name));
    expect(result.stderr).not.toContain('secretpw');
  });

  it('refuses in one line naming the reason and DATABASE_URL, never its password, when the database is unreachable', async () => {
    const result = await cli(['seed-admin', '--password', 'Never-Created-Pass-5'], {
      DATABASE_URL: 'mysql://root:s3cret-pw@127.0.0.1:1/nothing',
    });

    expectOneLineFailure(result, /^error: cannot reach the database \(ECONNREFUSED\); check DATABASE_URL$/);
    expect(result.stderr).not.toContain('s3cret-pw');
  });

  it('mails a temporary password to its owner when SMTP is configured, and says so', async () => {
    const smtp = await startSmtpCatcher();
    try {
      const result = await cli(
        ['create-user', '--username', 'judy', '--email', 'judy@example.com'],
        mailSettings(smtp),
      );
      const password = temporaryPasswordIn(result.stdout);

      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout).toContain('Mailed the temporary password to judy@example.com.');
      const mail = await smtp.waitForMail((m) => m.to.includes('judy@example.com'));
      expect(mail.text.split(/\r?\n/)).toContain(password);
      expect(mail.html).toContain(password);
    } finally {
      await smtp.stop();
    }
  });

  it('still creates the account and warns when the mail cannot be sent', async () => {
    const smtp = await startSmtpCatcher();
    const settings = mailSettings(smtp);
    await smtp.stop();

    const result = await cli(['create-user', '--username', 'kim', '--email', 'kim@example.com'], settings);

    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^warning: could not mail the temporary password/);
    expect((await login('kim', temporaryPasswordIn(result.stdout))).body).toEqual(challenge);
  });
});

describe('operator CLI: generate-key (e2e)', () => {
  // Production with no key and a database nothing answers at: the command needs neither.
  const settings = { NODE_ENV: 'production', DATABASE_URL: 'mysql://root@127.0.0.1:1/none', JWT_SECRET: '' };

  it.each([
    ['generate-key', 'ec', 'prime256v1', undefined, 'ES256'],
    ['generate-key --type rs256', 'rsa', undefined, 3072, 'RS256'],
  ])(
    '%s prints a PEM private key the server takes as JWT_PRIVATE_KEY, and its kid on stderr',
    async (command, type, curve, bits, alg) => {
      const result = await runCli(command.split(' '), settings);

      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^-----BEGIN PRIVATE KEY-----\n[\s\S]+\n-----END PRIVATE KEY-----\n$/);
      const key = createPrivateKey(result.stdout);
      expect(key.asymmetricKeyType).toBe(type);
      if (curve) expect(key.asymmetricKeyDetails?.namedCurve).toBe(curve);
      if (bits) expect(key.asymmetricKeyDetails?.modulusLength).toBe(bits);
      const { kid } = loadJwtKeys({ JWT_PRIVATE_KEY: result.stdout });
      expect(result.stderr).toBe(`${alg} key, kid ${kid}: set it as JWT_PRIVATE_KEY (see docs/operations.md)\n`);
    },
  );

  it('makes a new key each time', async () => {
    const [a, b] = await Promise.all([runCli(['generate-key'], settings), runCli(['generate-key'], settings)]);
    expect(a.stdout).not.toBe(b.stdout);
  });

  it('refuses an unknown type with one line and exit 1, printing no key', async () => {
    const result = await runCli(['generate-key', '--type', 'ed25519'], settings);
    expect({ code: result.code, stdout: result.stdout, stderr: result.stderr }).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: --type must be es256 or rs256, got "ed25519"\n',
    });
  });
});
