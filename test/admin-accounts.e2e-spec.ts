import { DataSource } from 'typeorm';
import { everyPage } from './support/pages';
import { mailSettings, SmtpCatcher, startSmtpCatcher } from './support/smtp-catcher';
import { ADMIN_PASSWORD, startTestApp, TestApp } from './support/test-app';

const API_KEY = 'ops-console-key-0123456789abcdef0123456789';
const KEY = { authorization: `Bearer ${API_KEY}` };
const LAST_ADMIN = {
  message: 'The last active admin cannot be disabled, demoted or deleted.',
  status: 409,
  code: 'LastAdmin',
};
const NOT_FOUND = { message: 'User not found.', status: 404, code: 'UserNotFound' };
/** A generated temporary password, alone on its line in the mail. */
const GENERATED_LINE = /^[A-HJ-NP-Za-km-z2-9]{16}$/m;
const USER_FIELDS = ['created_at', 'email', 'id', 'mfa_enabled', 'roles', 'status', 'updated_at', 'username'];

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const invalid = (message: string | RegExp) => ({
  message: typeof message === 'string' ? message : expect.stringMatching(message),
  status: 400,
  code: 'InvalidParameter',
});

/** The admin API's account records: create, list, change, delete (issue 18). */
describe('admin API: accounts (e2e)', () => {
  let api: TestApp;
  let smtp: SmtpCatcher;
  let seq = 0;

  beforeAll(async () => {
    smtp = await startSmtpCatcher();
    api = await startTestApp({ ADMIN_API_KEYS: `ops-console:${API_KEY}`, ...mailSettings(smtp) });
  });
  afterAll(async () => {
    await api?.close();
    await smtp?.stop();
  });

  const create = (body: Record<string, unknown>, headers: Record<string, string> = KEY) =>
    api.post('/v1/admin/users', body, headers);
  const fresh = (prefix = 'acct') => `${prefix}${++seq}`;

  async function createWithPassword(username: string, roles = ['user']) {
    const password = `Own-long-passphrase-${username}`;
    const response = await create({ username, email: `${username}@example.com`, password, roles });
    expect(response.status).toBe(201);
    return password;
  }

  async function login(username: string, password: string) {
    return api.post('/v1/login', { username, password });
  }

  const auditActors = (type: string, username: string) =>
    api.app
      .get(DataSource)
      .query<Array<{ actor: string }>>('SELECT actor FROM audit_events WHERE type = ? AND username = ?', [
        type,
        username,
      ]);

  describe('POST /v1/admin/users', () => {
    it('creates an account with a final password: 201, the user, a working login, an audited actor', async () => {
      const username = fresh();
      const response = await create({
        username: username.toUpperCase(),
        email: `${username}@example.com`,
        password: 'A-final-long-passphrase-1',
      });
      expect(response.status).toBe(201);
      expect(response.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        username,
        email: `${username}@example.com`,
        status: 'ACTIVE',
        roles: ['user'],
        mfa_enabled: false,
        created_at: expect.any(String),
        updated_at: expect.any(String),
      });
      const loggedIn = await login(username, 'A-final-long-passphrase-1');
      expect(loggedIn.status).toBe(200);
      expect(loggedIn.body.access_token).toEqual(expect.any(String));
      expect(await auditActors('admin.user_created', username)).toEqual([{ actor: 'key:ops-console' }]);
    });

    it('with temporary_password, the first login answers NEW_PASSWORD_REQUIRED', async () => {
      const username = fresh();
      const response = await create({
        username,
        email: `${username}@example.com`,
        temporary_password: 'Temporary-passphrase-22',
      });
      expect(response.status).toBe(201);
      expect(response.body.status).toBe('FORCE_CHANGE_PASSWORD');
      const loggedIn = await login(username, 'Temporary-passphrase-22');
      expect(loggedIn.status).toBe(200);
      expect(loggedIn.body.challenge_name).toBe('NEW_PASSWORD_REQUIRED');
    });

    it('with neither, mails a generated temporary password that it never answers or stores in clear', async () => {
      const username = fresh();
      const email = `${username}@example.com`;
      const response = await create({ username, email });
      expect(response.status).toBe(201);
      expect(Object.keys(response.body).sort()).toEqual(USER_FIELDS);
      expect(response.body.status).toBe('FORCE_CHANGE_PASSWORD');

      const mail = await smtp.waitForMail((m) => m.to.includes(email));
      expect(mail.subject).toBe('Your new account');
      const password = GENERATED_LINE.exec(mail.text)![0];
      expect(JSON.stringify(response.body)).not.toContain(password);
      const outbox = await api.app.get(DataSource).query('SELECT payload FROM mail_outbox');
      expect(JSON.stringify(outbox)).not.toContain(password);

      const loggedIn = await login(username, password);
      expect(loggedIn.status).toBe(200);
      expect(loggedIn.body.challenge_name).toBe('NEW_PASSWORD_REQUIRED');
    });

    it('creates an admin that can use the admin API', async () => {
      const username = fresh('boss');
      const password = await createWithPassword(username, ['admin']);
      const { body } = await login(username, password);
      const lookUp = await api.get(`/v1/admin/users/${username}`, bearer(body.access_token));
      expect(lookUp.status).toBe(200);
      expect(lookUp.body.roles).toEqual(['admin']);
    });

    it('answers 409 UsernameExists for a taken name in any letter case', async () => {
      const response = await create({ username: 'ADMIN', email: 'x@example.com', password: 'Whatever-long-pass-1' });
      expect(response.status).toBe(409);
      expect(response.body).toEqual({ message: expect.any(String), status: 409, code: 'UsernameExists' });
    });

    it.each([
      [{ email: 'a@example.com' }, /username/],
      [{ username: 'nomail' }, /email/],
      [{ username: 'bad', email: 'not-an-email' }, /email/],
      [
        { username: 'two', email: 't@example.com', password: 'A-long-pass-1', temporary_password: 'B-long-pass-2' },
        'Give password or temporary_password, not both.',
      ],
      [{ username: 'r1', email: 'r@example.com', roles: ['admin', 'user'] }, 'roles must be ["user"] or ["admin"]'],
      [{ username: 'r2', email: 'r@example.com', roles: ['root'] }, 'roles must be ["user"] or ["admin"]'],
      [{ username: 'r3', email: 'r@example.com', roles: [] }, 'roles must be ["user"] or ["admin"]'],
      [{ username: 'r4', email: 'r@example.com', roles: 'admin' }, /roles/],
      [{ username: 'x', email: 'x@example.com', status: 'ACTIVE' }, /status/],
      [{ username: 'has space', email: 's@example.com' }, /username/],
    ])('refuses %j with 400 and creates nothing', async (body: Record<string, unknown>, message) => {
      const response = await create(body);
      expect(response.status).toBe(400);
      expect(response.body).toEqual(invalid(message));
      if (typeof body.username === 'string') {
        expect((await api.get(`/v1/admin/users/${encodeURIComponent(body.username)}`, KEY)).status).toBe(404);
      }
    });

    it('refuses a password the policy rejects, with its 400', async () => {
      const response = await create({ username: fresh(), email: 'p@example.com', password: 'short' });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('InvalidPassword');
    });

    it('is for admins only', async () => {
      expect(
        (await create({ username: fresh(), email: 'n@example.com' }, { authorization: 'Bearer nope' })).status,
      ).toBe(401);
      const user = fresh();
      const password = await createWithPassword(user);
      const { body } = await login(user, password);
      const refused = await create({ username: fresh(), email: 'n@example.com' }, bearer(body.access_token));
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe('Forbidden');
    });
  });

  describe('GET /v1/admin/users', () => {
    const list = (query: string, headers: Record<string, string> = KEY) => api.get(`/v1/admin/users${query}`, headers);
    const names: string[] = [];

    beforeAll(async () => {
      for (const n of [5, 3, 1, 4, 2]) {
        const username = `lst-${n}`;
        names.push(username);
        const response = await create({
          username,
          email: n % 2 ? `${username}@Odd.Example.ORG` : `${username}@even.example.com`,
          password: `Own-long-passphrase-${n}`,
        });
        expect(response.status).toBe(201);
      }
      names.sort();
    });

    it('pages through every user in username order, each once, with an opaque cursor', async () => {
      const users = await everyPage<{ username: string }>((query) => list(query), 'users', 2);
      for (const user of users) expect(Object.keys(user).sort()).toEqual(USER_FIELDS);
      const seen = users.map((u) => u.username);
      const everyone = (await list('?limit=100')).body.users.map((u: { username: string }) => u.username);
      expect(seen).toEqual(everyone);
      expect([...seen].sort()).toEqual(seen);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen).toEqual(expect.arrayContaining([...names, 'admin']));
    });

    it('answers 50 by default and a null cursor on the last page', async () => {
      const response = await list('');
      expect(response.status).toBe(200);
      expect(response.body.users.length).toBeLessThanOrEqual(50);
      expect(response.body.next_cursor).toBeNull();
    });

    it('matches a username prefix in any letter case, or a part of the email in any case', async () => {
      const byPrefix = await list('?query=LST-');
      expect(byPrefix.body.users.map((u: { username: string }) => u.username)).toEqual(names);
      const byEmail = await list(`?query=${encodeURIComponent('odd.example.org')}`);
      expect(byEmail.body.users.map((u: { username: string }) => u.username)).toEqual(['lst-1', 'lst-3', 'lst-5']);
      const paged = await list('?query=lst-&limit=3');
      expect(paged.body.users).toHaveLength(3);
      const rest = await list(`?query=lst-&limit=3&cursor=${encodeURIComponent(paged.body.next_cursor)}`);
      expect(rest.body.users.map((u: { username: string }) => u.username)).toEqual(names.slice(3));
      expect(rest.body.next_cursor).toBeNull();
    });

    it('takes LIKE wildcards in the query literally', async () => {
      const response = await list(`?query=${encodeURIComponent('%')}`);
      expect(response.status).toBe(200);
      expect(response.body.users).toEqual([]);
      expect((await list('?query=_')).body.users).toEqual([]);
    });

    it('filters by status', async () => {
      expect((await api.post('/v1/admin/users/lst-2/disable', {}, KEY)).status).toBe(200);
      const response = await list('?status=DISABLED');
      expect(response.body.users.map((u: { username: string }) => u.username)).toEqual(['lst-2']);
      expect((await list('?status=ACTIVE&query=lst')).body.users).toHaveLength(4);
    });

    it.each([
      ['?limit=0', 'limit must be an integer from 1 to 100'],
      ['?limit=101', 'limit must be an integer from 1 to 100'],
      ['?limit=abc', 'limit must be an integer from 1 to 100'],
      ['?limit=1.5', 'limit must be an integer from 1 to 100'],
      ['?limit=1&limit=2', 'limit must be an integer from 1 to 100'],
      ['?status=GONE', /status must be one of/],
      ['?cursor=not-a-cursor', 'cursor is not valid'],
      [`?cursor=${Buffer.from('[1]').toString('base64url')}`, 'cursor is not valid'],
      ['?query=', /query/],
      ['?sort=email', /sort/],
    ])('refuses %s with 400', async (query, message) => {
      const response = await list(query);
      expect(response.status).toBe(400);
      expect(response.body).toEqual(invalid(message));
    });

    it('is for admins only', async () => {
      expect((await list('', {})).status).toBe(401);
    });
  });

  describe('PATCH /v1/admin/users/{username}', () => {
    const patch = (username: string, body: unknown) => api.patch(`/v1/admin/users/${username}`, body, KEY);

    it('changes the email and the role, and audits the change', async () => {
      const username = fresh();
      await createWithPassword(username);
      const response = await patch(username.toUpperCase(), { email: 'new@example.org', roles: ['admin'] });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ username, email: 'new@example.org', roles: ['admin'] });
      expect((await api.get(`/v1/admin/users/${username}`, KEY)).body.email).toBe('new@example.org');
      expect(await auditActors('admin.user_updated', username)).toEqual([{ actor: 'key:ops-console' }]);
    });

    it('a demotion applies to the admin API at once', async () => {
      const username = fresh('boss');
      const password = await createWithPassword(username, ['admin']);
      const { body } = await login(username, password);
      expect((await api.get('/v1/admin/users/admin', bearer(body.access_token))).status).toBe(200);
      expect((await patch(username, { roles: ['user'] })).status).toBe(200);
      expect((await api.get('/v1/admin/users/admin', bearer(body.access_token))).status).toBe(403);
    });

    it.each([
      [{}, 'Give email or roles to change.'],
      [{ email: 'nope' }, /email/],
      [{ roles: ['owner'] }, 'roles must be ["user"] or ["admin"]'],
      [{ username: 'renamed' }, /username/],
    ])('refuses %j with 400', async (body, message) => {
      const response = await patch('admin', body);
      expect(response.status).toBe(400);
      expect(response.body).toEqual(invalid(message));
    });

    it('answers 404 for an unknown user', async () => {
      const response = await patch('nobody-here', { email: 'x@example.com' });
      expect(response.status).toBe(404);
      expect(response.body).toEqual(NOT_FOUND);
    });
  });

  describe('DELETE /v1/admin/users/{username}', () => {
    it('deletes the account: 204, its tokens stop working, its audit rows stay, the name is free again', async () => {
      const username = fresh();
      const password = await createWithPassword(username);
      const { body } = await login(username, password);
      const response = await api.delete(`/v1/admin/users/${username.toUpperCase()}`, KEY);
      expect(response.status).toBe(204);
      expect(response.body).toBe('');
      expect((await api.get(`/v1/admin/users/${username}`, KEY)).body).toEqual(NOT_FOUND);
      expect((await api.get('/v1/me', bearer(body.access_token))).status).toBe(401);
      const refreshed = await api.post('/v1/token-refresh', { username, refresh_token: body.refresh_token });
      expect(refreshed.status).toBe(401);
      expect(await auditActors('login.succeeded', username)).toHaveLength(1);
      expect(await auditActors('admin.user_deleted', username)).toEqual([{ actor: 'key:ops-console' }]);
      await createWithPassword(username);
    });

    it('answers 404 for an unknown user', async () => {
      const response = await api.delete('/v1/admin/users/nobody-here', KEY);
      expect(response.status).toBe(404);
      expect(response.body).toEqual(NOT_FOUND);
    });
  });

  describe('the last active admin', () => {
    async function activeAdmins(): Promise<string[]> {
      const rows: Array<{ username: string; roles: string; status: string }> = await api.app
        .get(DataSource)
        .query('SELECT username, roles, status FROM users');
      return rows.filter((r) => r.roles === 'admin' && r.status !== 'DISABLED').map((r) => r.username);
    }

    /** Leaves `admin` and one more as the only active admins. */
    async function twoAdmins(): Promise<string> {
      for (const other of (await activeAdmins()).filter((name) => name !== 'admin')) {
        expect((await api.patch(`/v1/admin/users/${other}`, { roles: ['user'] }, KEY)).status).toBe(200);
      }
      const second = fresh('root');
      await createWithPassword(second, ['admin']);
      expect((await activeAdmins()).sort()).toEqual(['admin', second].sort());
      return second;
    }

    it('cannot be demoted or deleted (409), an admin among others can', async () => {
      const second = await twoAdmins();
      expect((await api.patch(`/v1/admin/users/${second}`, { roles: ['user'] }, KEY)).status).toBe(200);
      const demote = await api.patch('/v1/admin/users/admin', { roles: ['user'] }, KEY);
      expect(demote.status).toBe(409);
      expect(demote.body).toEqual(LAST_ADMIN);
      const remove = await api.delete('/v1/admin/users/ADMIN', KEY);
      expect(remove.status).toBe(409);
      expect(remove.body).toEqual(LAST_ADMIN);
      expect(await activeAdmins()).toEqual(['admin']);
      expect((await login('admin', ADMIN_PASSWORD)).status).toBe(200);
    });

    it.each([
      ['demotions', (name: string) => api.patch(`/v1/admin/users/${name}`, { roles: ['user'] }, KEY), 200],
      ['deletions', (name: string) => api.delete(`/v1/admin/users/${name}`, KEY), 204],
      [
        'a demotion and a deletion',
        (name: string) =>
          name === 'admin'
            ? api.patch('/v1/admin/users/admin', { roles: ['user'] }, KEY)
            : api.delete(`/v1/admin/users/${name}`, KEY),
        undefined,
      ],
    ])('two parallel %s of the only two admins: one succeeds, the other is 409', async (_what, change, ok) => {
      for (let round = 0; round < 3; round++) {
        const second = await twoAdmins();
        const answers = await Promise.all([change('admin'), change(second)]);
        const statuses = answers.map((a) => a.status);
        expect(statuses.filter((s) => s === 409)).toHaveLength(1);
        for (const status of statuses.filter((s) => s !== 409)) expect(ok === undefined || status === ok).toBe(true);
        expect(await activeAdmins()).toHaveLength(1);
        if ((await activeAdmins())[0] !== 'admin') {
          // Put `admin` back as the remaining admin for the next round.
          const survivor = (await activeAdmins())[0];
          if ((await api.get('/v1/admin/users/admin', KEY)).status === 404) {
            await create({ username: 'admin', email: 'admin@example.com', password: ADMIN_PASSWORD, roles: ['admin'] });
          } else {
            expect((await api.patch('/v1/admin/users/admin', { roles: ['admin'] }, KEY)).status).toBe(200);
          }
          expect((await api.patch(`/v1/admin/users/${survivor}`, { roles: ['user'] }, KEY)).status).toBe(200);
        }
      }
    });
  });
});
