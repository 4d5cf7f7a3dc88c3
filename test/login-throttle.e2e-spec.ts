import { setTimeout as sleep } from 'node:timers/promises';
import { AccountProvisioningService } from '../src/users/account-provisioning.service';
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
