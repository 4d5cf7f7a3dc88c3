import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { AccountProvisioningService } from '../src/users/account-provisioning.service';
import { startTestApp, TestApp } from './support/test-app';
import { awayFromStepEdge, base32Decode, codeFor, totpCode } from './support/totp';

const API_KEY = 'ops-console-key-0123456789abcdef0123456789';
const KEY = { authorization: `Bearer ${API_KEY}` };
const CODE_MISMATCH = { message: 'Invalid code.', status: 401, code: 'CodeMismatch' };
const INVALID_SESSION = { message: 'Invalid or expired session.', status: 401, code: 'NotAuthorized' };
const RECOVERY_CODE = /^[a-hj-km-np-z2-9]{5}-[a-hj-km-np-z2-9]{5}$/;
const MFA_SETTINGS = {
  ADMIN_API_KEYS: `ops-console:${API_KEY}`,
  MFA_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  MFA_ISSUER: 'Acme SSO',
};

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

interface Account {
  username: string;
  password: string;
}

interface Enrolled extends Account {
  secret: string;
  recoveryCodes: string[];
}

/** A second factor: TOTP codes computed here from RFC 6238, never by the service's library (issue 19). */
describe('second factor: TOTP (e2e)', () => {
  let api: TestApp;
  let seq = 0;

  beforeAll(async () => {
    api = await startTestApp(MFA_SETTINGS);
  });
  afterAll(() => api?.close());

  async function account(app = api, temporary = false): Promise<Account> {
    const created = { username: `totp${++seq}`, password: `Totp-users-passphrase-${seq}` };
    await app.app.get(AccountProvisioningService).createUser({
      username: created.username,
      email: `${created.username}@example.com`,
      admin: false,
      ...(temporary ? { temporaryPassword: created.password } : { password: created.password }),
    });
    return created;
  }

  async function tokensOf(user: Account, app: TestApp = api) {
    const response = await app.post('/v1/login', { username: user.username, password: user.password });
    expect(response.status).toBe(200);
    expect(response.body.challenge_name).toBeNull();
    return response.body as { access_token: string; refresh_token: string };
  }

  /** Sets up and verifies a factor with an access token, using the previous step's code. */
  async function enrolled(app: TestApp = api): Promise<Enrolled> {
    const user = await account(app);
    const { access_token } = await tokensOf(user, app);
    const setup = await app.post('/v1/mfa/totp/setup', {}, bearer(access_token));
    expect(setup.status).toBe(200);
    await awayFromStepEdge();
    const verified = await app.post(
      '/v1/mfa/totp/verify',
      { code: codeFor(setup.body.secret_code, -1) },
      bearer(access_token),
    );
    expect(verified.status).toBe(200);
    return { ...user, secret: setup.body.secret_code, recoveryCodes: verified.body.recovery_codes };
  }

  async function challenge(user: Account, app: TestApp = api): Promise<string> {
    const response = await app.post('/v1/login', { username: user.username, password: user.password });
    expect(response.status).toBe(200);
    expect(response.body.challenge_name).toBe('SOFTWARE_TOKEN_MFA');
    return response.body.session as string;
  }

  const answer = (user: Account, session: string, code: string, app: TestApp = api) =>
    app.post('/v1/software-token-mfa', { session, username: user.username, code });

  it("the spec's own TOTP reproduces RFC 6238 Appendix B", () => {
    const key = Buffer.from('12345678901234567890', 'ascii');
    expect(totpCode(key, 59_000, 0, 8)).toBe('94287082');
    expect(totpCode(key, 1_111_111_109_000, 0, 8)).toBe('07081804');
    expect(totpCode(key, 20_000_000_000_000, 0, 8)).toBe('65353130');
    expect(base32Decode('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ')).toEqual(key);
  });

  describe('enrolment with an access token', () => {
    it('sets up a secret, refuses a wrong first code with 401, and turns the factor on with a right one', async () => {
      const user = await account();
      const { access_token } = await tokensOf(user);
      const setup = await api.post('/v1/mfa/totp/setup', {}, bearer(access_token));
      expect(setup.status).toBe(200);
      expect(setup.body).toEqual({
        secret_code: expect.stringMatching(/^[A-Z2-7]{32}$/),
        otpauth_uri: expect.stringMatching(/^otpauth:\/\/totp\//),
        qr_code: expect.stringMatching(/^data:image\/svg\+xml;base64,/),
      });
      const uri = new URL(setup.body.otpauth_uri);
      expect(Object.fromEntries(uri.searchParams)).toMatchObject({
        issuer: 'Acme SSO',
        secret: setup.body.secret_code,
        algorithm: 'SHA1',
        digits: '6',
        period: '30',
      });
      expect(Buffer.from(setup.body.qr_code.split(',')[1], 'base64').toString('utf8')).toMatch(/^<svg/);
      expect((await api.get('/v1/me', bearer(access_token))).body.mfa_enabled).toBe(false);

      await awayFromStepEdge();
      const wrong = String((Number(codeFor(setup.body.secret_code)) + 1) % 1_000_000).padStart(6, '0');
      const refused = await api.post('/v1/mfa/totp/verify', { code: wrong }, bearer(access_token));
      expect(refused.body).toEqual(CODE_MISMATCH);

      const verified = await api.post(
        '/v1/mfa/totp/verify',
        { code: codeFor(setup.body.secret_code) },
        bearer(access_token),
      );
      expect(verified.status).toBe(200);
      expect(verified.body).toEqual({
        message: 'The second factor is on.',
        status: 200,
        recovery_codes: expect.any(Array),
      });
      const codes: string[] = verified.body.recovery_codes;
      expect(codes).toHaveLength(10);
      expect(new Set(codes).size).toBe(10);
      for (const code of codes) expect(code).toMatch(RECOVERY_CODE);
      expect((await api.get('/v1/me', bearer(access_token))).body.mfa_enabled).toBe(true);
      expect((await api.get(`/v1/admin/users/${user.username}`, KEY)).body.mfa_enabled).toBe(true);

      // At rest: the secret sealed, the recovery codes hashed.
      const rows = JSON.stringify([
        await api.app.get(DataSource).query('SELECT * FROM mfa_factors'),
        await api.app.get(DataSource).query('SELECT * FROM mfa_recovery_codes'),
      ]);
      expect(rows).not.toContain(setup.body.secret_code);
      for (const code of codes) expect(rows).not.toContain(code.replace('-', ''));
    });

    it('refuses setup when a factor is on, verify with nothing set up, and both without a credential', async () => {
      const user = await enrolled();
      await awayFromStepEdge();
      const { access_token } = (await answer(user, await challenge(user), codeFor(user.secret))).body;
      const again = await api.post('/v1/mfa/totp/setup', {}, bearer(access_token));
      expect(again.status).toBe(400);
      expect(again.body.message).toBe('A second factor is already on; disable it first.');

      const other = await account();
      const tokens = await tokensOf(other);
      const nothing = await api.post('/v1/mfa/totp/verify', { code: '123456' }, bearer(tokens.access_token));
      expect(nothing.status).toBe(400);
      expect((await api.post('/v1/mfa/totp/setup', {})).status).toBe(401);
      expect((await api.post('/v1/mfa/totp/verify', { code: '123456' })).status).toBe(401);
      expect((await api.post('/v1/mfa/totp/setup', {}, bearer('not-a-token'))).status).toBe(401);
    });
  });

  describe('login with the factor on', () => {
    it('answers the right password with SOFTWARE_TOKEN_MFA, and a wrong one exactly as without a factor', async () => {
      const user = await enrolled();
      const response = await api.post('/v1/login', { username: user.username, password: user.password });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        challenge_name: 'SOFTWARE_TOKEN_MFA',
        session: expect.any(String),
        id_token: null,
        access_token: null,
        refresh_token: null,
        expires_in: 180,
      });
      const plain = await account();
      const withFactor = await api.post('/v1/login', { username: user.username, password: 'Wrong-password-1' });
      const without = await api.post('/v1/login', { username: plain.username, password: 'Wrong-password-1' });
      expect(withFactor.status).toBe(401);
      expect(withFactor.body).toEqual(without.body);
    });

    it('answers a current code with tokens, once: the same code again is a 401 replay', async () => {
      const user = await enrolled();
      await awayFromStepEdge();
      const code = codeFor(user.secret);
      const answered = await answer(user, await challenge(user), code);
      expect(answered.status).toBe(200);
      expect(answered.body).toMatchObject({ challenge_name: null, token_type: 'Bearer' });
      expect((await api.get('/v1/me', bearer(answered.body.access_token))).body).toMatchObject({
        username: user.username,
        mfa_enabled: true,
      });
      expect((await answer(user, await challenge(user), code)).body).toEqual(CODE_MISMATCH);
    });

    it('refuses a session of another kind or user, and a spent one', async () => {
      const user = await enrolled();
      const other = await enrolled();
      const session = await challenge(user);
      await awayFromStepEdge();
      expect((await answer(other, session, codeFor(other.secret))).body).toEqual(INVALID_SESSION);
      expect((await answer(user, 'made-up.session', codeFor(user.secret))).body).toEqual(INVALID_SESSION);
      expect((await answer(user, session, codeFor(user.secret))).status).toBe(200);
      expect((await answer(user, session, codeFor(user.secret, 1))).body).toEqual(INVALID_SESSION);
    });

    it('takes each recovery code once', async () => {
      const user = await enrolled();
      const [first] = user.recoveryCodes;
      const used = await answer(user, await challenge(user), first.toUpperCase().replace('-', ' '));
      expect(used.status).toBe(200);
      expect((await answer(user, await challenge(user), first)).body).toEqual(CODE_MISMATCH);
      const trail = await api.app
        .get(DataSource)
        .query('SELECT type FROM audit_events WHERE username = ? ORDER BY created_at', [user.username]);
      expect(trail.map((row: { type: string }) => row.type)).toEqual(
        expect.arrayContaining(['mfa.enabled', 'mfa.recovery_code_used', 'mfa.code_failed']),
      );
    });

    it('counts wrong codes toward the account lockout, and the fifth wrong code ends the session', async () => {
      const user = await enrolled();
      const session = await challenge(user);
      // The login's attempt stays counted until the code comes: four wrong codes make five failures.
      for (let i = 0; i < 4; i++) expect((await answer(user, session, '000000')).body).toEqual(CODE_MISMATCH);
      const locked = await answer(user, session, '000000');
      expect(locked.status).toBe(429);
      expect(locked.headers.get('retry-after')).toMatch(/^\d+$/);
      expect((await api.post('/v1/login', { username: user.username, password: user.password })).status).toBe(429);

      // Once the wait is over, the fifth wrong code ends the session: even the right code is refused.
      const untilAllowed = async (send: () => ReturnType<typeof answer>) => {
        for (;;) {
          const response = await send();
          if (response.status !== 429) return response;
          await sleep(Number(response.headers.get('retry-after') ?? 1) * 1000);
        }
      };
      expect((await untilAllowed(() => answer(user, session, '000000'))).body).toEqual(CODE_MISMATCH);
      await awayFromStepEdge();
      expect((await untilAllowed(() => answer(user, session, codeFor(user.secret)))).body).toEqual(INVALID_SESSION);
    }, 60_000);

    it('of two parallel answers with one code, accepts exactly one', async () => {
      const user = await enrolled();
      const sessions = [await challenge(user), await challenge(user)];
      await awayFromStepEdge();
      const code = codeFor(user.secret);
      const answers = await Promise.all(sessions.map((session) => answer(user, session, code)));
      expect(answers.map((a) => a.status).sort()).toEqual([200, 401]);
    });
  });

  describe('turning it off', () => {
    it('needs the password; then login gives tokens at once', async () => {
      const user = await enrolled();
      await awayFromStepEdge();
      const { access_token } = (await answer(user, await challenge(user), codeFor(user.secret))).body;
      const wrong = await api.post('/v1/mfa/totp/disable', { password: 'Not-the-password-1' }, bearer(access_token));
      expect(wrong.status).toBe(401);
      expect((await api.post('/v1/mfa/totp/disable', {}, bearer(access_token))).status).toBe(400);
      const off = await api.post('/v1/mfa/totp/disable', { password: user.password }, bearer(access_token));
      expect(off.body).toEqual({ message: 'The second factor is off.', status: 200 });
      expect((await api.get('/v1/me', bearer(access_token))).body.mfa_enabled).toBe(false);
      await tokensOf(user);
    });

    it("an admin's mfa/reset removes a lost factor, audited with the actor", async () => {
      const user = await enrolled();
      const reset = await api.post(`/v1/admin/users/${user.username.toUpperCase()}/mfa/reset`, {}, KEY);
      expect(reset.status).toBe(200);
      expect(reset.body).toMatchObject({ username: user.username, mfa_enabled: false });
      await tokensOf(user);
      const actors = await api.app
        .get(DataSource)
        .query("SELECT actor FROM audit_events WHERE type = 'admin.mfa_reset' AND username = ?", [user.username]);
      expect(actors).toEqual([{ actor: 'key:ops-console' }]);
      expect((await api.post('/v1/admin/users/nobody-here/mfa/reset', {}, KEY)).status).toBe(404);
      expect((await api.post(`/v1/admin/users/${user.username}/mfa/reset`, {})).status).toBe(401);
    });
  });

  describe('MFA=required', () => {
    let strict: TestApp;

    beforeAll(async () => {
      strict = await startTestApp({ ...MFA_SETTINGS, MFA: 'required' });
    });
    afterAll(() => strict?.close());

    it('chains NEW_PASSWORD_REQUIRED, then MFA_SETUP, then tokens with the recovery codes', async () => {
      const user = await account(strict, true);
      const first = await strict.post('/v1/login', { username: user.username, password: user.password });
      expect(first.body.challenge_name).toBe('NEW_PASSWORD_REQUIRED');
      const newPassword = 'A-chosen-passphrase-77';
      const answered = await strict.post('/v1/new-password-required', {
        session: first.body.session,
        username: user.username,
        new_password: newPassword,
      });
      expect(answered.status).toBe(200);
      expect(answered.body).toMatchObject({
        challenge_name: 'MFA_SETUP',
        access_token: null,
        session: expect.any(String),
      });
      const session = answered.body.session as string;

      const setup = await strict.post('/v1/mfa/totp/setup', { session, username: user.username });
      expect(setup.status).toBe(200);
      await awayFromStepEdge();
      const verified = await strict.post('/v1/mfa/totp/verify', {
        session,
        username: user.username,
        code: codeFor(setup.body.secret_code),
      });
      expect(verified.status).toBe(200);
      expect(verified.body).toMatchObject({
        challenge_name: null,
        access_token: expect.any(String),
        refresh_token: expect.any(String),
        token_type: 'Bearer',
      });
      expect(verified.body.recovery_codes).toHaveLength(10);
      expect((await strict.get('/v1/me', bearer(verified.body.access_token))).body.mfa_enabled).toBe(true);

      const next = await strict.post('/v1/login', { username: user.username, password: newPassword });
      expect(next.body.challenge_name).toBe('SOFTWARE_TOKEN_MFA');
    });

    it('asks a user without a factor to set one up at login', async () => {
      const user = await account(strict);
      const response = await strict.post('/v1/login', { username: user.username, password: user.password });
      expect(response.body).toMatchObject({ challenge_name: 'MFA_SETUP', access_token: null });
    });
  });

  describe('MFA=off', () => {
    it('refuses enrolment with 403', async () => {
      const off = await startTestApp({ ...MFA_SETTINGS, MFA: 'off' });
      try {
        const user = await account(off);
        const { access_token } = await tokensOf(user, off);
        const response = await off.post('/v1/mfa/totp/setup', {}, bearer(access_token));
        expect(response.status).toBe(403);
        expect(response.body.code).toBe('Forbidden');
      } finally {
        await off.close();
      }
    });
  });
});
