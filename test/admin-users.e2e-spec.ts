import { DataSource } from 'typeorm';
import { AccountProvisioningService } from '../src/users/account-provisioning.service';
import { ADMIN_PASSWORD, startTestApp, TestApp } from './support/test-app';

const API_KEY = 'ops-console-key-0123456789abcdef0123456789';
const PASSWORDS: Record<string, string> = {
  admin: ADMIN_PASSWORD,
  root2: 'Second-admins-passphrase-4',
  bob: 'Bobs-own-long-passphrase-9',
  carol: 'Carols-own-long-passphrase-3',
};
const KEY = { authorization: `Bearer ${API_KEY}` };
const NO_CREDENTIAL = { message: 'An admin access token or API key is required.', status: 401, code: 'NotAuthorized' };
const FORBIDDEN = { message: 'The admin API is for admins only.', status: 403, code: 'Forbidden' };
const NOT_FOUND = { message: 'User not found.', status: 404, code: 'UserNotFound' };
const LAST_ADMIN = {
  message: 'The last active admin cannot be disabled, demoted or deleted.',
  status: 409,
  code: 'LastAdmin',
};

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

interface Tokens {
  access_token: string;
  refresh_token: string;
}

/** The admin API's account routes: one user, disable, enable, sign-out (issue 18). */
describe('admin API: users (e2e)', () => {
  let api: TestApp;

  beforeAll(async () => {
    api = await startTestApp({ ADMIN_API_KEYS: `ops-console:${API_KEY}` });
    const provisioning = api.app.get(AccountProvisioningService);
    for (const [username, admin] of [
      ['root2', true],
      ['bob', false],
      ['carol', false],
    ] as const) {
      await provisioning.createUser({
        username,
        email: `${username}@example.com`,
        admin,
        password: PASSWORDS[username],
      });
    }
  });
  afterAll(() => api.close());

  async function login(username: string): Promise<Tokens> {
    const response = await api.post('/v1/login', { username, password: PASSWORDS[username] });
    expect(response.status).toBe(200);
    return response.body as Tokens;
  }

  const admin = (path: string, headers: Record<string, string> = KEY) =>
    api.post(`/v1/admin/users/${path}`, {}, headers);
  const lookUp = (username: string, headers: Record<string, string> = KEY) =>
    api.get(`/v1/admin/users/${username}`, headers);

  async function auditRows(type: string, username: string) {
    return api.app
      .get(DataSource)
      .query('SELECT actor FROM audit_events WHERE type = ? AND username = ? ORDER BY created_at', [type, username]);
  }

  it('shows a user as the contract says, in any letter case, with an API key or an admin token', async () => {
    const byKey = await lookUp('BOB');
    expect(byKey.status).toBe(200);
    expect(byKey.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      username: 'bob',
      email: 'bob@example.com',
      status: 'ACTIVE',
      roles: ['user'],
      mfa_enabled: false,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      updated_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    const adminToken = (await login('admin')).access_token;
    expect((await lookUp('bob', bearer(adminToken))).body).toEqual(byKey.body);
    expect(JSON.stringify(byKey.body)).not.toMatch(/hash|\$2[aby]\$/);
  });

  it('answers 404 UserNotFound for a name no account has', async () => {
    for (const name of ['nobody', 'bob%20', 'x'.repeat(200)]) {
      const response = await lookUp(name);
      expect({ name, status: response.status, body: response.body }).toEqual({ name, status: 404, body: NOT_FOUND });
    }
  });

  it('answers 401 without a credential or with a bad one, and 403 for a non-admin token', async () => {
    const bob = await login('bob');
    const refused: Record<string, string>[] = [
      {},
      { authorization: 'Bearer ' },
      { authorization: `Bearer ${API_KEY}x` },
      { authorization: `Basic ${Buffer.from(`ops-console:${API_KEY}`).toString('base64')}` },
      { authorization: `Bearer ${bob.refresh_token}` },
      { authorization: 'Bearer not.a.jwt' },
    ];
    for (const headers of refused) {
      const response = await lookUp('bob', headers);
      expect({ headers, status: response.status, body: response.body }).toEqual({
        headers,
        status: 401,
        body: NO_CREDENTIAL,
      });
    }
    const asBob = await lookUp('bob', bearer(bob.access_token));
    expect({ status: asBob.status, body: asBob.body }).toEqual({ status: 403, body: FORBIDDEN });
    // 403 before the lookup: a non-admin learns nothing of which accounts exist.
    expect((await lookUp('nobody', bearer(bob.access_token))).body).toEqual(FORBIDDEN);
    expect((await admin('carol/disable', bearer(bob.access_token))).status).toBe(403);
    expect((await lookUp('carol')).body.status).toBe('ACTIVE');
  });

  it.each([
    ['GET', '/v1/admin/users'],
    ['POST', '/v1/admin/users'],
    ['GET', '/v1/admin/users/carol'],
    ['PATCH', '/v1/admin/users/carol'],
    ['DELETE', '/v1/admin/users/carol'],
    ['POST', '/v1/admin/users/carol/disable'],
    ['POST', '/v1/admin/users/carol/enable'],
    ['POST', '/v1/admin/users/carol/reset-password'],
    ['POST', '/v1/admin/users/carol/sign-out'],
    ['GET', '/v1/admin/users/carol/sessions'],
    ['DELETE', '/v1/admin/users/carol/sessions/3f0c8a4e-2b1d-4c4e-9f6a-8d2e1b7c5a90'],
    ['POST', '/v1/admin/users/carol/mfa/reset'],
    ['GET', '/v1/admin/audit-events'],
  ])('%s %s: 401 without a credential, 403 for a non-admin, and changes nothing', async (method, path) => {
    const send = (headers: Record<string, string>) =>
      api.raw(path, {
        method,
        headers: {
          ...headers,
          ...(method === 'GET' || method === 'DELETE' ? {} : { 'content-type': 'application/json' }),
        },
        body:
          method === 'GET' || method === 'DELETE'
            ? undefined
            : JSON.stringify({ mode: 'code', email: 'x@example.com', username: 'zed' }),
      });
    const bob = await login('bob');
    expect((await send({})).body).toEqual(NO_CREDENTIAL);
    expect((await send(bearer(bob.access_token))).body).toEqual(FORBIDDEN);
    expect((await lookUp('carol')).body).toMatchObject({
      username: 'carol',
      status: 'ACTIVE',
      email: 'carol@example.com',
    });
  });

  it('reads the role from the database on every request: a demoted admin is refused at once', async () => {
    const root2 = await login('root2');
    expect((await lookUp('bob', bearer(root2.access_token))).status).toBe(200);
    const db = api.app.get(DataSource);
    await db.query("UPDATE users SET roles = 'user' WHERE username = 'root2'");
    try {
      expect((await lookUp('bob', bearer(root2.access_token))).body).toEqual(FORBIDDEN);
    } finally {
      await db.query("UPDATE users SET roles = 'admin' WHERE username = 'root2'");
    }
  });

  it('disables a user: every session ends at once, login and refresh are refused, and the actor is audited', async () => {
    const carol = await login('carol');
    const other = await login('carol');
    expect((await api.get('/v1/me', bearer(carol.access_token))).status).toBe(200); // cached as live

    const response = await admin('carol/disable');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ username: 'carol', status: 'DISABLED' });

    for (const tokens of [carol, other]) {
      expect((await api.get('/v1/me', bearer(tokens.access_token))).status).toBe(401);
      const refreshed = await api.post('/v1/token-refresh', { username: 'carol', refresh_token: tokens.refresh_token });
      expect(refreshed.status).toBe(401);
    }
    expect((await api.post('/v1/login', { username: 'carol', password: PASSWORDS.carol })).status).toBe(401);
    // Disabling again changes nothing and writes no second event.
    expect((await admin('carol/disable')).body.status).toBe('DISABLED');
    expect(await auditRows('admin.user_disabled', 'carol')).toEqual([{ actor: 'key:ops-console' }]);

    const enabled = await admin('carol/enable', bearer((await login('admin')).access_token));
    expect(enabled.body).toMatchObject({ username: 'carol', status: 'ACTIVE' });
    expect(await auditRows('admin.user_enabled', 'carol')).toEqual([{ actor: 'user:admin' }]);
    // Old sessions stay ended; a new login works.
    expect((await api.get('/v1/me', bearer(carol.access_token))).status).toBe(401);
    expect(
      (await api.post('/v1/token-refresh', { username: 'carol', refresh_token: carol.refresh_token })).status,
    ).toBe(401);
    await login('carol');
  });

  it('enables a user created with a temporary password back into NEW_PASSWORD_REQUIRED', async () => {
    await api.app.get(AccountProvisioningService).createUser({
      username: 'dave',
      email: 'dave@example.com',
      admin: false,
      temporaryPassword: 'Daves-temporary-pass-1',
    });
    expect((await admin('dave/disable')).body.status).toBe('DISABLED');
    expect((await admin('dave/enable')).body.status).toBe('FORCE_CHANGE_PASSWORD');
    const login = await api.post('/v1/login', { username: 'dave', password: 'Daves-temporary-pass-1' });
    expect(login.body.challenge_name).toBe('NEW_PASSWORD_REQUIRED');
  });

  it('signs a user out of every session, leaving the account usable', async () => {
    const first = await login('bob');
    const second = await login('bob');
    const response = await admin('bob/sign-out');
    expect({ status: response.status, body: response.body }).toEqual({
      status: 200,
      body: { message: 'The user is signed out of every session.', status: 200 },
    });
    for (const tokens of [first, second]) {
      expect((await api.get('/v1/me', bearer(tokens.access_token))).status).toBe(401);
      expect(
        (await api.post('/v1/token-refresh', { username: 'bob', refresh_token: tokens.refresh_token })).status,
      ).toBe(401);
    }
    expect((await lookUp('bob')).body.status).toBe('ACTIVE');
    await login('bob');
    expect(await auditRows('admin.user_signed_out', 'bob')).toEqual([{ actor: 'key:ops-console' }]);
  });

  it('answers 404 on every change to an unknown user', async () => {
    for (const action of ['disable', 'enable', 'sign-out']) {
      const response = await admin(`nobody/${action}`);
      expect({ action, status: response.status, body: response.body }).toEqual({
        action,
        status: 404,
        body: NOT_FOUND,
      });
    }
  });

  it('refuses to disable the last active admin (409 LastAdmin), also when two admins are disabled in parallel', async () => {
    for (let round = 0; round < 3; round += 1) {
      const [first, second] = await Promise.all([admin('admin/disable'), admin('root2/disable')]);
      const statuses = [first.status, second.status].sort();
      expect(statuses).toEqual([200, 409]);
      expect([first, second].find((r) => r.status === 409)!.body).toEqual(LAST_ADMIN);
      const survivor = first.status === 409 ? 'admin' : 'root2';
      const disabled = survivor === 'admin' ? 'root2' : 'admin';
      expect((await lookUp(survivor)).body.status).toBe('ACTIVE');
      // The survivor alone: disabling it is refused too.
      expect((await admin(`${survivor}/disable`)).body).toEqual(LAST_ADMIN);
      expect((await admin(`${disabled}/enable`)).body.status).toBe('ACTIVE');
    }
    // An admin still works after the last one was kept.
    const adminToken = (await login('admin')).access_token;
    expect((await lookUp('bob', bearer(adminToken))).status).toBe(200);
  });

  it('answers the error shape for a body that is not JSON', async () => {
    const response = await api.raw('/v1/admin/users/bob/sign-out', {
      method: 'POST',
      headers: { ...KEY, 'content-type': 'application/json' },
      body: '{',
    });
    expect({ status: response.status, body: response.body }).toMatchObject({ status: 400, body: { status: 400 } });
  });
});
