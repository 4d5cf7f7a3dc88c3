import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { AccountProvisioningService } from '../src/users/account-provisioning.service';
import { startTestApp, TestApp } from './support/test-app';

/** Cost 10: one bcrypt takes tens of milliseconds here, so a skipped hash would stand out. */
const COST = '10';
const SAMPLES = 12;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

describe('no user enumeration (e2e)', () => {
  let api: TestApp;
  let hashMs: number;

  beforeAll(async () => {
    api = await startTestApp({ BCRYPT_COST: COST, RATE_LIMIT_PER_MINUTE: '0' });
    const provisioning = api.app.get(AccountProvisioningService);
    const started = performance.now();
    for (let i = 0; i < SAMPLES; i += 1) {
      await provisioning.createUser({
        username: `known${i}`,
        email: `k${i}@example.com`,
        admin: false,
        password: `Known-passphrase-${i}`,
      });
    }
    hashMs = (performance.now() - started) / SAMPLES;
    await provisioning.createUser({
      username: 'dormant',
      email: 'd@example.com',
      admin: false,
      password: 'Dormant-passphrase-1',
    });
    await api.app.get(DataSource).query("UPDATE users SET status = 'DISABLED' WHERE username = 'dormant'");
  }, 60_000);
  afterAll(() => api.close());

  async function timedLogin(username: string, password: string) {
    const started = performance.now();
    const response = await api.post('/v1/login', { username, password });
    return { ms: performance.now() - started, response };
  }

  it('answers unknown user, wrong password and disabled account with one status, message and shape', async () => {
    const unknown = await timedLogin('nobody', 'Whatever-passphrase');
    const wrong = await timedLogin('known0', 'Whatever-passphrase');
    const disabled = await timedLogin('dormant', 'Dormant-passphrase-1');

    for (const { response } of [unknown, wrong, disabled]) {
      expect(response.status).toBe(401);
      expect(response.body).toEqual(unknown.response.body);
      expect([...response.headers.keys()].sort()).toEqual([...unknown.response.headers.keys()].sort());
    }
  });

  it('takes about as long for an unknown user as for a wrong password (a dummy hash is compared)', async () => {
    const known: number[] = [];
    const unknown: number[] = [];
    // Interleaved, each username once (the lockout would otherwise change the path).
    for (let i = 0; i < SAMPLES; i += 1) {
      known.push((await timedLogin(`known${i}`, 'wrong-passphrase')).ms);
      unknown.push((await timedLogin(`ghost${i}`, 'wrong-passphrase')).ms);
    }

    expect(hashMs).toBeGreaterThan(10);
    expect(median(unknown)).toBeGreaterThan(hashMs * 0.5);
    expect(Math.abs(median(known) - median(unknown))).toBeLessThan(hashMs * 0.5);
  });

  it('answers forgot-password identically and in about the same time, known user or not', async () => {
    const known: number[] = [];
    const unknown: number[] = [];
    let knownBody: unknown;
    let unknownBody: unknown;
    // The outbox worker makes and sends the known user's code right after the answer; the
    // pause lets it finish, so each sample measures the request path alone.
    for (let i = 0; i < SAMPLES; i += 1) {
      let started = performance.now();
      knownBody = (await api.post('/v1/forgot-password', { username: `known${i}` })).body;
      known.push(performance.now() - started);
      await sleep(50);
      started = performance.now();
      unknownBody = (await api.post('/v1/forgot-password', { username: `ghost${i}` })).body;
      unknown.push(performance.now() - started);
      await sleep(50);
    }

    expect(unknownBody).toEqual(knownBody);
    expect(Math.abs(median(known) - median(unknown))).toBeLessThan(Math.max(10, median(known) * 0.5));
  });
});
