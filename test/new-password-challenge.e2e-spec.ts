import { setTimeout as sleep } from 'node:timers/promises';
import { AccountProvisioningService } from '../src/users/account-provisioning.service';
import { startTestApp, TestApp } from './support/test-app';
import { claimsOf } from './support/tokens';

interface Account {
  username: string;
  email: string;
  temporaryPassword: string;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** An app on a fresh database, and accounts created the way an operator does: with a temporary password. */
function challengeHarness(env: Record<string, string> = {}) {
  const ctx = {} as { api: TestApp };
  let seq = 0;

  beforeAll(async () => {
    ctx.api = await startTestApp({ RATE_LIMIT_PER_MINUTE: '0', ...env });
  });
  afterAll(() => ctx.api?.close());

  const createAccount = async (): Promise<Account> => {
    seq += 1;
    const username = `invited-user-${seq}`;
    const account = { username, email: `${username}@mail.test`, temporaryPassword: `Temporary-Secret-${seq}-Vb3` };
    await ctx.api.app.get(AccountProvisioningService).createUser({
      username,
      email: account.email,
      admin: false,
      temporaryPassword: account.temporaryPassword,
    });
    return account;
  };

  const login = (username: string, password: string) => ctx.api.post('/v1/login', { username, password });

  /** Logs in with the temporary password and returns the challenge's session. */
  const startChallenge = async (account: Account): Promise<string> => {
    const response = await login(account.username, account.temporaryPassword);
    expect(response.status).toBe(200);
    expect(response.body.challenge_name).toBe('NEW_PASSWORD_REQUIRED');
    return response.body.session as string;
  };

  const answer = (session: string, username: string, new_password: string) =>
    ctx.api.post('/v1/new-password-required', { session, username, new_password });

  return { ctx, createAccount, login, startChallenge, answer };
}

describe('NEW_PASSWORD_REQUIRED (e2e)', () => {
  const { ctx, createAccount, login, startChallenge, answer } = challengeHarness();

  it('answers the first login with a temporary password with the challenge and no tokens', async () => {
    const account = await createAccount();

    const response = await login(account.username, account.temporaryPassword);

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      challenge_name: 'NEW_PASSWORD_REQUIRED',
      session: expect.any(String),
      id_token: null,
      access_token: null,
      refresh_token: null,
      expires_in: 180,
    });
    expect(response.body.session.length).toBeGreaterThanOrEqual(32);
  });

  it('sets the new password and answers the login token set, whose tokens work', async () => {
    const account = await createAccount();
    const session = await startChallenge(account);
    const newPassword = 'Chosen-By-Me-Secret-61r';

    const response = await answer(session, account.username, newPassword);

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      id_token: expect.any(String),
      access_token: expect.any(String),
      refresh_token: expect.any(String),
      session: null,
      expires_in: 86400,
    });
    expect(response.body.challenge_name ?? null).toBeNull();
    expect(claimsOf(response.body.access_token)).toMatchObject({ token_use: 'access', username: account.username });
    expect(claimsOf(response.body.id_token)).toMatchObject({ token_use: 'id', email: account.email });

    const profile = await ctx.api.get('/v1/me', bearer(response.body.access_token));
    expect(profile.status).toBe(200);
    expect(profile.body).toMatchObject({ username: account.username, email: account.email, status: 'ACTIVE' });
    const refreshed = await ctx.api.post('/v1/token-refresh', {
      username: account.username,
      refresh_token: response.body.refresh_token,
    });
    expect(refreshed.status).toBe(200);
    expect((await ctx.api.get('/v1/me', bearer(refreshed.body.access_token))).status).toBe(200);

    const next = await login(account.username, newPassword);
    expect(next.status).toBe(200);
    expect(next.body).toMatchObject({
      challenge_name: null,
      session: null,
      id_token: expect.any(String),
      access_token: expect.any(String),
      refresh_token: expect.any(String),
      expires_in: 86400,
    });
    const withTemporary = await login(account.username, account.temporaryPassword);
    expect(withTemporary.status).toBe(401);
    expect(withTemporary.body).toMatchObject({ status: 401, code: 'NotAuthorized' });
  });

  it('accepts a session only once', async () => {
    const account = await createAccount();
    const session = await startChallenge(account);
    expect((await answer(session, account.username, 'First-Answer-Secret-18s')).status).toBe(200);

    const again = await answer(session, account.username, 'Second-Answer-Secret-27t');

    expect(again.status).toBe(401);
    expect(again.body).toEqual({ message: expect.any(String), status: 401, code: 'NotAuthorized' });
    expect((await login(account.username, 'First-Answer-Secret-18s')).status).toBe(200);
    expect((await login(account.username, 'Second-Answer-Secret-27t')).status).toBe(401);
  });

  it('lets exactly one of several concurrent answers with the same session win', async () => {
    const account = await createAccount();
    const session = await startChallenge(account);
    const passwords = [1, 2, 3, 4, 5].map((n) => `Racing-Answer-${n}-Secret-Jm`);

    const responses = await Promise.all(passwords.map((password) => answer(session, account.username, password)));

    const outcomes = responses.map((r) => `${r.status} ${r.body.code ?? ''}`.trim());
    expect([...outcomes].sort()).toEqual([
      '200',
      '401 NotAuthorized',
      '401 NotAuthorized',
      '401 NotAuthorized',
      '401 NotAuthorized',
    ]);
    const statuses = responses.map((r) => r.status);
    expect((await login(account.username, passwords[statuses.indexOf(200)])).status).toBe(200);
    expect((await login(account.username, passwords[statuses.indexOf(401)])).status).toBe(401);
  });

  it('refuses forged sessions: random strings and the right id with an altered secret', async () => {
    const account = await createAccount();
    const session = await startChallenge(account);
    const [id, secret] = session.split('.');
    const flipped = secret.endsWith('A') ? 'B' : 'A';
    const forged = [
      'not-a-session',
      'eyJhbGcisInR5cCI6IkOiJIUzI1NiIpXVCJ9',
      `${id}.${secret.slice(0, -1)}${flipped}`,
      `${id}.${'A'.repeat(secret.length)}`,
      `${id}.`,
      id,
    ];

    for (const attempt of forged) {
      const response = await answer(attempt, account.username, 'Forged-Session-Secret-36u');
      expect({ attempt, status: response.status }).toEqual({ attempt, status: 401 });
      expect(response.body).toMatchObject({ status: 401, code: 'NotAuthorized' });
    }
    // None of them spent the real session.
    expect((await answer(session, account.username, 'Genuine-Answer-Secret-45v')).status).toBe(200);
  });

  it("refuses the session with another user's username", async () => {
    const account = await createAccount();
    const otherAccount = await createAccount();
    const session = await startChallenge(account);

    const response = await answer(session, otherAccount.username, 'Hijacking-Secret-54w');

    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ status: 401, code: 'NotAuthorized' });
    // Neither account got that password.
    expect((await login(otherAccount.username, 'Hijacking-Secret-54w')).status).toBe(401);
    expect((await login(account.username, 'Hijacking-Secret-54w')).status).toBe(401);
    expect((await login(otherAccount.username, otherAccount.temporaryPassword)).body.challenge_name).toBe(
      'NEW_PASSWORD_REQUIRED',
    );
  });

  it('accepts the username in any letter case', async () => {
    const account = await createAccount();
    const session = await startChallenge(account);

    const response = await answer(session, account.username.toUpperCase(), 'Any-Case-Secret-63x');

    expect(response.status).toBe(200);
    expect((await login(account.username, 'Any-Case-Secret-63x')).status).toBe(200);
  });

  it('answers 400 InvalidPassword for a password the policy rejects, without spending the session', async () => {
    const account = await createAccount();
    const session = await startChallenge(account);
    const rejected: Array<[string, RegExp]> = [
      ['Sh0rt!', /8 characters/i],
      ['password123', /common/i],
      [account.username, /username/i],
      [account.temporaryPassword, /differ from the temporary/i],
    ];

    for (const [password, rule] of rejected) {
      const response = await answer(session, account.username, password);
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ message: expect.stringMatching(rule), status: 400, code: 'InvalidPassword' });
    }

    const good = await answer(session, account.username, 'Finally-Good-Secret-72y');
    expect(good.status).toBe(200);
    expect((await ctx.api.get('/v1/me', bearer(good.body.access_token))).status).toBe(200);
  });

  it('answers 400 when a field is missing', async () => {
    const account = await createAccount();
    const session = await startChallenge(account);

    const bodies = [
      { username: account.username, new_password: 'Missing-Session-81z' },
      { session, new_password: 'Missing-Username-81z' },
      { session, username: account.username },
    ];
    for (const body of bodies) {
      const response = await ctx.api.post('/v1/new-password-required', body);
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ message: expect.any(String), status: 400 });
    }
    expect((await answer(session, account.username, 'After-Bad-Requests-90a')).status).toBe(200);
  });
});

describe('NEW_PASSWORD_REQUIRED with a short challenge session lifetime (e2e)', () => {
  const { createAccount, login, startChallenge, answer } = challengeHarness({ CHALLENGE_SESSION_TTL: '1' });

  it('refuses a session that has expired', async () => {
    const account = await createAccount();
    const session = await startChallenge(account);
    await sleep(1200);

    const response = await answer(session, account.username, 'Too-Slow-Secret-19b');

    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ status: 401, code: 'NotAuthorized' });
    expect((await login(account.username, 'Too-Slow-Secret-19b')).status).toBe(401);
    // A new login starts a new challenge.
    const fresh = await startChallenge(account);
    expect((await answer(fresh, account.username, 'In-Time-Secret-28c')).status).toBe(200);
  });
});

describe('NEW_PASSWORD_REQUIRED with a short temporary password lifetime (e2e)', () => {
  const { createAccount, login, startChallenge } = challengeHarness({ TEMPORARY_PASSWORD_TTL: '1' });

  it('refuses to log in with a temporary password that has expired', async () => {
    const account = await createAccount();
    await startChallenge(account);
    await sleep(1200);

    const response = await login(account.username, account.temporaryPassword);

    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ status: 401, code: 'NotAuthorized' });
    expect(response.body.session ?? null).toBeNull();
  });
});
