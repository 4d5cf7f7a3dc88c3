import { DataSource } from 'typeorm';
import { AccountProvisioningService } from '../src/users/account-provisioning.service';
import { mailSettings, SmtpCatcher, startSmtpCatcher } from './support/smtp-catcher';
import { ADMIN_PASSWORD, startTestApp, TestApp } from './support/test-app';
import { awayFromStepEdge, codeFor } from './support/totp';

const CODE_LINE = /^[A-HJ-NP-Za-km-z2-9]{8}$/m;

/**
 * Runs every flow with the most verbose log, including failures and an SMTP outage, then
 * looks for each secret that passed through the service in everything it wrote.
 */
describe('logs never contain a secret (e2e)', () => {
  let api: TestApp;
  let smtp: SmtpCatcher;
  const written: string[] = [];
  const secrets = new Set<string>([ADMIN_PASSWORD]);
  let restore: () => void;

  beforeAll(async () => {
    const capture = (stream: NodeJS.WriteStream) => {
      const original = stream.write.bind(stream);
      stream.write = (chunk: unknown, ...rest: unknown[]) => {
        written.push(String(chunk));
        return original(chunk as string, ...(rest as []));
      };
      return () => (stream.write = original);
    };
    const restoreOut = capture(process.stdout);
    const restoreErr = capture(process.stderr);
    restore = () => {
      restoreOut();
      restoreErr();
    };
    smtp = await startSmtpCatcher();
    api = await startTestApp({ ...mailSettings(smtp), LOG_LEVEL: 'debug' });
  });
  afterAll(async () => {
    restore();
    await api.close();
    await smtp.stop();
  });

  const keep = <T extends Record<string, unknown>>(body: T): T => {
    for (const value of Object.values(body)) if (typeof value === 'string' && value.length >= 8) secrets.add(value);
    return body;
  };

  it('writes no password, token, session, code, second-factor secret or hash to the log', async () => {
    const temporary = 'Temporary-passphrase-42';
    secrets.add(temporary);
    await api.app
      .get(AccountProvisioningService)
      .createUser({ username: 'dave', email: 'dave@example.com', admin: false, temporaryPassword: temporary });

    const challenge = keep((await api.post('/v1/login', { username: 'dave', password: temporary })).body);
    const davePassword = 'Daves-first-real-passphrase';
    secrets.add(davePassword);
    const answered = await api.post('/v1/new-password-required', {
      session: challenge.session,
      username: 'dave',
      new_password: davePassword,
    });
    expect(answered.status).toBe(200);
    keep(answered.body);

    const tokens = keep((await api.post('/v1/login', { username: 'admin', password: ADMIN_PASSWORD })).body);
    await api.post('/v1/login', { username: 'admin', password: 'Wrong-guess-password' });
    secrets.add('Wrong-guess-password');
    keep((await api.post('/v1/token-refresh', { username: 'admin', refresh_token: tokens.refresh_token })).body);
    await api.get('/v1/me', { authorization: `Bearer ${tokens.access_token}` });
    await api.get('/v1/me', { authorization: `Bearer ${tokens.access_token}x` });

    const changed = 'Admins-changed-passphrase';
    secrets.add(changed);
    await api.post('/v1/change-password', {
      access_token: tokens.access_token,
      previous_password: ADMIN_PASSWORD,
      proposed_password: changed,
    });

    // A reset whose first delivery fails: the retry path logs too.
    await smtp.stop();
    await api.post('/v1/forgot-password', { username: 'admin' });
    await new Promise((resolve) => setTimeout(resolve, 400));
    await smtp.start();
    const mail = await smtp.waitForMail((m) => m.subject.includes('reset code'), 15_000);
    const code = CODE_LINE.exec(mail.text)![0];
    secrets.add(code);
    const reset = 'Admins-reset-passphrase';
    secrets.add(reset);
    await api.post('/v1/forgot-password-confirm', { username: 'admin', password: 'short', confirmation_code: code });
    await api.post('/v1/forgot-password-confirm', { username: 'admin', password: reset, confirmation_code: code });
    await api.post('/v1/token-revoke', { refresh_token: tokens.refresh_token });

    // A second factor for dave: its secret, codes, recovery codes and what is stored of them.
    const dave = keep((await api.post('/v1/login', { username: 'dave', password: davePassword })).body);
    expect(dave.access_token).toEqual(expect.any(String));
    const daveAuth = { authorization: `Bearer ${dave.access_token}` };
    const setup = keep((await api.post('/v1/mfa/totp/setup', {}, daveAuth)).body);
    await awayFromStepEdge();
    const firstCode = codeFor(setup.secret_code, -1);
    secrets.add(firstCode);
    await api.post('/v1/mfa/totp/verify', { code: '000000' }, daveAuth);
    const verified = (await api.post('/v1/mfa/totp/verify', { code: firstCode }, daveAuth)).body;
    for (const recovery of verified.recovery_codes as string[]) secrets.add(recovery);
    const mfaChallenge = keep((await api.post('/v1/login', { username: 'dave', password: davePassword })).body);
    await api.post('/v1/software-token-mfa', { session: mfaChallenge.session, username: 'dave', code: '999999' });
    const loginCode = codeFor(setup.secret_code);
    secrets.add(loginCode);
    keep(
      (await api.post('/v1/software-token-mfa', { session: mfaChallenge.session, username: 'dave', code: loginCode }))
        .body,
    );
    const second = keep((await api.post('/v1/login', { username: 'dave', password: davePassword })).body);
    keep(
      (
        await api.post('/v1/software-token-mfa', {
          session: second.session,
          username: 'dave',
          code: verified.recovery_codes[0],
        })
      ).body,
    );
    for (const { secret_sealed } of await api.app.get(DataSource).query('SELECT secret_sealed FROM mfa_factors')) {
      secrets.add(secret_sealed);
    }
    for (const { code_hash } of await api.app.get(DataSource).query('SELECT code_hash FROM mfa_recovery_codes')) {
      secrets.add(code_hash);
    }

    const hashes = await api.app.get(DataSource).query('SELECT password_hash FROM users');
    for (const { password_hash } of hashes) secrets.add(password_hash);
    const tokenHashes = await api.app.get(DataSource).query('SELECT token_hash FROM refresh_tokens');
    for (const { token_hash } of tokenHashes) secrets.add(token_hash);

    const log = written.join('');
    expect(log).toContain('Could not deliver'); // the outage was logged, so the log was captured
    const leaked = [...secrets].filter((secret) => log.includes(secret));
    expect(leaked).toEqual([]);
    // JWTs and refresh tokens have recognisable shapes: none at all may appear.
    expect(log).not.toMatch(/eyJ[\w-]{10,}\.eyJ[\w-]{10,}/);
    expect(log).not.toMatch(/[0-9a-f-]{36}\.[\w-]{43}/);
  }, 60_000);
});
