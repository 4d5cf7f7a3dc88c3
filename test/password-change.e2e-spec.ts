import { randomBytes } from 'node:crypto';
import { AccountProvisioningService } from '../src/users/account-provisioning.service';
import { mailSettings, SmtpCatcher, startSmtpCatcher } from './support/smtp-catcher';
import { startTestApp, TestApp } from './support/test-app';
import { claimsOf, forgeToken, unsignedToken } from './support/tokens';

interface Account {
  username: string;
  email: string;
  password: string;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('change-password (e2e)', () => {
  const jwtSecret = randomBytes(32).toString('hex');
  let smtp: SmtpCatcher;
  let api: TestApp;
  let seq = 0;

  beforeAll(async () => {
    smtp = await startSmtpCatcher();
    api = await startTestApp({ ...mailSettings(smtp), JWT_SECRET: jwtSecret, RATE_LIMIT_PER_MINUTE: '0' });
  });
  afterAll(async () => {
    await api?.close();
    await smtp?.stop();
  });

  const createAccount = async (): Promise<Account> => {
    seq += 1;
    const username = `change-user-${seq}`;
    const account = { username, email: `${username}@mail.test`, password: `Current-Secret-${seq}-Wp4` };
    await api.app.get(AccountProvisioningService).createUser({ ...account, admin: false });
    return account;
  };

  const login = (username: string, password: string) => api.post('/v1/login', { username, password });

  const signIn = async (account: Account) => {
    const response = await login(account.username, account.password);
    expect(response.status).toBe(200);
    return response.body as { access_token: string; id_token: string; refresh_token: string };
  };

  const refresh = (account: Account, refresh_token: string) =>
    api.post('/v1/token-refresh', { username: account.username, refresh_token });

  const me = (accessToken: string) => api.get('/v1/me', bearer(accessToken));

  /** Checks that a change with `send` worked, kept the caller's session and ended the other one. */
  async function expectChangedKeepingOnlyCallerSession(
    send: (account: Account, accessToken: string, proposed: string) => ReturnType<TestApp['post']>,
  ) {
    const account = await createAccount();
    const other = await signIn(account);
    const caller = await signIn(account);
    const proposed = `Proposed-Secret-${seq}-Hn8`;

    const response = await send(account, caller.access_token, proposed);

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ message: expect.any(String), status: 200 });
    expect((await login(account.username, proposed)).status).toBe(200);
    expect((await login(account.username, account.password)).status).toBe(401);

    expect((await me(caller.access_token)).status).toBe(200);
    const callerRefresh = await refresh(account, caller.refresh_token);
    expect(callerRefresh.status).toBe(200);
    expect((await me(callerRefresh.body.access_token)).status).toBe(200);

    expect((await me(other.access_token)).status).toBe(401);
    expect((await refresh(account, other.refresh_token)).status).toBe(401);

    const notice = await smtp.waitForMail(
      (m) => m.to.includes(account.email) && /changed/i.test(`${m.subject}\n${m.text}`),
      10000,
    );
    expect(notice.text).toContain(account.username);
    expect(notice.text).not.toContain(proposed);
    expect(notice.html).not.toContain(proposed);
  }

  it('changes the password with the access token in the body', async () => {
    await expectChangedKeepingOnlyCallerSession((account, access_token, proposed_password) =>
      api.post('/v1/change-password', { access_token, previous_password: account.password, proposed_password }),
    );
  });

  it('changes the password with the access token as Authorization: Bearer', async () => {
    await expectChangedKeepingOnlyCallerSession((account, accessToken, proposed_password) =>
      api.post('/v1/change-password', { previous_password: account.password, proposed_password }, bearer(accessToken)),
    );
  });

  it('answers 401 for a wrong previous password and keeps the password', async () => {
    const account = await createAccount();
    const { access_token } = await signIn(account);

    const response = await api.post('/v1/change-password', {
      access_token,
      previous_password: 'Not-The-Current-One-1',
      proposed_password: 'Would-Be-Secret-72p',
    });

    expect(response.status).toBe(401);
    expect(response.body).toEqual({ message: expect.any(String), status: 401, code: 'NotAuthorized' });
    expect((await login(account.username, account.password)).status).toBe(200);
    expect((await me(access_token)).status).toBe(200);
  });

  it('answers 401 without any access token', async () => {
    const account = await createAccount();

    const response = await api.post('/v1/change-password', {
      previous_password: account.password,
      proposed_password: 'Would-Be-Secret-72p',
    });

    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ status: 401, code: 'NotAuthorized' });
    expect((await login(account.username, account.password)).status).toBe(200);
  });

  it('answers 401 for an id token, an expired, forged or unsigned token, and a revoked session', async () => {
    const account = await createAccount();
    const live = await signIn(account);
    const revoked = await signIn(account);
    expect((await api.post('/v1/token-revoke', { refresh_token: revoked.refresh_token })).status).toBe(200);

    const claims = claimsOf(live.access_token);
    const now = Math.floor(Date.now() / 1000);
    const { sub, token_use, sid, username, roles } = claims;
    const body = { token_use, sid, username, roles };
    // Signed with the app's own key, with the live session's claims: only the lifetime is wrong.
    const expired = forgeToken(jwtSecret, { ...body, iat: now - 3600, exp: now - 60 }, { subject: sub });
    // The same claims, unexpired, signed with a key the app does not have.
    const foreignKey = forgeToken(randomBytes(32).toString('hex'), body, { subject: sub, expiresIn: 600 });
    const unsigned = unsignedToken({ ...claims, exp: now + 600 });
    // Proof that the forging itself is right: the same recipe with a valid lifetime is accepted.
    const wellForged = forgeToken(jwtSecret, body, { subject: sub, expiresIn: 600 });
    expect((await me(wellForged)).status).toBe(200);

    const refused = {
      'id token': live.id_token,
      'expired token': expired,
      'token signed with another key': foreignKey,
      'unsigned token': unsigned,
      'token of a revoked session': revoked.access_token,
      garbage: 'not-a-jwt',
    };
    for (const [kind, token] of Object.entries(refused)) {
      const passwords = { previous_password: account.password, proposed_password: 'Would-Be-Secret-72p' };
      const inBody = await api.post('/v1/change-password', { access_token: token, ...passwords });
      const asHeader = await api.post('/v1/change-password', passwords, bearer(token));

      expect({ kind, status: inBody.status, code: inBody.body.code }).toEqual({
        kind,
        status: 401,
        code: 'NotAuthorized',
      });
      expect({ kind, status: asHeader.status, code: asHeader.body.code }).toEqual({
        kind,
        status: 401,
        code: 'NotAuthorized',
      });
    }
    expect((await login(account.username, account.password)).status).toBe(200);
    expect((await me(live.access_token)).status).toBe(200);
  });

  it('answers 400 InvalidPassword for a proposed password the policy rejects, naming the rule', async () => {
    const account = await createAccount();
    const { access_token } = await signIn(account);
    const rejected: Array<[string, RegExp]> = [
      ['Sh0rt!', /8 characters/i],
      ['password123', /common/i],
      [account.username, /username/i],
      [account.password, /differ from the current/i],
      // The same password typed on another keyboard: NFKC makes it the one stored.
      [account.password.replace('C', '\uFF23'), /differ from the current/i],
    ];

    for (const [proposed_password, rule] of rejected) {
      const response = await api.post('/v1/change-password', {
        access_token,
        previous_password: account.password,
        proposed_password,
      });
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ message: expect.stringMatching(rule), status: 400, code: 'InvalidPassword' });
    }
    expect((await login(account.username, account.password)).status).toBe(200);
  });

  it('answers 400 when a field is missing', async () => {
    const account = await createAccount();
    const { access_token } = await signIn(account);

    const withoutPrevious = await api.post('/v1/change-password', {
      access_token,
      proposed_password: 'Would-Be-Secret-72p',
    });
    const withoutProposed = await api.post('/v1/change-password', {
      access_token,
      previous_password: account.password,
    });
    const empty = await api.post('/v1/change-password', {}, bearer(access_token));

    for (const response of [withoutPrevious, withoutProposed, empty]) {
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ message: expect.any(String), status: 400 });
    }
    expect((await login(account.username, account.password)).status).toBe(200);
  });
});
