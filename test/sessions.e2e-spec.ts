import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AccountProvisioningService } from '../src/users/account-provisioning.service';
import { ADMIN_PASSWORD, startTestApp, TestApp, TestResponse } from './support/test-app';
import { claimsOf } from './support/tokens';

const BOB_PASSWORD = 'Bobs-own-long-passphrase-9';
const REFUSED = { message: 'Invalid or expired access token.', status: 401, code: 'NotAuthorized' };
const NOT_FOUND = { message: 'Session not found.', status: 404, code: 'NotFound' };

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

interface Tokens {
  access_token: string;
  refresh_token: string;
}

/** A user's own sessions: GET /v1/sessions, DELETE /v1/sessions/{id}, POST /v1/global-sign-out. */
describe('self-service sessions (e2e)', () => {
  let api: TestApp;

  beforeAll(async () => {
    api = await startTestApp();
    await api.app.get(AccountProvisioningService).createUser({
      username: 'bob',
      email: 'bob@example.com',
      admin: false,
      password: BOB_PASSWORD,
    });
  });
  afterAll(() => api.close());

  async function login(username: string, userAgent = 'jest'): Promise<Tokens> {
    const password = username === 'admin' ? ADMIN_PASSWORD : BOB_PASSWORD;
    const response = await api.post('/v1/login', { username, password }, { 'user-agent': userAgent });
    expect(response.status).toBe(200);
    return response.body as Tokens;
  }

  const sessionOf = (tokens: Tokens) => claimsOf(tokens.access_token).sid as string;
  const list = (tokens: Tokens) => api.get('/v1/sessions', bearer(tokens.access_token));
  const end = (tokens: Tokens, id: string) =>
    api.raw(`/v1/sessions/${id}`, { method: 'DELETE', headers: bearer(tokens.access_token) });
  const signOutEverywhere = (tokens: Tokens) => api.post('/v1/global-sign-out', {}, bearer(tokens.access_token));
  const me = (tokens: Tokens) => api.get('/v1/me', bearer(tokens.access_token));
  const refresh = (tokens: Tokens, username = 'bob') =>
    api.post('/v1/token-refresh', { username, refresh_token: tokens.refresh_token });

  function expectRefused(response: TestResponse): void {
    expect({ status: response.status, body: response.body }).toEqual({ status: 401, body: REFUSED });
  }

  it("lists the caller's live sessions newest first, marks the current one, and shows nobody else's", async () => {
    const laptop = await login('bob', 'laptop-browser');
    await new Promise((resolve) => setTimeout(resolve, 5)); // created_at is to the millisecond
    const phone = await login('bob', 'phone-app');
    const admin = await login('admin');

    const response = await list(phone);
    expect(response.status).toBe(200);
    const sessions = response.body.sessions as Record<string, unknown>[];
    const ids = sessions.map((session) => session.id);
    expect(ids.slice(0, 2)).toEqual([sessionOf(phone), sessionOf(laptop)]);
    expect(ids).not.toContain(sessionOf(admin));
    expect(sessions[0]).toEqual({
      id: sessionOf(phone),
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      last_used_at: null,
      expires_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      ip_address: '127.0.0.1',
      user_agent: 'phone-app',
      current: true,
    });
    expect(sessions.filter((session) => session.current)).toHaveLength(1);
    expect(sessions[1]).toMatchObject({ user_agent: 'laptop-browser', current: false });
    expect(JSON.stringify(response.body)).not.toContain(phone.refresh_token);

    // A refresh shows as the session's last use.
    expect((await refresh(laptop)).status).toBe(200);
    const after = (await list(phone)).body.sessions as Record<string, unknown>[];
    expect(after.find((session) => session.id === sessionOf(laptop))?.last_used_at).toEqual(expect.any(String));
  });

  it("ends one of the caller's sessions at once: its access and refresh tokens stop working, the others do not", async () => {
    const kept = await login('bob');
    const ended = await login('bob');

    const response = await end(kept, sessionOf(ended));
    expect(response.status).toBe(204);
    expect(response.body).toBe('');

    expectRefused(await me(ended));
    expect((await refresh(ended)).status).toBe(401);
    expect((await me(kept)).status).toBe(200);
    expect(((await list(kept)).body.sessions as { id: string }[]).map((s) => s.id)).not.toContain(sessionOf(ended));
    // Already ended: there is nothing left to end.
    expect(await end(kept, sessionOf(ended))).toMatchObject({ status: 404, body: NOT_FOUND });
  });

  it('ends the current session when asked to', async () => {
    const current = await login('bob');
    expect((await end(current, sessionOf(current))).status).toBe(204);
    expectRefused(await me(current));
  });

  it("answers 404 for another user's session and for an id that names none, and changes nothing", async () => {
    const bob = await login('bob');
    const admin = await login('admin');
    for (const id of [sessionOf(admin), randomUUID(), 'not-a-session-id']) {
      expect(await end(bob, id)).toMatchObject({ status: 404, body: NOT_FOUND });
    }
    expect((await me(admin)).status).toBe(200);
  });

  it('signs out of every session of the caller, the current one included, and of nobody else', async () => {
    const first = await login('bob');
    const second = await login('bob');
    const admin = await login('admin');

    const response = await signOutEverywhere(second);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ message: 'Signed out of every session.', status: 200 });

    for (const tokens of [first, second]) {
      expectRefused(await me(tokens));
      expect((await refresh(tokens)).status).toBe(401);
    }
    expect((await me(admin)).status).toBe(200);
    const fresh = await login('bob');
    expect(((await list(fresh)).body.sessions as { id: string }[]).map((s) => s.id)).toEqual([sessionOf(fresh)]);
  });

  it('writes an audit event for each ending', async () => {
    const a = await login('bob');
    const b = await login('bob');
    const count = async (type: string) =>
      Number(
        (
          await api.app
            .get(DataSource)
            .query<{ n: number | string }[]>(
              "SELECT COUNT(*) AS n FROM audit_events WHERE username = 'bob' AND type = ?",
              [type],
            )
        )[0].n,
      );
    const before = { ended: await count('session.ended'), all: await count('session.global_sign_out') };
    await end(a, sessionOf(b));
    await signOutEverywhere(a);
    expect(await count('session.ended')).toBe(before.ended + 1);
    expect(await count('session.global_sign_out')).toBe(before.all + 1);
  });

  it('refuses every route without a valid access token', async () => {
    const revoked = await login('bob');
    await signOutEverywhere(revoked);
    for (const headers of [{}, bearer('not-a-token'), bearer(revoked.access_token)]) {
      expectRefused(await api.get('/v1/sessions', headers));
      expectRefused(await api.raw(`/v1/sessions/${randomUUID()}`, { method: 'DELETE', headers }));
      expectRefused(await api.post('/v1/global-sign-out', {}, headers));
    }
  });

  it('survives parallel requests on one account: two sign-outs, ends of one session, and a password change', async () => {
    const sessions = await Promise.all(Array.from({ length: 4 }, () => login('bob')));
    const [a, b, c, d] = sessions;
    const answers = await Promise.all([
      signOutEverywhere(a),
      signOutEverywhere(b),
      end(c, sessionOf(d)),
      end(d, sessionOf(d)),
      api.post(
        '/v1/change-password',
        { previous_password: BOB_PASSWORD, proposed_password: BOB_PASSWORD + '-x' },
        bearer(c.access_token),
      ),
    ]);
    for (const answer of answers) expect(answer.status).toBeLessThan(500);
    for (const tokens of sessions) expectRefused(await me(tokens));

    // Back to the password the other tests use, whichever way the change went.
    const changed = answers[4].status === 200;
    if (changed) {
      const again = await api.post('/v1/login', { username: 'bob', password: BOB_PASSWORD + '-x' });
      await api.post(
        '/v1/change-password',
        { previous_password: BOB_PASSWORD + '-x', proposed_password: BOB_PASSWORD },
        bearer(again.body.access_token as string),
      );
    }
  });
});
