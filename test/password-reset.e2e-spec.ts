import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { AccountProvisioningService } from '../src/users/account-provisioning.service';
import { mailSettings, SmtpCatcher, startSmtpCatcher, TEST_MAIL_FROM_ADDRESS } from './support/smtp-catcher';
import { startTestApp, TestApp } from './support/test-app';

/** 8 characters, no 0/O/o or 1/I/l, alone on a line. */
const CODE_LINE = /^[A-HJ-NP-Za-km-z2-9]{8}$/m;
const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789';

interface Account {
  username: string;
  email: string;
  password: string;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A valid-looking code that is not `code`. */
function otherCode(code: string, shift = 1): string {
  const last = CODE_ALPHABET.indexOf(code[7]);
  return code.slice(0, 7) + CODE_ALPHABET[(last + shift) % CODE_ALPHABET.length];
}

/** What every spec in this file needs: an app on a real database, mailing a real SMTP server. */
function passwordResetHarness(env: Record<string, string> = {}) {
  const ctx = {} as { api: TestApp; smtp: SmtpCatcher };
  let seq = 0;

  beforeAll(async () => {
    ctx.smtp = await startSmtpCatcher();
    ctx.api = await startTestApp({ ...mailSettings(ctx.smtp), RATE_LIMIT_PER_MINUTE: '0', ...env });
  });
  afterAll(async () => {
    await ctx.api?.close();
    await ctx.smtp?.stop();
  });

  const createAccount = async (): Promise<Account> => {
    seq += 1;
    const username = `reset-user-${seq}`;
    const account = { username, email: `${username}@mail.test`, password: `Initial-Secret-${seq}-Kq7` };
    await ctx.api.app.get(AccountProvisioningService).createUser({ ...account, admin: false });
    return account;
  };

  const login = (username: string, password: string) => ctx.api.post('/v1/login', { username, password });

  /** Asks for a code and reads it out of the mail that this request (not an earlier one) caused. */
  const requestCode = async (account: Account, username = account.username) => {
    const after = ctx.smtp.messages.length;
    const response = await ctx.api.post('/v1/forgot-password', { username });
    expect(response.status).toBe(200);
    const mail = await ctx.smtp.waitForMail(
      (m) => m.seq >= after && m.to.includes(account.email) && CODE_LINE.test(m.text),
      10000,
    );
    return { code: CODE_LINE.exec(mail.text)![0], mail };
  };

  const confirm = (username: string, confirmation_code: string, password: string) =>
    ctx.api.post('/v1/forgot-password-confirm', { username, confirmation_code, password });

  return { ctx, createAccount, login, requestCode, confirm };
}

describe('forgot-password and forgot-password-confirm (e2e)', () => {
  const { ctx, createAccount, login, requestCode, confirm } = passwordResetHarness();

  it('answers the same 200 for a known user, an unknown one, and any letter case', async () => {
    const account = await createAccount();

    const known = await ctx.api.post('/v1/forgot-password', { username: account.username });
    const unknown = await ctx.api.post('/v1/forgot-password', { username: 'nobody-by-this-name' });
    const shouted = await ctx.api.post('/v1/forgot-password', { username: account.username.toUpperCase() });

    expect(known.status).toBe(200);
    expect(known.body).toEqual({ message: expect.any(String), status: 200 });
    expect(unknown.status).toBe(200);
    expect(unknown.body).toEqual(known.body);
    expect(shouted.status).toBe(200);
    expect(shouted.body).toEqual(known.body);
  });

  it('answers 200 to concurrent requests for one username, however many arrive at once', async () => {
    for (let round = 1; round <= 8; round += 1) {
      const username = `concurrent-nobody-${round}`;
      const responses = await Promise.all([1, 2, 3, 4].map(() => ctx.api.post('/v1/forgot-password', { username })));
      const outcomes = responses.map((r) => `${r.status} ${r.body.code ?? ''}`.trim());
      expect({ round, outcomes }).toEqual({ round, outcomes: ['200', '200', '200', '200'] });
    }
  });

  it('mails the code to the account address: alone on a line in the text part, and in the HTML part', async () => {
    const account = await createAccount();
    // Letter case of the username does not matter: the mail still reaches this account.
    const { code, mail } = await requestCode(account, account.username.toUpperCase());

    expect(mail.to).toEqual([account.email]);
    expect(mail.envelopeTo).toEqual([account.email]);
    expect(mail.from).toBe(TEST_MAIL_FROM_ADDRESS);
    expect(mail.subject).not.toBe('');
    expect(mail.text.split(/\r?\n/).map((line) => line.trim())).toContain(code);
    expect(code).toMatch(/^[A-HJ-NP-Za-km-z2-9]{8}$/);
    expect(mail.html).toContain(code);
  });

  it('sets the password with the mailed code, ends every session and mails a notice', async () => {
    const account = await createAccount();
    const first = await login(account.username, account.password);
    const second = await login(account.username, account.password);
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    const refreshed = await ctx.api.post('/v1/token-refresh', {
      username: account.username,
      refresh_token: first.body.refresh_token,
    });
    expect(refreshed.status).toBe(200);
    const sessions = [first.body, second.body];
    const accessTokens = [first.body.access_token, second.body.access_token, refreshed.body.access_token];
    for (const token of accessTokens) expect((await ctx.api.get('/v1/me', bearer(token))).status).toBe(200);

    const { code } = await requestCode(account);
    const newPassword = 'Brand-New-Secret-93x';
    const response = await confirm(account.username, code, newPassword);

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ message: expect.any(String), status: 200 });
    expect((await login(account.username, newPassword)).status).toBe(200);
    const old = await login(account.username, account.password);
    expect(old.status).toBe(401);
    for (const token of accessTokens) expect((await ctx.api.get('/v1/me', bearer(token))).status).toBe(401);
    for (const { refresh_token } of sessions) {
      const refresh = await ctx.api.post('/v1/token-refresh', { username: account.username, refresh_token });
      expect(refresh.status).toBe(401);
    }

    const notice = await ctx.smtp.waitForMail(
      (m) => m.to.includes(account.email) && !CODE_LINE.test(m.text) && /reset/i.test(`${m.subject}\n${m.text}`),
      10000,
    );
    expect(notice.text).toContain(account.username);
    expect(notice.text).not.toContain(code);
    expect(notice.text).not.toContain(newPassword);
  });

  it('refuses a wrong code with 400 CodeMismatch and leaves the password alone', async () => {
    const account = await createAccount();
    const { code } = await requestCode(account);

    const response = await confirm(account.username, otherCode(code), 'Never-Set-Secret-41q');

    expect(response.status).toBe(400);
    expect(response.body).toEqual({ message: expect.any(String), status: 400, code: 'CodeMismatch' });
    expect((await login(account.username, account.password)).status).toBe(200);
    expect((await login(account.username, 'Never-Set-Secret-41q')).status).toBe(401);
  });

  it('accepts a code once: the second use is 400 ExpiredCode', async () => {
    const account = await createAccount();
    const { code } = await requestCode(account);

    expect((await confirm(account.username, code, 'First-Reset-Secret-55a')).status).toBe(200);
    const again = await confirm(account.username, code, 'Second-Reset-Secret-66b');

    expect(again.status).toBe(400);
    expect(again.body).toEqual({ message: expect.any(String), status: 400, code: 'ExpiredCode' });
    expect((await login(account.username, 'First-Reset-Secret-55a')).status).toBe(200);
    expect((await login(account.username, 'Second-Reset-Secret-66b')).status).toBe(401);
  });

  it('after 5 wrong codes, even the right one answers 429 LimitExceeded with Retry-After', async () => {
    const account = await createAccount();
    const { code } = await requestCode(account);

    for (let attempt = 1; attempt <= 5; attempt += 1) {
      const wrong = await confirm(account.username, otherCode(code, attempt), 'Guessing-Secret-77c');
      expect(wrong.status).toBe(400);
      expect(wrong.body.code).toBe('CodeMismatch');
    }
    const right = await confirm(account.username, code, 'Rightful-Secret-88d');

    expect(right.status).toBe(429);
    expect(right.body).toEqual({ message: expect.any(String), status: 429, code: 'LimitExceeded' });
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await login(account.username, account.password)).status).toBe(200);
    expect((await login(account.username, 'Rightful-Secret-88d')).status).toBe(401);

    // The way out is a new code.
    const { code: fresh } = await requestCode(account);
    expect((await confirm(account.username, fresh, 'Rightful-Secret-88d')).status).toBe(200);
    expect((await login(account.username, 'Rightful-Secret-88d')).status).toBe(200);
  });

  it('answers repeated wrong codes for an unknown user exactly as for a known one (no enumeration by 429)', async () => {
    const account = await createAccount();
    const { code } = await requestCode(account);
    const unknown = 'nobody-with-this-name';
    expect((await ctx.api.post('/v1/forgot-password', { username: unknown })).status).toBe(200);

    const replies = async (username: string) => {
      const seen: Array<{ status: number; body: unknown; retryAfter: string | null }> = [];
      for (let attempt = 1; attempt <= 6; attempt += 1) {
        const response = await confirm(username, otherCode(code, attempt), 'Guessing-Secret-77c');
        seen.push({ status: response.status, body: response.body, retryAfter: response.headers.get('retry-after') });
      }
      return seen;
    };
    const forKnown = await replies(account.username);
    const forUnknown = await replies(unknown);

    expect(forKnown.map((r) => r.status)).toEqual([400, 400, 400, 400, 400, 429]);
    expect(forUnknown).toEqual(forKnown);
  });

  it('replaces an older code with a newer one', async () => {
    const account = await createAccount();
    const { code: older } = await requestCode(account);
    const { code: newer } = await requestCode(account);
    expect(newer).not.toBe(older);

    const withOlder = await confirm(account.username, older, 'Older-Code-Secret-12e');
    expect(withOlder.status).toBe(400);
    expect(['CodeMismatch', 'ExpiredCode']).toContain(withOlder.body.code);

    expect((await confirm(account.username, newer, 'Newer-Code-Secret-34f')).status).toBe(200);
    expect((await login(account.username, 'Newer-Code-Secret-34f')).status).toBe(200);
  });

  it('rejects a password the policy forbids with 400 InvalidPassword, naming the rule, without spending the code', async () => {
    const account = await createAccount();
    const { code } = await requestCode(account);
    const rejected: Array<[string, RegExp]> = [
      ['Sh0rt!', /8 characters/i],
      ['password123', /common/i],
      [account.username, /username/i],
      [account.username.toUpperCase(), /username/i],
    ];

    for (const [password, rule] of rejected) {
      const response = await confirm(account.username, code, password);
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ message: expect.stringMatching(rule), status: 400, code: 'InvalidPassword' });
    }
    expect((await login(account.username, account.password)).status).toBe(200);

    expect((await confirm(account.username, code, 'Acceptable-Secret-56g')).status).toBe(200);
    expect((await login(account.username, 'Acceptable-Secret-56g')).status).toBe(200);
  });

  it('lets exactly one of several concurrent confirmations with the same code win', async () => {
    const account = await createAccount();
    const { code } = await requestCode(account);
    const passwords = [1, 2, 3, 4, 5].map((n) => `Concurrent-Secret-${n}-Zr`);

    const responses = await Promise.all(passwords.map((password) => confirm(account.username, code, password)));

    const outcomes = responses.map((r) => `${r.status} ${r.body.code ?? ''}`.trim());
    expect([...outcomes].sort()).toEqual([
      '200',
      '400 ExpiredCode',
      '400 ExpiredCode',
      '400 ExpiredCode',
      '400 ExpiredCode',
    ]);
    const statuses = responses.map((r) => r.status);
    const winner = passwords[statuses.indexOf(200)];
    const loser = passwords[statuses.indexOf(400)];
    expect((await login(account.username, winner)).status).toBe(200);
    expect((await login(account.username, loser)).status).toBe(401);
  });

  it('answers 400 CodeMismatch for an unknown user', async () => {
    const response = await confirm('nobody-by-this-name', 'abcdEFGH', 'Whatever-Secret-90h');

    expect(response.status).toBe(400);
    expect(response.body).toEqual({ message: expect.any(String), status: 400, code: 'CodeMismatch' });
  });

  it('never stores the code in clear, neither with the code nor in the mail outbox', async () => {
    const account = await createAccount();
    const { code } = await requestCode(account);
    const dataSource = ctx.api.app.get(DataSource);
    const rowsOf = (table: string): Promise<Array<Record<string, unknown>>> =>
      dataSource.query(`SELECT * FROM ${dataSource.driver.escape(table)}`);
    const holdingCode = (rows: Array<Record<string, unknown>>) =>
      rows.filter((row) => Object.values(row).some((value) => String(value).includes(code)));
    const expectNowhereInClear = async () => {
      const codes = await rowsOf('confirmation_codes');
      const outbox = await rowsOf('mail_outbox');
      // The rows are there (so the search below looks at something), without the code.
      expect(codes.length).toBeGreaterThan(0);
      expect(outbox.length).toBeGreaterThan(0);
      expect(holdingCode(codes)).toEqual([]);
      expect(holdingCode(outbox)).toEqual([]);
      for (const { tableName } of dataSource.entityMetadatas) {
        expect({ tableName, rows: holdingCode(await rowsOf(tableName)) }).toEqual({ tableName, rows: [] });
      }
    };

    await expectNowhereInClear();
    // Nor once it is spent.
    expect((await confirm(account.username, code, 'Stored-Safely-Secret-21j')).status).toBe(200);
    await expectNowhereInClear();
  });

  it('keeps answering while the mail server is down, and delivers a working code once it is back', async () => {
    const account = await createAccount();
    await ctx.smtp.stop();
    const after = ctx.smtp.messages.length;
    try {
      const started = Date.now();
      const response = await ctx.api.post('/v1/forgot-password', { username: account.username });
      expect(response.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(2000);
      // Long enough for the worker to try, fail and schedule a retry.
      await sleep(1000);
    } finally {
      await ctx.smtp.start();
    }

    const mail = await ctx.smtp.waitForMail(
      (m) => m.seq >= after && m.to.includes(account.email) && CODE_LINE.test(m.text),
      10000,
    );
    const code = CODE_LINE.exec(mail.text)![0];
    expect((await confirm(account.username, code, 'After-Outage-Secret-47k')).status).toBe(200);
    expect((await login(account.username, 'After-Outage-Secret-47k')).status).toBe(200);
  });
});

describe('forgot-password-confirm with an expired code (e2e)', () => {
  const { createAccount, login, requestCode, confirm } = passwordResetHarness({ CONFIRMATION_CODE_TTL: '1' });

  it('answers 400 ExpiredCode once the code has outlived its lifetime', async () => {
    const account = await createAccount();
    const { code } = await requestCode(account);
    await sleep(1200);

    const response = await confirm(account.username, code, 'Too-Late-Secret-29m');

    expect(response.status).toBe(400);
    expect(response.body).toEqual({ message: expect.any(String), status: 400, code: 'ExpiredCode' });
    expect((await login(account.username, account.password)).status).toBe(200);
  });
});
