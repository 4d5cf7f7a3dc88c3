import { DataSource } from 'typeorm';
import { mailSettings, SmtpCatcher, startSmtpCatcher } from './support/smtp-catcher';
import { ADMIN_PASSWORD, startTestApp, TestApp } from './support/test-app';

const AGENT = { 'user-agent': 'audit-spec/1.0' };
const CODE_LINE = /^[A-HJ-NP-Za-km-z2-9]{8}$/m;

describe('audit trail of security events (e2e)', () => {
  let api: TestApp;
  let smtp: SmtpCatcher;

  beforeAll(async () => {
    smtp = await startSmtpCatcher();
    api = await startTestApp({ ...mailSettings(smtp), REFRESH_TOKEN_ROTATION: 'true', REFRESH_TOKEN_REUSE_GRACE: '1' });
  });
  afterAll(async () => {
    await api.close();
    await smtp.stop();
  });

  interface AuditRow {
    type: string;
    user_id: string | null;
    username: string | null;
    ip_address: string;
    user_agent: string;
  }
  const events = () =>
    api.app
      .get(DataSource)
      .query<AuditRow[]>(
        'SELECT type, user_id, username, ip_address, user_agent FROM audit_events ORDER BY created_at, id',
      );

  it('records who did what, when and from where, for every security event', async () => {
    await api.post('/v1/login', { username: 'admin', password: 'wrong-password' }, AGENT);
    await api.post('/v1/login', { username: 'ghost', password: 'wrong-password' }, AGENT);
    const { body: tokens } = await api.post('/v1/login', { username: 'Admin', password: ADMIN_PASSWORD }, AGENT);
    const { body: refreshed } = await api.post(
      '/v1/token-refresh',
      { username: 'admin', refresh_token: tokens.refresh_token },
      AGENT,
    );
    await new Promise((resolve) => setTimeout(resolve, 1200));
    await api.post('/v1/token-refresh', { username: 'admin', refresh_token: tokens.refresh_token }, AGENT);
    const { body: second } = await api.post('/v1/login', { username: 'admin', password: ADMIN_PASSWORD }, AGENT);
    await api.post(
      '/v1/change-password',
      { access_token: second.access_token, previous_password: 'not-it', proposed_password: 'New-admin-passphrase' },
      AGENT,
    );
    await api.post(
      '/v1/change-password',
      {
        access_token: second.access_token,
        previous_password: ADMIN_PASSWORD,
        proposed_password: 'New-admin-passphrase',
      },
      AGENT,
    );
    await api.post('/v1/token-revoke', { refresh_token: second.refresh_token }, AGENT);
    await api.post('/v1/forgot-password', { username: 'admin' }, AGENT);
    const mail = await smtp.waitForMail((m) => m.subject.includes('reset code'));
    await api.post(
      '/v1/forgot-password-confirm',
      { username: 'admin', password: 'Reset-admin-passphrase', confirmation_code: 'AAAAAAAA' },
      AGENT,
    );
    await api.post(
      '/v1/forgot-password-confirm',
      { username: 'admin', password: 'Reset-admin-passphrase', confirmation_code: CODE_LINE.exec(mail.text)![0] },
      AGENT,
    );
    for (let i = 0; i < 6; i += 1) await api.post('/v1/login', { username: 'ghost', password: 'x' }, AGENT);

    const trail = await events();
    const adminId = trail.find((e) => e.type === 'login.succeeded')!.user_id;
    expect(adminId).toEqual(expect.any(String));
    expect(trail.slice(0, 13).map((e) => [e.type, e.username, e.user_id])).toEqual([
      ['login.failed', 'admin', adminId],
      ['login.failed', 'ghost', null],
      ['login.succeeded', 'admin', adminId],
      ['token.refreshed', 'admin', adminId],
      ['token.reuse_detected', 'admin', adminId],
      ['login.succeeded', 'admin', adminId],
      ['password.change_failed', 'admin', adminId],
      ['password.changed', 'admin', adminId],
      ['token.revoked', 'admin', adminId],
      ['password.reset_requested', 'admin', null],
      ['password.reset_failed', 'admin', adminId],
      ['password.reset', 'admin', adminId],
      ['login.failed', 'ghost', null],
    ]);
    expect(trail.map((e) => e.type)).toContain('login.locked');
    for (const event of trail) {
      expect(event.ip_address).toBe('127.0.0.1');
      expect(event.user_agent).toBe('audit-spec/1.0');
    }
    expect(refreshed.refresh_token).toEqual(expect.any(String));
  });

  it('mails the owner when their password was changed and when it was reset', async () => {
    const changed = await smtp.waitForMail((m) => m.subject === 'Your password was changed');
    const reset = await smtp.waitForMail((m) => m.subject === 'Your password was reset');

    expect(changed.to).toEqual(['admin@example.com']);
    expect(reset.to).toEqual(['admin@example.com']);
    expect(reset.text).toContain('every other session was signed out');
  });
});

describe('audit trail of plain refreshes (e2e)', () => {
  let api: TestApp;

  beforeAll(async () => {
    // Behind a trusted proxy, so a test can present the client addresses a proxy would forward.
    api = await startTestApp({ TRUST_PROXY: 'true', REFRESH_TOKEN_ROTATION: 'false' });
  });
  afterAll(() => api.close());

  const from = (ip: string) => ({ 'x-forwarded-for': ip });
  const refreshEvents = () =>
    api.app
      .get(DataSource)
      .query<{ ip_address: string }[]>(
        "SELECT ip_address FROM audit_events WHERE type = 'token.refreshed' ORDER BY created_at, id",
      );

  it('keeps one row for a burst of refreshes from where the session logged in, and every other address', async () => {
    const { body: tokens } = await api.post(
      '/v1/login',
      { username: 'admin', password: ADMIN_PASSWORD },
      from('203.0.113.5'),
    );
    const refresh = (ip: string) =>
      api.post('/v1/token-refresh', { username: 'admin', refresh_token: tokens.refresh_token }, from(ip));

    for (let i = 0; i < 5; i += 1) expect((await refresh('203.0.113.5')).status).toBe(200);
    expect((await refresh('198.51.100.7')).status).toBe(200);
    expect((await refresh('198.51.100.7')).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 200)); // batched writes land within 50 ms

    expect((await refreshEvents()).map((e) => e.ip_address)).toEqual(['203.0.113.5', '198.51.100.7', '198.51.100.7']);
  });
});
