import { DataSource } from 'typeorm';
import { AccountProvisioningService } from '../src/users/account-provisioning.service';
import { mailSettings, SmtpCatcher, startSmtpCatcher } from './support/smtp-catcher';
import { startTestApp, TestApp } from './support/test-app';

const API_KEY = 'ops-console-key-0123456789abcdef0123456789';
const KEY = { authorization: `Bearer ${API_KEY}` };
const CODE_LINE = /^[A-HJ-NP-Za-km-z2-9]{8}$/m;
const GENERATED_LINE = /^[A-HJ-NP-Za-km-z2-9]{16}$/m;
const NOT_FOUND = { message: 'User not found.', status: 404, code: 'UserNotFound' };
const SESSION_NOT_FOUND = { message: 'Session not found.', status: 404, code: 'NotFound' };

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface Account {
  username: string;
  email: string;
  password: string;
}

/** The admin API's password resets and a user's sessions (issue 18). */
describe('admin API: password resets and sessions (e2e)', () => {
  let api: TestApp;
  let smtp: SmtpCatcher;
  let seq = 0;

  beforeAll(async () => {
    smtp = await startSmtpCatcher();
    api = await startTestApp({
      ADMIN_API_KEYS: `ops-console:${API_KEY}`,
      ...mailSettings(smtp),
      MAIL_POLL_INTERVAL_MS: '100',
      MAIL_RETRY_BASE_DELAY_MS: '100',
    });
  });
  afterAll(async () => {
    await api?.close();
    await smtp?.stop();
  });

  async function account(): Promise<Account> {
    const username = `member${++seq}`;
    const created = { username, email: `${username}@example.com`, password: `Members-own-passphrase-${seq}` };
    await api.app.get(AccountProvisioningService).createUser({ ...created, admin: false });
    return created;
  }

  async function login({ username, password }: Account, userAgent = 'spec') {
    const response = await api.post('/v1/login', { username, password }, { 'user-agent': userAgent });
    expect(response.status).toBe(200);
    return response.body as { access_token: string; refresh_token: string };
  }

  const reset = (username: string, body: unknown) => api.post(`/v1/admin/users/${username}/reset-password`, body, KEY);

  const auditActors = (type: string, username: string) =>
    api.app.get(DataSource).query('SELECT actor FROM audit_events WHERE type = ? AND username = ?', [type, username]);

  describe('POST /v1/admin/users/{username}/reset-password', () => {
    it('mode code: mails the forgot-password code, which resets the password', async () => {
      const user = await account();
      const response = await reset(user.username.toUpperCase(), { mode: 'code' });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ message: 'A confirmation code is being mailed to the user.', status: 200 });
      const mail = await smtp.waitForMail((m) => m.to.includes(user.email) && CODE_LINE.test(m.text));
      const code = CODE_LINE.exec(mail.text)![0];
      const confirmed = await api.post('/v1/forgot-password-confirm', {
        username: user.username,
        confirmation_code: code,
        password: 'A-brand-new-passphrase-5',
      });
      expect(confirmed.status).toBe(200);
      expect((await api.post('/v1/login', { username: user.username, password: user.password })).status).toBe(401);
      expect(await auditActors('admin.password_reset_code_sent', user.username)).toEqual([
        { actor: 'key:ops-console' },
      ]);
    });

    it('mode temporary with a given password: the old one stops working, sessions end, login asks for a new one', async () => {
      const user = await account();
      const tokens = await login(user);
      const response = await reset(user.username, {
        mode: 'temporary',
        temporary_password: 'Handed-over-passphrase-3',
      });
      expect(response.status).toBe(200);
      expect((await api.get('/v1/me', bearer(tokens.access_token))).status).toBe(401);
      const refreshed = await api.post('/v1/token-refresh', {
        username: user.username,
        refresh_token: tokens.refresh_token,
      });
      expect(refreshed.status).toBe(401);
      expect((await api.post('/v1/login', { username: user.username, password: user.password })).status).toBe(401);
      const next = await api.post('/v1/login', { username: user.username, password: 'Handed-over-passphrase-3' });
      expect(next.status).toBe(200);
      expect(next.body.challenge_name).toBe('NEW_PASSWORD_REQUIRED');
      expect((await api.get(`/v1/admin/users/${user.username}`, KEY)).body.status).toBe('FORCE_CHANGE_PASSWORD');
      expect(smtp.mailsTo(user.email)).toEqual([]);
      expect(await auditActors('admin.temporary_password_set', user.username)).toEqual([{ actor: 'key:ops-console' }]);
    });

    it('mode temporary without one: a generated password is mailed, never answered', async () => {
      const user = await account();
      const response = await reset(user.username, { mode: 'temporary' });
      expect(response.status).toBe(200);
      const mail = await smtp.waitForMail((m) => m.to.includes(user.email));
      expect(mail.subject).toBe('Your password was reset');
      const password = GENERATED_LINE.exec(mail.text)![0];
      expect(JSON.stringify(response.body)).not.toContain(password);
      const next = await api.post('/v1/login', { username: user.username, password });
      expect(next.status).toBe(200);
      expect(next.body.challenge_name).toBe('NEW_PASSWORD_REQUIRED');
    });

    it('a password set before the generated one is mailed is not undone by that mail', async () => {
      const user = await account();
      const outbox = () =>
        api.app
          .get(DataSource)
          .query<Array<{ completed_at: unknown; attempts: number }>>(
            "SELECT completed_at, attempts FROM mail_outbox WHERE kind = 'temporary-password'",
          );
      const before = (await outbox()).length;
      await smtp.stop();
      try {
        expect((await reset(user.username, { mode: 'temporary' })).status).toBe(200);
        await waitFor(async () => (await outbox()).some((m) => m.attempts > 0 && !m.completed_at));
        const given = { mode: 'temporary', temporary_password: 'Second-reset-passphrase-8' };
        expect((await reset(user.username, given)).status).toBe(200);
      } finally {
        await smtp.start();
      }
      await waitFor(async () => (await outbox()).slice(before).every((m) => m.completed_at));
      expect(smtp.mailsTo(user.email)).toEqual([]);
      const next = await api.post('/v1/login', { username: user.username, password: 'Second-reset-passphrase-8' });
      expect(next.status).toBe(200);
      expect(next.body.challenge_name).toBe('NEW_PASSWORD_REQUIRED');
    });

    it.each([
      [{}, /mode/],
      [{ mode: 'email' }, /mode/],
      [
        { mode: 'code', temporary_password: 'Some-long-passphrase-1' },
        'temporary_password goes with mode "temporary" only',
      ],
      [{ mode: 'temporary', temporary_password: '' }, /temporary_password/],
      [{ mode: 'temporary', extra: 1 }, /extra/],
    ])('refuses %j with 400', async (body, message) => {
      const user = await account();
      const response = await reset(user.username, body);
      expect(response.status).toBe(400);
      expect(response.body).toEqual({
        message: typeof message === 'string' ? message : expect.stringMatching(message),
        status: 400,
        code: 'InvalidParameter',
      });
      expect((await api.post('/v1/login', { username: user.username, password: user.password })).status).toBe(200);
    });

    it('refuses a temporary password the policy rejects, leaving the account as it was', async () => {
      const user = await account();
      const response = await reset(user.username, { mode: 'temporary', temporary_password: 'short' });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('InvalidPassword');
      expect((await api.post('/v1/login', { username: user.username, password: user.password })).status).toBe(200);
    });

    it('mode code for a disabled account is 400: forgot-password would mail it nothing', async () => {
      const user = await account();
      expect((await api.post(`/v1/admin/users/${user.username}/disable`, {}, KEY)).status).toBe(200);
      const response = await reset(user.username, { mode: 'code' });
      expect(response.status).toBe(400);
      expect(response.body.message).toBe('The account is disabled; enable it first.');
    });

    it('answers 404 for an unknown user and 401 without a credential', async () => {
      expect((await reset('nobody-here', { mode: 'code' })).body).toEqual(NOT_FOUND);
      expect((await api.post('/v1/admin/users/admin/reset-password', { mode: 'code' })).status).toBe(401);
    });
  });

  describe('GET and DELETE /v1/admin/users/{username}/sessions', () => {
    it('lists the live sessions, and ends one while the others go on', async () => {
      const user = await account();
      const first = await login(user, 'laptop');
      const second = await login(user, 'phone');
      const listed = await api.get(`/v1/admin/users/${user.username.toUpperCase()}/sessions`, KEY);
      expect(listed.status).toBe(200);
      expect(listed.body.sessions).toHaveLength(2);
      for (const session of listed.body.sessions) {
        expect(Object.keys(session).sort()).toEqual(
          ['created_at', 'expires_at', 'id', 'ip_address', 'last_used_at', 'user_agent'].sort(),
        );
      }
      const phone = listed.body.sessions.find((s: { user_agent: string }) => s.user_agent === 'phone');

      const ended = await api.delete(`/v1/admin/users/${user.username}/sessions/${phone.id}`, KEY);
      expect(ended.status).toBe(204);
      expect((await api.get('/v1/me', bearer(second.access_token))).status).toBe(401);
      expect((await api.get('/v1/me', bearer(first.access_token))).status).toBe(200);
      const after = await api.get(`/v1/admin/users/${user.username}/sessions`, KEY);
      expect(after.body.sessions.map((s: { user_agent: string }) => s.user_agent)).toEqual(['laptop']);
      expect(await auditActors('admin.session_ended', user.username)).toEqual([{ actor: 'key:ops-console' }]);

      const again = await api.delete(`/v1/admin/users/${user.username}/sessions/${phone.id}`, KEY);
      expect(again.body).toEqual(SESSION_NOT_FOUND);
    });

    it("answers 404 for another user's session, and ends nothing", async () => {
      const owner = await account();
      const other = await account();
      const tokens = await login(owner);
      const [session] = (await api.get(`/v1/admin/users/${owner.username}/sessions`, KEY)).body.sessions;
      const response = await api.delete(`/v1/admin/users/${other.username}/sessions/${session.id}`, KEY);
      expect(response.status).toBe(404);
      expect(response.body).toEqual(SESSION_NOT_FOUND);
      expect((await api.get('/v1/me', bearer(tokens.access_token))).status).toBe(200);
      expect((await api.delete(`/v1/admin/users/${owner.username}/sessions/not-a-session`, KEY)).body).toEqual(
        SESSION_NOT_FOUND,
      );
    });

    it('answers 404 UserNotFound for an unknown user', async () => {
      expect((await api.get('/v1/admin/users/nobody-here/sessions', KEY)).body).toEqual(NOT_FOUND);
      expect((await api.delete('/v1/admin/users/nobody-here/sessions/x', KEY)).body).toEqual(NOT_FOUND);
    });
  });
});
