import { createConnection } from 'mysql2/promise';
import { MIGRATIONS } from '../src/database/migrations';
import { killChildren, startServer } from './support/processes';
import { mailSettings, SmtpCatcher, startSmtpCatcher } from './support/smtp-catcher';
import { createTestDatabase, TestDatabase } from './support/test-database';
import { awayFromStepEdge, codeFor } from './support/totp';
import { randomBytes } from 'node:crypto';

// Several compiled servers on one MariaDB database, as a load balancer would run them.
jest.setTimeout(120000);

const TEMPORARY_PASSWORD_LINE = /temporary password: (\S+)/i;

async function query<T>(db: TestDatabase, sql: string): Promise<T[]> {
  const connection = await createConnection(db.url);
  try {
    const [rows] = await connection.query(sql);
    return rows as T[];
  } finally {
    await connection.end();
  }
}

describe('several instances on one database (e2e, MariaDB)', () => {
  let db: TestDatabase | undefined;
  let smtp: SmtpCatcher | undefined;

  afterEach(async () => {
    await killChildren();
    await smtp?.stop();
    await db?.drop();
    db = smtp = undefined;
  });

  it('starting together on an empty database, all come up, migrate it once and create one admin', async () => {
    db = await createTestDatabase();
    const instances = await Promise.all(Array.from({ length: 4 }, () => startServer({ DATABASE_URL: db!.url }, 60000)));

    const applied = await query<{ name: string; count: number }>(
      db,
      'SELECT name, COUNT(*) AS count FROM migrations GROUP BY name ORDER BY name',
    );
    expect(applied).toHaveLength(MIGRATIONS.length);
    expect(applied.every((row) => Number(row.count) === 1)).toBe(true);
    const admins = await query<{ username: string }>(db, 'SELECT username FROM users');
    expect(admins).toEqual([{ username: 'admin' }]);
    // Exactly one instance created the admin, and so only one knows its temporary password.
    const printed = instances.filter((instance) => TEMPORARY_PASSWORD_LINE.test(instance.output().stdout));
    expect(printed).toHaveLength(1);
    for (const instance of instances) expect(instance.output().stderr).toBe('');
  });

  it('delivers each outbox message once, whichever instance claims it', async () => {
    db = await createTestDatabase();
    smtp = await startSmtpCatcher();
    const settings = {
      DATABASE_URL: db.url,
      ADMIN_PASSWORD: 'Several-Instances-1',
      RATE_LIMIT_PER_MINUTE: '0',
      FORGOT_PASSWORD_PER_HOUR: '1000',
      ...mailSettings(smtp),
      // Both instances poll often, so they contend for every message.
      MAIL_POLL_INTERVAL_MS: '50',
    };
    const first = await startServer(settings);
    const second = await startServer(settings);
    const requests = 24;

    const answers = await Promise.all(
      Array.from({ length: requests }, (_, i) =>
        (i % 2 === 0 ? first : second).post('/v1/forgot-password', { username: 'admin' }),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(requests).fill(200));

    const pending = async () =>
      Number(
        (await query<{ n: number }>(db!, 'SELECT COUNT(*) AS n FROM mail_outbox WHERE completed_at IS NULL'))[0].n,
      );
    const deadline = Date.now() + 30000;
    while ((await pending()) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await pending()).toBe(0);
    // Time for a duplicate sent late by the other instance to arrive, if there were one.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(smtp.messages).toHaveLength(requests);
  });

  it('refuses a TOTP code on one instance once another has accepted it', async () => {
    db = await createTestDatabase();
    const password = 'Several-Instances-2';
    const settings = {
      DATABASE_URL: db.url,
      ADMIN_PASSWORD: password,
      RATE_LIMIT_PER_MINUTE: '0',
      JWT_SECRET: randomBytes(36).toString('base64url'),
      MFA_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    };
    const first = await startServer(settings);
    const second = await startServer(settings);
    const auth = {
      authorization: `Bearer ${(await first.post('/v1/login', { username: 'admin', password })).body.access_token}`,
    };
    const setup = await first.post('/v1/mfa/totp/setup', {}, auth);
    await awayFromStepEdge();
    expect((await second.post('/v1/mfa/totp/verify', { code: codeFor(setup.body.secret_code, -1) }, auth)).status).toBe(
      200,
    );

    const challenge = async (server: typeof first) =>
      (await server.post('/v1/login', { username: 'admin', password })).body.session as string;
    const sessions = [await challenge(first), await challenge(second)];
    const code = codeFor(setup.body.secret_code);
    const answers = await Promise.all(
      [first, second].map((server, i) =>
        server.post('/v1/software-token-mfa', { session: sessions[i], username: 'admin', code }),
      ),
    );
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 401]);
    expect(answers.find((answer) => answer.status === 401)!.body.code).toBe('CodeMismatch');
  });
});
