import { setTimeout as sleep } from 'node:timers/promises';
import { AccountProvisioningService } from '../src/users/account-provisioning.service';
import { mailSettings, SmtpCatcher, startSmtpCatcher } from './support/smtp-catcher';
import { startTestApp, TestApp, TestResponse } from './support/test-app';

/**
 * CONTRACT.md, Part 2 "Concurrency": requests of different users never fail because they ran
 * at the same moment; a deadlock or lock timeout inside the service is retried, never
 * answered as 5xx. Every test here sends requests of distinct users at once, so any 5xx (or
 * any other answer than the one a lone request gets) is the service tripping over itself.
 */

/** Users per burst: more than the MySQL pool (10) and the hashing threads, so requests queue. */
const USERS = 16;
/** Bursts per test: one burst may miss the window in which two transactions collide. */
const ROUNDS = 3;
/** 8 characters, no 0/O/o or 1/I/l, alone on a line (the reset mail's text part). */
const CODE_LINE = /^[A-HJ-NP-Za-km-z2-9]{8}$/m;
/** CONTRACT.md "Errors": five failed logins are free, then each attempt must wait. */
const FREE_FAILURES = 5;

interface Account {
  username: string;
  email: string;
  password: string;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A response as a failure message shows it: the status, and the error code when there is one. */
const outcome = (response: TestResponse) =>
  typeof response.body?.code === 'string' ? `${response.status} ${response.body.code}` : `${response.status}`;

/** `{username: outcome}`, so a failure names every user whose request went wrong. */
const byUser = (accounts: Account[], responses: TestResponse[], show = outcome) =>
  Object.fromEntries(accounts.map((account, i) => [account.username, show(responses[i])]));

/** The table byUser() must equal when every user got `expected`. */
const everyone = (accounts: Account[], expected: string) =>
  Object.fromEntries(accounts.map((account) => [account.username, expected]));

/** App settings for these specs. */
function appSettings(smtp: SmtpCatcher, env: Record<string, string> = {}): Record<string, string> {
  return {
    ...mailSettings(smtp),
    // Every request comes from 127.0.0.1: the per-IP limits would answer 429 to the bursts.
    RATE_LIMIT_PER_MINUTE: '0',
    LOGIN_FAILURES_PER_IP: '1000000',
    ...env,
  };
}

let seq = 0;

/** Created one after another through the service: only the requests under test run at once. */
async function createAccounts(api: TestApp, count: number, kind: 'final' | 'temporary'): Promise<Account[]> {
  const accounts: Account[] = [];
  for (let i = 0; i < count; i += 1) {
    seq += 1;
    const username = `parallel-user-${seq}`;
    const account = { username, email: `${username}@mail.test`, password: `Initial-Secret-${seq}-Qm4` };
    await api.app.get(AccountProvisioningService).createUser({
      username,
      email: account.email,
      admin: false,
      ...(kind === 'final' ? { password: account.password } : { temporaryPassword: account.password }),
    });
    accounts.push(account);
  }
  return accounts;
}

const STORM_MS = 15_000;
const STORM_USERS = 10;
const STORM_LOOPS = 16;
type Action = 'login' | 'me' | 'refresh' | 'change-password' | 'revoke';
/** Weighted: reads and refreshes are what clients send most; every kind still runs often. */
const WEIGHTS: Record<Action, number> = { login: 2, me: 3, refresh: 3, 'change-password': 1, revoke: 1 };
const ACTIONS = (Object.keys(WEIGHTS) as Action[]).flatMap((action) => Array<Action>(WEIGHTS[action]).fill(action));

/** Runs calls one at a time, in the order they were made (a promise-chain mutex). */
class Lock {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/**
 * What the storm knows about one user. Change-passwords of one user are serialized by
 * `changing`, so `password` is always the one the last 200 set. Everything else races them;
 * the two counters tell whether a change could have overlapped a given request.
 */
interface StormUser {
  username: string;
  password: string;
  changing: Lock;
  changesStarted: number;
  changesFinished: number;
  failedLogins: number;
  proposals: number;
}

/** One loop's session of a user, and how many changes had finished when its login began. */
interface Session {
  access: string;
  refresh: string;
  changesFinishedBefore: number;
}

/**
 * STORM_LOOPS clients, for STORM_MS, each picking a user and an action at random. Every
 * answer is judged as it arrives: a 5xx is always wrong; a 401 is right only if a password
 * change of that user could have overlapped (it changed the password, or signed the session
 * out); a 429 only once such overlaps made 5 of the user's logins fail. At the end, every
 * user's last password (the last change that answered 200) must log in.
 */
async function runStorm(api: TestApp) {
  const users: StormUser[] = (await createAccounts(api, STORM_USERS, 'final')).map((account) => ({
    username: account.username,
    password: account.password,
    changing: new Lock(),
    changesStarted: 0,
    changesFinished: 0,
    failedLogins: 0,
    proposals: 0,
  }));
  const counts: Record<string, Record<string, number>> = {};
  const serverErrors: string[] = [];
  const unexpected: string[] = [];
  const login = (user: StormUser) => api.post('/v1/login', { username: user.username, password: user.password });

  /** Sends one request, counts its outcome, and files it under 5xx or unexpected when it is. */
  async function send(
    action: Action,
    user: StormUser,
    request: () => Promise<TestResponse>,
    allowed: (status: number) => boolean,
  ): Promise<TestResponse> {
    const response = await request().catch((error: Error): TestResponse => ({
      status: 0,
      headers: new Headers(),
      body: { code: error.message },
    }));
    const seen = outcome(response);
    counts[action] ??= {};
    counts[action][seen] = (counts[action][seen] ?? 0) + 1;
    if (response.status >= 500) serverErrors.push(`${action} ${user.username}: ${seen}`);
    else if (!allowed(response.status)) unexpected.push(`${action} ${user.username}: ${seen}`);
    return response;
  }

  /** Whether a change of the user's password started after `changesFinishedBefore` was counted. */
  const changeOverlapped = (user: StormUser, changesFinishedBefore: number) =>
    user.changesStarted > changesFinishedBefore;
  const mayBeLocked = (user: StormUser) => user.failedLogins >= FREE_FAILURES;

  async function logIn(user: StormUser, sessions: Map<StormUser, Session>): Promise<Session | undefined> {
    const changesFinishedBefore = user.changesFinished;
    const response = await send(
      'login',
      user,
      () => login(user),
      (status) =>
        status === 200 ||
        (status === 401 && changeOverlapped(user, changesFinishedBefore)) ||
        (status === 429 && mayBeLocked(user)),
    );
    if (response.status === 401) user.failedLogins += 1;
    if (response.status !== 200) return undefined;
    const session = {
      access: response.body.access_token as string,
      refresh: response.body.refresh_token as string,
      changesFinishedBefore,
    };
    sessions.set(user, session);
    return session;
  }

  async function act(action: Action, user: StormUser, sessions: Map<StormUser, Session>): Promise<void> {
    if (action === 'login') {
      await logIn(user, sessions);
      return;
    }
    const session = sessions.get(user) ?? (await logIn(user, sessions));
    if (!session) return;
    // Only a password change (from another session) signs a session out behind this loop's back.
    const live = (status: number) =>
      status === 200 || (status === 401 && changeOverlapped(user, session.changesFinishedBefore));

    if (action === 'me') {
      const response = await send('me', user, () => api.get('/v1/me', bearer(session.access)), live);
      if (response.status === 401) sessions.delete(user);
    } else if (action === 'refresh') {
      const response = await send(
        'refresh',
        user,
        () => api.post('/v1/token-refresh', { username: user.username, refresh_token: session.refresh }),
        live,
      );
      if (response.status === 200) {
        session.access = response.body.access_token;
        // With rotation the session goes on with the new token.
        session.refresh = response.body.refresh_token ?? session.refresh;
      }
      if (response.status === 401) sessions.delete(user);
    } else if (action === 'revoke') {
      await send(
        'revoke',
        user,
        () => api.post('/v1/token-revoke', { refresh_token: session.refresh }),
        (status) => status === 200,
      );
      sessions.delete(user);
      await logIn(user, sessions);
    } else {
      await user.changing.run(async () => {
        // Judged before this change counts itself: only an earlier one can have ended the session.
        const ended = changeOverlapped(user, session.changesFinishedBefore);
        user.proposals += 1;
        const proposed = `Storm-${user.username}-${user.proposals}-Hv2`;
        user.changesStarted += 1;
        const response = await send(
          'change-password',
          user,
          () =>
            api.post(
              '/v1/change-password',
              { previous_password: user.password, proposed_password: proposed },
              bearer(session.access),
            ),
          (status) => status === 200 || (status === 401 && ended) || (status === 429 && mayBeLocked(user)),
        );
        // Only a 200 is known to have changed it; the final logins prove that it stuck.
        if (response.status === 200) user.password = proposed;
        if (response.status === 401) sessions.delete(user);
        user.changesFinished += 1;
      });
    }
  }

  const deadline = Date.now() + STORM_MS;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)];
  await Promise.all(
    Array.from({ length: STORM_LOOPS }, async () => {
      const sessions = new Map<StormUser, Session>();
      while (Date.now() < deadline) await act(pick(ACTIONS), pick(users), sessions);
    }),
  );

  const finalLogins: Record<string, string> = {};
  for (const user of users) {
    let response = await login(user);
    // The only legitimate 429: logins that overlapped changes failed 5 times; wait it out.
    for (let waits = 0; response.status === 429 && mayBeLocked(user) && waits < 3; waits += 1) {
      const retryAfter = Number(response.headers.get('retry-after'));
      if (!(retryAfter <= 8)) break;
      await sleep(retryAfter * 1000);
      response = await login(user);
    }
    finalLogins[user.username] = outcome(response);
  }
  return { users, counts, serverErrors, unexpected, finalLogins };
}

/** The storm's verdict: no 5xx, nothing unexpected, every final password logs in, every kind ran. */
function expectCalmStorm(storm: Awaited<ReturnType<typeof runStorm>>, label: string) {
  console.log(`${label}: requests by kind and outcome\n${JSON.stringify(storm.counts, null, 2)}`);
  // How many of each kind (`refresh: 503 ServiceUnavailable`), and the first few with their users.
  const summary = (lines: string[]) => {
    const byKind: Record<string, number> = {};
    for (const line of lines) {
      const kind = line.replace(/ \S+:/, ':');
      byKind[kind] = (byKind[kind] ?? 0) + 1;
    }
    return { count: lines.length, byKind, first: lines.slice(0, 5) };
  };
  expect({
    serverErrors: summary(storm.serverErrors),
    unexpected: summary(storm.unexpected),
    finalLogins: storm.finalLogins,
  }).toEqual({
    serverErrors: summary([]),
    unexpected: summary([]),
    finalLogins: Object.fromEntries(storm.users.map((user) => [user.username, '200'])),
  });
  // Proof that the storm ran every kind of request, not just one.
  const ran = Object.fromEntries(ACTIONS.map((action) => [action, (storm.counts[action]?.['200'] ?? 0) > 0]));
  expect(ran).toEqual(Object.fromEntries(ACTIONS.map((action) => [action, true])));
}

describe('requests of different users at the same moment (e2e)', () => {
  let smtp: SmtpCatcher;
  let api: TestApp;

  beforeAll(async () => {
    smtp = await startSmtpCatcher();
    api = await startTestApp(appSettings(smtp));
  });
  afterAll(async () => {
    await api?.close();
    await smtp?.stop();
  });

  const login = (username: string, password: string) => api.post('/v1/login', { username, password });
  const loginAll = (accounts: Account[], password: (account: Account) => string) =>
    Promise.all(accounts.map((account) => login(account.username, password(account))));
  const newPasswordOf = (account: Account) => `${account.password}-Renewed-Zt6`;

  it('answers every NEW_PASSWORD_REQUIRED challenge of 16 users answered at the same moment', async () => {
    for (let round = 1; round <= ROUNDS; round += 1) {
      const accounts = await createAccounts(api, USERS, 'temporary');
      const challenges = await loginAll(accounts, (account) => account.password);
      const challenged = byUser(accounts, challenges, (r) => `${outcome(r)} ${r.body?.challenge_name}`);
      expect({ round, challenged }).toEqual({ round, challenged: everyone(accounts, '200 NEW_PASSWORD_REQUIRED') });

      const answers = await Promise.all(
        accounts.map((account, i) =>
          api.post('/v1/new-password-required', {
            session: challenges[i].body.session,
            username: account.username,
            new_password: newPasswordOf(account),
          }),
        ),
      );

      expect({ round, answers: byUser(accounts, answers) }).toEqual({ round, answers: everyone(accounts, '200') });
      const withNew = await loginAll(accounts, newPasswordOf);
      expect({ round, withNew: byUser(accounts, withNew) }).toEqual({ round, withNew: everyone(accounts, '200') });
    }
  });

  it('changes the passwords of 16 users who change them at the same moment', async () => {
    for (let round = 1; round <= ROUNDS; round += 1) {
      const accounts = await createAccounts(api, USERS, 'final');
      const sessions = await loginAll(accounts, (account) => account.password);
      expect({ round, signedIn: byUser(accounts, sessions) }).toEqual({ round, signedIn: everyone(accounts, '200') });

      const changes = await Promise.all(
        accounts.map((account, i) =>
          api.post(
            '/v1/change-password',
            { previous_password: account.password, proposed_password: newPasswordOf(account) },
            bearer(sessions[i].body.access_token),
          ),
        ),
      );

      expect({ round, changes: byUser(accounts, changes) }).toEqual({ round, changes: everyone(accounts, '200') });
      const withNew = await loginAll(accounts, newPasswordOf);
      expect({ round, withNew: byUser(accounts, withNew) }).toEqual({ round, withNew: everyone(accounts, '200') });
      const withOld = await loginAll(accounts, (account) => account.password);
      expect({ round, withOld: byUser(accounts, withOld) }).toEqual({
        round,
        withOld: everyone(accounts, '401 NotAuthorized'),
      });
    }
  });

  it('resets the passwords of 16 users who confirm their codes at the same moment', async () => {
    for (let round = 1; round <= ROUNDS; round += 1) {
      const accounts = await createAccounts(api, USERS, 'final');
      const requests = await Promise.all(
        accounts.map((account) => api.post('/v1/forgot-password', { username: account.username })),
      );
      expect({ round, requested: byUser(accounts, requests) }).toEqual({ round, requested: everyone(accounts, '200') });
      // Each account is new, so the only code mail it has is the one just requested.
      const codes = await Promise.all(
        accounts.map(async (account) => {
          const mail = await smtp.waitForMail((m) => m.to.includes(account.email) && CODE_LINE.test(m.text), 15000);
          return CODE_LINE.exec(mail.text)![0];
        }),
      );

      const confirms = await Promise.all(
        accounts.map((account, i) =>
          api.post('/v1/forgot-password-confirm', {
            username: account.username,
            confirmation_code: codes[i],
            password: newPasswordOf(account),
          }),
        ),
      );

      expect({ round, confirms: byUser(accounts, confirms) }).toEqual({ round, confirms: everyone(accounts, '200') });
      const withNew = await loginAll(accounts, newPasswordOf);
      expect({ round, withNew: byUser(accounts, withNew) }).toEqual({ round, withNew: everyone(accounts, '200') });
    }
  });

  it(
    'answers no 5xx and nothing unexpected in a 15 s storm of logins, reads, refreshes, changes and revokes',
    async () => expectCalmStorm(await runStorm(api), 'storm'),
    STORM_MS + 60_000,
  );
});

describe('a storm with refresh token rotation (e2e)', () => {
  let smtp: SmtpCatcher;
  let api: TestApp;

  beforeAll(async () => {
    smtp = await startSmtpCatcher();
    // With rotation every refresh writes in a transaction, racing the user's password changes.
    api = await startTestApp(appSettings(smtp, { REFRESH_TOKEN_ROTATION: 'true' }));
  });
  afterAll(async () => {
    await api?.close();
    await smtp?.stop();
  });

  it(
    'answers no 5xx and nothing unexpected in a 15 s storm while every refresh rotates the token',
    async () => expectCalmStorm(await runStorm(api), 'storm with rotation'),
    STORM_MS + 60_000,
  );
});
