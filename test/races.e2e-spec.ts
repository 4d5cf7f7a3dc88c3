import { AccountProvisioningService } from '../src/users/account-provisioning.service';
import { mailSettings, SmtpCatcher, startSmtpCatcher } from './support/smtp-catcher';
import { startTestApp, TestApp, TestResponse } from './support/test-app';

/**
 * CONTRACT.md, Part 2 "Concurrency": two requests that race on the same account or session
 * serialize. The lockout counts attempts as they arrive, of two change-passwords from the same
 * previous password exactly one succeeds, and a revoke (or password change, or reset) that
 * races refreshes leaves no token of that session alive. Each invariant here must hold under
 * any interleaving, so the tests race the requests for real and check only what every
 * interleaving has to end with; rounds repeat a race where one round might miss the window.
 */

/** CONTRACT.md "Errors": after 5 consecutive failed logins each further attempt must wait 2^(n-5) s. */
const FREE_FAILURES = 5;
const WRONG_PASSWORD = 'Not-The-Password-31k';
/** 8 characters, no 0/O/o or 1/I/l, alone on a line (the reset mail's text part). */
const CODE_LINE = /^[A-HJ-NP-Za-km-z2-9]{8}$/m;

interface Account {
  username: string;
  email: string;
  password: string;
}

interface Tokens {
  access_token: string;
  refresh_token: string;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A response as a failure message shows it: the status, and the error code when there is one. */
const outcome = (response: TestResponse) =>
  typeof response.body?.code === 'string' ? `${response.status} ${response.body.code}` : `${response.status}`;

/** How many answers had each outcome, e.g. `{'401 NotAuthorized': 5, '429 LimitExceeded': 25}`. */
function tally(responses: TestResponse[], show = outcome): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const response of responses) counts[show(response)] = (counts[show(response)] ?? 0) + 1;
  return counts;
}
const statusTally = (responses: TestResponse[]) => tally(responses, (r) => String(r.status));

/** An asymmetric matcher for toEqual: any number up to `max`. */
const atMost = (max: number) => ({
  // What jest's printer looks for, so a failure shows "at most 5" rather than this object.
  $$typeof: Symbol.for('jest.asymmetricMatcher'),
  asymmetricMatch: (actual: unknown) => typeof actual === 'number' && actual <= max,
  toAsymmetricMatcher: () => `at most ${max}`,
});

/**
 * Password checks a correct lockout may make within `ms` of a burst's start: the 5 free
 * failures, plus one more each time a wait (1 s, then 2 s, 4 s, ...) could have run out
 * meanwhile. A burst is over in well under a second, but a slow machine must not fail it.
 */
function checksAllowedWithin(ms: number): number {
  let allowed = FREE_FAILURES;
  for (let wait = 1000, elapsed = 0; elapsed + wait <= ms; elapsed += wait, wait *= 2) allowed += 1;
  return allowed;
}

/** Sends every request at once; `elapsedMs` runs from the first send to the last answer. */
async function burst(requests: Array<() => Promise<TestResponse>>) {
  const started = Date.now();
  const responses = await Promise.all(requests.map((send) => send()));
  return { responses, started, elapsedMs: Date.now() - started };
}

/**
 * The lockout's verdict on a burst: every answer that is not a 429 was a password check,
 * there were no more of them than `allowed`, each had an allowed status, and each 429 says
 * when to come back.
 */
function expectLockedAfterAllowedChecks(
  { responses, elapsedMs }: { responses: TestResponse[]; elapsedMs: number },
  allowed: number,
  checked: (response: TestResponse, index: number) => boolean,
) {
  const outcomes = tally(responses);
  const strays = responses.flatMap((r, i) => (r.status === 429 || checked(r, i) ? [] : [`#${i}: ${outcome(r)}`]));
  const withoutRetryAfter = responses.filter((r) => r.status === 429 && !(Number(r.headers.get('retry-after')) >= 1));
  expect({
    elapsedMs,
    outcomes,
    strays,
    withoutRetryAfter: withoutRetryAfter.length,
    passwordChecks: responses.filter((r) => r.status !== 429).length,
  }).toEqual({ elapsedMs, outcomes, strays: [], withoutRetryAfter: 0, passwordChecks: atMost(allowed) });
}

/** Resolves `reached(n)` once `tick()` has run n times, or at `finish()`: lets a revoke land mid-race. */
function progress() {
  let count = 0;
  let finished = false;
  const waiting: Array<{ n: number; resolve: () => void }> = [];
  const release = () => {
    for (const waiter of waiting.filter((w) => finished || w.n <= count)) {
      waiting.splice(waiting.indexOf(waiter), 1);
      waiter.resolve();
    }
  };
  return {
    tick: () => {
      count += 1;
      release();
    },
    finish: () => {
      finished = true;
      release();
    },
    reached: (n: number) =>
      new Promise<void>((resolve) => {
        waiting.push({ n, resolve });
        release();
      }),
  };
}

/** An app on a fresh database that mails a real SMTP server, and what the races need of it. */
function raceHarness(env: Record<string, string> = {}) {
  const ctx = {} as { api: TestApp; smtp: SmtpCatcher };
  let seq = 0;

  beforeAll(async () => {
    ctx.smtp = await startSmtpCatcher();
    ctx.api = await startTestApp({
      ...mailSettings(ctx.smtp),
      // Every request comes from 127.0.0.1: the per-IP limits would blur the per-account lockout.
      RATE_LIMIT_PER_MINUTE: '0',
      LOGIN_FAILURES_PER_IP: '1000000',
      ...env,
    });
  });
  afterAll(async () => {
    await ctx.api?.close();
    await ctx.smtp?.stop();
  });

  /** A fresh account per race: no lockout, session or code left over from another test. */
  const createAccount = async (): Promise<Account> => {
    seq += 1;
    const username = `racing-user-${seq}`;
    const account = { username, email: `${username}@mail.test`, password: `Initial-Secret-${seq}-Fd8` };
    await ctx.api.app.get(AccountProvisioningService).createUser({ ...account, admin: false });
    return account;
  };

  const login = (username: string, password: string) => ctx.api.post('/v1/login', { username, password });

  const signIn = async (account: Account): Promise<Tokens> => {
    const response = await login(account.username, account.password);
    expect(response.status).toBe(200);
    return response.body;
  };

  const refresh = (account: Account, refresh_token: string) =>
    ctx.api.post('/v1/token-refresh', { username: account.username, refresh_token });

  const revoke = (refresh_token: string) => ctx.api.post('/v1/token-revoke', { refresh_token });

  const me = (accessToken: string) => ctx.api.get('/v1/me', bearer(accessToken));

  const changePassword = (accessToken: string, previous_password: string, proposed_password: string) =>
    ctx.api.post('/v1/change-password', { previous_password, proposed_password }, bearer(accessToken));

  /** Asks for a reset code and reads it out of the mail this request caused. */
  const requestCode = async (account: Account): Promise<string> => {
    const after = ctx.smtp.messages.length;
    expect((await ctx.api.post('/v1/forgot-password', { username: account.username })).status).toBe(200);
    const mail = await ctx.smtp.waitForMail(
      (m) => m.seq >= after && m.to.includes(account.email) && CODE_LINE.test(m.text),
      10000,
    );
    return CODE_LINE.exec(mail.text)![0];
  };

  return { ctx, createAccount, login, signIn, refresh, revoke, me, changePassword, requestCode };
}

describe('requests racing on one account (e2e)', () => {
  const { createAccount, login, signIn, changePassword } = raceHarness();

  it('counts a parallel burst of 30 wrong passwords as it arrives: at most 5 checks, then 429', async () => {
    const account = await createAccount();

    const sent = await burst(Array.from({ length: 30 }, () => () => login(account.username, WRONG_PASSWORD)));

    expectLockedAfterAllowedChecks(sent, checksAllowedWithin(sent.elapsedMs), (r) => r.status === 401);
    // The first wait (1 s) began at the 5th failure, after `started`: until 1 s past it, the
    // right password must wait too. Later than that the lockout may rightly let it in.
    const right = await login(account.username, account.password);
    const verdict = { status: right.status, retryAfter: right.headers.get('retry-after') };
    if (Date.now() - sent.started < 1000) {
      expect(verdict).toEqual({ status: 429, retryAfter: expect.stringMatching(/^[1-9]\d*$/) });
    } else {
      expect([200, 429]).toContain(verdict.status);
    }
  });

  it('checks no more passwords in a parallel burst that carries the right one last', async () => {
    const account = await createAccount();
    const passwords = [...Array<string>(29).fill(WRONG_PASSWORD), account.password];

    const sent = await burst(passwords.map((password) => () => login(account.username, password)));

    // A right password checked among the first 5 answers 200 and starts the count over (as
    // it does for sequential logins), which buys the wrong ones after it 5 more checks.
    const succeeded = sent.responses.some((r) => r.status === 200);
    const allowed = checksAllowedWithin(sent.elapsedMs) + (succeeded ? FREE_FAILURES : 0);
    expectLockedAfterAllowedChecks(sent, allowed, (r, i) =>
      passwords[i] === account.password ? r.status === 200 : r.status === 401,
    );
  });

  it('counts a parallel burst of 30 wrong previous passwords on change-password the same way', async () => {
    const account = await createAccount();
    const { access_token } = await signIn(account);

    const attempt = (i: number) => () => changePassword(access_token, WRONG_PASSWORD, `Proposed-${i}-Secret-Jr5`);

    const sent = await burst(Array.from({ length: 30 }, (_, i) => attempt(i)));

    expectLockedAfterAllowedChecks(sent, checksAllowedWithin(sent.elapsedMs), (r) => r.status === 401);
  });

  it('lets exactly one of two parallel change-passwords from the same previous password win', async () => {
    for (let round = 1; round <= 6; round += 1) {
      const account = await createAccount();
      const first = await signIn(account);
      // Odd rounds race one access token against itself, even rounds two sessions of the user.
      const second = round % 2 === 1 ? first : await signIn(account);
      const proposed = [`First-Proposal-${round}-Wc2`, `Second-Proposal-${round}-Wc2`];

      const answers = await Promise.all([
        changePassword(first.access_token, account.password, proposed[0]),
        changePassword(second.access_token, account.password, proposed[1]),
      ]);

      const statuses = answers.map((r) => r.status).sort();
      expect({ round, answers: answers.map(outcome), statuses }).toEqual({
        round,
        answers: answers.map(outcome),
        statuses: [200, 401],
      });
      const winner = answers[0].status === 200 ? 0 : 1;
      const logins = {
        winner: (await login(account.username, proposed[winner])).status,
        loser: (await login(account.username, proposed[1 - winner])).status,
        previous: (await login(account.username, account.password)).status,
      };
      expect({ round, logins }).toEqual({ round, logins: { winner: 200, loser: 401, previous: 401 } });
    }
  });

  it('never fails the throttle bookkeeping under parallel right and wrong logins', async () => {
    for (let round = 1; round <= 8; round += 1) {
      const account = await createAccount();
      // A success deletes the failure record only when it found one: 1 to 4 failures on record
      // first (never 5, so no wait yet) make the successes delete it while failures update it.
      for (let prior = 0; prior < 1 + ((round - 1) % 4); prior += 1) {
        expect((await login(account.username, WRONG_PASSWORD)).status).toBe(401);
      }
      const passwords = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? account.password : WRONG_PASSWORD));

      const responses = await Promise.all(passwords.map((password) => login(account.username, password)));

      // The right password is let in or told to wait; a wrong one is refused or told to wait.
      const strays = responses.flatMap((r, i) => {
        const expected = passwords[i] === account.password ? [200, 429] : [401, 429];
        return expected.includes(r.status) ? [] : [`#${i} (${i % 2 === 0 ? 'right' : 'wrong'}): ${outcome(r)}`];
      });
      const outcomes = tally(responses);
      // A concurrent success deleting the failure record must never turn into a 500.
      expect({ round, outcomes, strays }).toEqual({ round, outcomes, strays: [] });
    }
  });
});

describe('requests racing on one session, with refresh token rotation (e2e)', () => {
  const { createAccount, signIn, refresh, revoke, me, changePassword, requestCode, ctx } = raceHarness({
    REFRESH_TOKEN_ROTATION: 'true',
  });

  const CHAINS = 3;
  const STEPS = 4;
  const ROUNDS = 5;

  /** Every token a session handed out, and how the refreshes that raced the ending went. */
  interface Seen {
    refreshTokens: Set<string>;
    accessTokens: Set<string>;
    racing: TestResponse[];
  }

  const seenFrom = (tokens: Tokens): Seen => ({
    refreshTokens: new Set([tokens.refresh_token]),
    accessTokens: new Set([tokens.access_token]),
    racing: [],
  });

  /**
   * CHAINS clients refreshing the session, each STEPS times in a row with the token its last
   * refresh returned, until one is refused; `ticks` counts the answered refreshes.
   */
  async function refreshChains(account: Account, start: string, seen: Seen, ticks: ReturnType<typeof progress>) {
    const chain = async () => {
      let current = start;
      for (let step = 0; step < STEPS; step += 1) {
        const response = await refresh(account, current);
        seen.racing.push(response);
        ticks.tick();
        if (response.status !== 200) return;
        seen.accessTokens.add(response.body.access_token);
        seen.refreshTokens.add(response.body.refresh_token);
        current = response.body.refresh_token;
      }
    };
    try {
      await Promise.all(Array.from({ length: CHAINS }, chain));
    } finally {
      ticks.finish();
    }
  }

  /**
   * Races `end` (after `afterRefreshes` refreshes answered; rounds sweep it across the race)
   * against chains of refreshes of `victim`, then checks that no token of that session lives.
   */
  async function expectEndedDespiteRefreshes(
    account: Account,
    victim: Tokens,
    afterRefreshes: number,
    end: () => Promise<TestResponse>,
  ) {
    const seen = seenFrom(victim);
    const ticks = progress();

    const [ended] = await Promise.all([
      ticks.reached(afterRefreshes).then(end),
      refreshChains(account, victim.refresh_token, seen, ticks),
    ]);

    // Each racing refresh came before the end (200) or after it (401); nothing else. One
    // assertion for both, so a failure shows whether tokens survived as well as any 5xx.
    const strays = seen.racing.filter((r) => r.status !== 200 && r.status !== 401).map(outcome);
    const afterwards = await whatStillWorks(account, seen);
    expect({ afterRefreshes, ended: outcome(ended), racing: statusTally(seen.racing), strays, afterwards }).toEqual({
      afterRefreshes,
      ended: '200',
      racing: statusTally(seen.racing),
      strays: [],
      afterwards: allRefused(seen),
    });
  }

  /** How every refresh token the session had answers token-refresh, and every access token /v1/me. */
  async function whatStillWorks(account: Account, seen: Seen) {
    const refreshes: TestResponse[] = [];
    for (const token of seen.refreshTokens) refreshes.push(await refresh(account, token));
    const reads: TestResponse[] = [];
    for (const token of seen.accessTokens) reads.push(await me(token));
    return { refreshes: statusTally(refreshes), reads: statusTally(reads) };
  }

  /** What whatStillWorks() answers for a session that has ended. */
  const allRefused = (seen: Seen) => ({
    refreshes: { 401: seen.refreshTokens.size },
    reads: { 401: seen.accessTokens.size },
  });

  it('leaves no token alive when a revoke races refreshes of the session', async () => {
    for (let round = 1; round <= ROUNDS; round += 1) {
      const account = await createAccount();
      const session = await signIn(account);

      await expectEndedDespiteRefreshes(account, session, round - 1, () => revoke(session.refresh_token));
    }
  });

  it('leaves no token alive when a change-password from another session races refreshes', async () => {
    for (let round = 1; round <= ROUNDS; round += 1) {
      const account = await createAccount();
      const victim = await signIn(account);
      const caller = await signIn(account);

      await expectEndedDespiteRefreshes(account, victim, round - 1, () =>
        changePassword(caller.access_token, account.password, `Changed-Secret-${round}-Ug6`),
      );
      // The caller's own session stays (CONTRACT.md "Policy decisions").
      expect({ round, caller: (await me(caller.access_token)).status }).toEqual({ round, caller: 200 });
    }
  });

  it('leaves no token alive when a forgot-password-confirm races refreshes', async () => {
    for (let round = 1; round <= ROUNDS; round += 1) {
      const account = await createAccount();
      const victim = await signIn(account);
      const code = await requestCode(account);

      await expectEndedDespiteRefreshes(account, victim, round - 1, () =>
        ctx.api.post('/v1/forgot-password-confirm', {
          username: account.username,
          confirmation_code: code,
          password: `Reset-Secret-${round}-Ny4`,
        }),
      );
    }
  });

  it('gives parallel refreshes of one token within the grace window one successor, not siblings', async () => {
    for (let round = 1; round <= 3; round += 1) {
      const account = await createAccount();
      const session = await signIn(account);

      const tabs = await Promise.all([
        refresh(account, session.refresh_token),
        refresh(account, session.refresh_token),
      ]);
      const successor = tabs[0].body.refresh_token;
      expect({ round, tabs: tabs.map(outcome), successors: tabs.map((t) => t.body.refresh_token) }).toEqual({
        round,
        tabs: ['200', '200'],
        successors: [expect.any(String), successor],
      });
      expect(successor).not.toBe(session.refresh_token);
      // Still within the grace window (10 s by default): a third tab gets the same successor.
      const third = await refresh(account, session.refresh_token);
      expect({ round, third: outcome(third), successor: third.body.refresh_token }).toEqual({
        round,
        third: '200',
        successor,
      });

      expect((await revoke(successor)).status).toBe(200);
      const seen = seenFrom(session);
      for (const response of [...tabs, third]) {
        seen.refreshTokens.add(response.body.refresh_token);
        seen.accessTokens.add(response.body.access_token);
      }
      expect({ round, afterwards: await whatStillWorks(account, seen) }).toEqual({
        round,
        afterwards: allRefused(seen),
      });
    }
  });
});
