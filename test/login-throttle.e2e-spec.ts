import { setTimeout as sleep } from 'node:timers/promises';
import { AccountProvisioningService } from '../src/users/account-provisioning.service';
import { HttpClient, httpClient } from './support/http-client';
import { ADMIN_PASSWORD, startTestApp, TestApp } from './support/test-app';

describe('per-account login throttling (e2e)', () => {
  let api: TestApp;

  beforeAll(async () => {
    api = await startTestApp();
  });
  afterAll(() => api.close());

  const login = (username: string, password: string) => api.post('/v1/login', { username, password });

  async function failTimes(username: string, times: number) {
    for (let i = 0; i < times; i += 1) {
      expect((await login(username, 'wrong-password')).status).toBe(401);
    }
  }

  it('after 5 failures answers 429 with Retry-After, even with the right password, then doubles the wait', async () => {
    await api.app.get(AccountProvisioningService).createUser({
      username: 'carol',
      email: 'carol@example.com',
      admin: false,
      password: 'carols-Good-passphrase',
    });
    await failTimes('carol', 5);

    const locked = await login('carol', 'carols-Good-passphrase');
    expect(locked.status).toBe(429);
    expect(locked.body).toEqual({ message: expect.any(String), status: 429, code: 'LimitExceeded' });
    expect(locked.headers.get('retry-after')).toBe('1');

    await sleep(1100);
    expect((await login('carol', 'wrong-password')).status).toBe(401);
    const second = await login('CAROL', 'carols-Good-passphrase');
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toBe('2');

    await sleep(2100);
    expect((await login('carol', 'carols-Good-passphrase')).status).toBe(200);
    // Success starts the count over: five more failures before any wait.
    await failTimes('carol', 5);
    expect((await login('carol', 'wrong-password')).status).toBe(429);
  });

  it('throttles an unknown username exactly like a known one', async () => {
    await failTimes('no-such-user', 5);
    const locked = await login('no-such-user', 'anything');

    expect(locked.status).toBe(429);
    expect(locked.headers.get('retry-after')).toBe('1');
  });

  it('counts wrong previous passwords on change-password, and a refresh does not reset the count', async () => {
    const { body: tokens } = await login('admin', ADMIN_PASSWORD);
    await failTimes('admin', 3);
    expect(
      (await api.post('/v1/token-refresh', { username: 'admin', refresh_token: tokens.refresh_token })).status,
    ).toBe(200);
    for (let i = 0; i < 2; i += 1) {
      const change = await api.post('/v1/change-password', {
        access_token: tokens.access_token,
        previous_password: 'not-it',
        proposed_password: 'A-perfectly-fine-one',
      });
      expect(change.status).toBe(401);
    }

    expect((await login('admin', ADMIN_PASSWORD)).status).toBe(429);
  });
});

describe('failed logins per client address (e2e)', () => {
  let api: TestApp;

  beforeAll(async () => {
    api = await startTestApp({ LOGIN_FAILURES_PER_IP: '5', RATE_LIMIT_PER_MINUTE: '0' });
    await api.app.get(AccountProvisioningService).createUser({
      username: 'dana',
      email: 'dana@example.com',
      admin: false,
      password: 'danas-Good-passphrase',
    });
  });
  afterAll(() => api.close());

  const from = (address: string) => httpClient(api.url, { localAddress: address });
  const login = (client: HttpClient, username: string, password: string) =>
    client.post('/v1/login', { username, password });

  it('answers 429 with Retry-After to an address spraying one password over many names, known or not', async () => {
    const sprayer = from('127.0.0.2');
    const names = ['dana', 'no-such-1', 'admin', 'no-such-2', 'no-such-3'];
    for (const name of names) expect((await login(sprayer, name, 'Spring2026!')).status).toBe(401);

    for (const name of ['no-such-4', 'dana']) {
      const refused = await login(sprayer, name, name === 'dana' ? 'danas-Good-passphrase' : 'Spring2026!');
      expect(refused.status).toBe(429);
      expect(refused.body).toMatchObject({ status: 429, code: 'LimitExceeded' });
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(500);
    }
    // Another address is not affected, and dana's own lockout was never reached.
    expect((await login(from('127.0.0.3'), 'dana', 'danas-Good-passphrase')).status).toBe(200);
  });

  it('counts failures only: successful logins from an address leave its allowance whole', async () => {
    const office = from('127.0.0.4');
    for (let i = 0; i < 8; i += 1) expect((await login(office, 'dana', 'danas-Good-passphrase')).status).toBe(200);

    const wrong = [];
    for (let i = 0; i < 6; i += 1) wrong.push((await login(office, `typo-${i}`, 'whatever-it-was')).status);
    expect(wrong).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it('gives a parallel burst no more password checks than the limit', async () => {
    const burst = from('127.0.0.5');
    const statuses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => login(burst, `burst-${i}`, 'whatever-it-was').then((r) => r.status)),
    );

    expect(statuses.filter((status) => status === 401)).toHaveLength(5);
    expect(statuses.filter((status) => status === 429)).toHaveLength(15);
  });
});
