import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { LoginAttemptEntity } from '../src/auth/entities/login-attempt.entity';
import { Janitor } from '../src/database/janitor';
import { ADMIN_PASSWORD, startTestApp, TestApp } from './support/test-app';

const DAY = 24 * 3600 * 1000;

/** The tables strangers can grow are trimmed, by what the service itself wrote, and nothing still in use. */
describe('janitor (e2e)', () => {
  let api: TestApp;
  let dataSource: DataSource;

  beforeAll(async () => {
    api = await startTestApp({ RATE_LIMIT_PER_MINUTE: '0', AUDIT_RETENTION: '30d', OUTBOX_RETENTION: '2d' });
    dataSource = api.app.get(DataSource);
  });
  afterAll(() => api.close());

  const count = async (table: string) =>
    Number((await dataSource.query<Array<{ n: number | string }>>(`SELECT COUNT(*) AS n FROM ${table}`))[0].n);
  const counts = async () =>
    Object.fromEntries(
      await Promise.all(
        ['login_attempts', 'rate_limits', 'audit_events', 'mail_outbox', 'refresh_tokens'].map(
          async (table) => [table, await count(table)] as const,
        ),
      ),
    );
  const trimAt = (offsetMs: number) => api.app.get(Janitor).runOnce(new Date(Date.now() + offsetMs));

  it('keeps what is still in use, and trims each table once its rows have outlived it', async () => {
    for (const name of ['stranger-1', 'stranger-2', 'stranger-3']) {
      expect((await api.post('/v1/login', { username: name, password: 'a-wrong-guess' })).status).toBe(401);
    }
    expect((await api.post('/v1/forgot-password', { username: 'no-account-here' })).status).toBe(200);
    expect((await api.post('/v1/login', { username: 'admin', password: ADMIN_PASSWORD })).status).toBe(200);
    // The outbox worker finds no account for the name and marks the message done.
    for (let i = 0; i < 50 && (await count('mail_outbox WHERE completed_at IS NULL')) > 0; i += 1) await sleep(100);
    const written = await counts();
    // Rate limits: the failed logins of this address, and forgot-password requests for the name.
    expect(written).toEqual({ login_attempts: 3, rate_limits: 2, audit_events: 5, mail_outbox: 1, refresh_tokens: 1 });

    await trimAt(0);
    expect(await counts()).toEqual(written);

    // 16 minutes on the lockout's quiet period is over; 2 hours on every rate-limit window.
    await trimAt(16 * 60 * 1000);
    expect(await count('login_attempts')).toBe(0);
    await trimAt(2 * 3600 * 1000);
    expect(await count('rate_limits')).toBe(0);
    // Past OUTBOX_RETENTION (2 days) and AUDIT_RETENTION (30 days).
    await trimAt(3 * DAY);
    expect(await count('mail_outbox')).toBe(0);
    expect(await count('audit_events')).toBe(written.audit_events);
    await trimAt(31 * DAY);
    expect(await count('audit_events')).toBe(0);
    // A session lives 90 days from login; it goes a day after that.
    expect(await count('refresh_tokens')).toBe(1);
    await trimAt(92 * DAY);
    expect(await count('refresh_tokens')).toBe(0);
  });

  it('works through a backlog in batches', async () => {
    const old = new Date(Date.now() - DAY);
    const rows = Array.from({ length: 1234 }, (_, i) => ({
      username: `backlog-${i}`,
      failures: 1,
      lastFailureAt: old,
      lockedUntil: null,
    }));
    const attempts = dataSource.getRepository(LoginAttemptEntity);
    for (let i = 0; i < rows.length; i += 200) await attempts.insert(rows.slice(i, i + 200));

    const deleted = await trimAt(0);

    expect(deleted.login_attempts).toBeGreaterThanOrEqual(1234);
    expect(await count("login_attempts WHERE username LIKE 'backlog-%'")).toBe(0);
  });
});
