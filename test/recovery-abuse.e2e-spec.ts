import { AccountProvisioningService } from '../src/users/account-provisioning.service';
import { HttpClient, httpClient } from './support/http-client';
import { mailSettings, SmtpCatcher, startSmtpCatcher } from './support/smtp-catcher';
import { startTestApp, TestApp } from './support/test-app';

const CODE_LINE = /^[A-HJ-NP-Za-km-z2-9]{8}$/m;
/** A well-formed code that is, with overwhelming odds, nobody's. */
const junkCode = (n: number) => `Junk${'ABCDEFGH'[n % 8]}${'2345'[n % 4]}zz`;

/**
 * A stranger must not be able to lock an owner out of recovery (CONTRACT.md, Abuse): the
 * stranger calls from 127.0.0.2, the owner from 127.0.0.1, both this machine.
 */
describe('recovery a stranger cannot block (e2e)', () => {
  let smtp: SmtpCatcher;
  let api: TestApp;
  let stranger: HttpClient;
  let seq = 0;

  beforeAll(async () => {
    smtp = await startSmtpCatcher();
    // The hourly confirm budget at its default, so that spending it is the attack.
    api = await startTestApp({
      ...mailSettings(smtp),
      RATE_LIMIT_PER_MINUTE: '0',
      FORGOT_PASSWORD_CONFIRM_PER_HOUR: '10',
    });
    stranger = httpClient(api.url, { localAddress: '127.0.0.2' });
  });
  afterAll(async () => {
    await api?.close();
    await smtp?.stop();
  });

  const createAccount = async (options: { temporary?: boolean } = {}) => {
    seq += 1;
    const username = `owner-${seq}`;
    const password = `Owner-Secret-${seq}-Qm4`;
    await api.app.get(AccountProvisioningService).createUser({
      username,
      email: `${username}@mail.test`,
      admin: false,
      ...(options.temporary ? { temporaryPassword: password } : { password }),
    });
    return { username, email: `${username}@mail.test`, password };
  };

  const requestCode = async (account: { username: string; email: string }) => {
    const after = smtp.messages.length;
    expect((await api.post('/v1/forgot-password', { username: account.username })).status).toBe(200);
    const mail = await smtp.waitForMail(
      (m) => m.seq >= after && m.to.includes(account.email) && CODE_LINE.test(m.text),
    );
    return CODE_LINE.exec(mail.text)![0];
  };

  const confirm = (client: HttpClient, username: string, confirmation_code: string, password: string) =>
    client.post('/v1/forgot-password-confirm', { username, confirmation_code, password });
  const login = (client: HttpClient, username: string, password: string) =>
    client.post('/v1/login', { username, password });

  it("keeps the owner's right code working after a stranger's wrong codes and junk confirmations", async () => {
    const account = await createAccount();
    const code = await requestCode(account);

    const junk = [];
    for (let n = 0; n < 12; n += 1)
      junk.push((await confirm(stranger, account.username, junkCode(n), 'Whatever-It-Is-9')).status);
    // The stranger spends the stranger's own allowance: wrong codes, then 429.
    expect(junk.slice(0, 5)).toEqual(Array(5).fill(400));
    expect(junk.slice(5)).toEqual(Array(7).fill(429));

    const owners = await confirm(api, account.username, code, 'Owner-Chosen-Anew-51');
    expect(owners.status).toBe(200);
    expect((await login(api, account.username, 'Owner-Chosen-Anew-51')).status).toBe(200);
  });

  it('gives every client a fresh allowance with each new code, for unknown names exactly as for known ones', async () => {
    const known = await createAccount();
    const unknown = { username: `nobody-${seq}`, email: 'none@mail.test' };
    const guesses = async (username: string, count: number) => {
      const statuses = [];
      for (let n = 0; n < count; n += 1) {
        statuses.push((await confirm(stranger, username, junkCode(n), 'Whatever-It-Is-9')).status);
      }
      return statuses;
    };
    const newCode = async () => {
      await requestCode(known);
      expect((await api.post('/v1/forgot-password', { username: unknown.username })).status).toBe(200);
    };

    await newCode();
    const spent = [await guesses(known.username, 6), await guesses(unknown.username, 6)];
    await newCode();
    // Two more each: 8 confirmations per name from this address, inside the hourly budget of 10.
    const fresh = [await guesses(known.username, 2), await guesses(unknown.username, 2)];

    expect(spent).toEqual([Array(5).fill(400).concat(429), Array(5).fill(400).concat(429)]);
    expect(fresh).toEqual([
      [400, 400],
      [400, 400],
    ]);
  });

  it('ends a lockout others caused once the owner resets the password', async () => {
    const account = await createAccount();
    for (let n = 0; n < 6; n += 1) await login(stranger, account.username, 'a-wrong-guess');
    expect((await login(api, account.username, account.password)).status).toBe(429);

    const code = await requestCode(account);
    expect((await confirm(api, account.username, code, 'After-The-Lockout-73')).status).toBe(200);

    expect((await login(api, account.username, 'After-The-Lockout-73')).status).toBe(200);
  });

  it('ends a lockout others caused once the owner answers the new-password challenge', async () => {
    const account = await createAccount({ temporary: true });
    const challenge = await login(api, account.username, account.password);
    expect(challenge.body.challenge_name).toBe('NEW_PASSWORD_REQUIRED');
    for (let n = 0; n < 6; n += 1) await login(stranger, account.username, 'a-wrong-guess');

    const answered = await api.post('/v1/new-password-required', {
      session: challenge.body.session,
      username: account.username,
      new_password: 'Chosen-While-Locked-62',
    });
    expect(answered.status).toBe(200);

    expect((await login(api, account.username, 'Chosen-While-Locked-62')).status).toBe(200);
  });
});
