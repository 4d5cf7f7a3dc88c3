import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource, IsNull } from 'typeorm';
import { RateLimitEntity } from '../src/auth/entities/rate-limit.entity';
import { Transactions } from '../src/database/transactions';
import { RefreshTokenEntity } from '../src/tokens/entities/refresh-token.entity';
import { ADMIN_PASSWORD, startTestApp, TestApp } from './support/test-app';
import { isMysqlRun } from './support/test-database';

/**
 * The unit-of-work layer on the real database: conflicts are retried, a transaction holds its
 * statements alone, and a where object can never widen to every row.
 */
describe('transactions (e2e)', () => {
  let api: TestApp;
  let transactions: Transactions;
  let dataSource: DataSource;

  beforeAll(async () => {
    api = await startTestApp({ RATE_LIMIT_PER_MINUTE: '0' });
    transactions = api.app.get(Transactions);
    dataSource = api.app.get(DataSource);
  });
  afterAll(() => api.close());

  const login = async () => {
    const response = await api.post('/v1/login', { username: 'admin', password: ADMIN_PASSWORD });
    expect(response.status).toBe(200);
    return response.body as { refresh_token: string; access_token: string };
  };
  const refresh = (refresh_token: string) => api.post('/v1/token-refresh', { username: 'admin', refresh_token });

  it('runs a deadlock victim again from the start, so both units of work complete', async () => {
    const counters = dataSource.getRepository(RateLimitEntity);
    await counters.insert(['lock-a', 'lock-b'].map((key) => ({ key, windowStartedAt: new Date(), hits: 0 })));

    // Each waits (briefly) for the other to hold its first row, then asks for the other's row.
    let holding = 0;
    const bothHolding = async () => {
      holding += 1;
      for (let waited = 0; holding < 2 && waited < 500; waited += 10) await sleep(10);
    };
    let runs = 0;
    const crosswise = (first: string, second: string) =>
      transactions.run(async (manager) => {
        runs += 1;
        await manager.getRepository(RateLimitEntity).increment({ key: first }, 'hits', 1);
        await bothHolding();
        await manager.getRepository(RateLimitEntity).increment({ key: second }, 'hits', 1);
      });

    await expect(Promise.all([crosswise('lock-a', 'lock-b'), crosswise('lock-b', 'lock-a')])).resolves.toBeDefined();

    // MariaDB broke the cycle by rolling one back, which ran again; SQLite ran them one by one.
    expect(runs).toBe(isMysqlRun() ? 3 : 2);
    const rows = await counters.findBy([{ key: 'lock-a' }, { key: 'lock-b' }]);
    expect(rows.map((row) => row.hits)).toEqual([2, 2]);
  });

  it("keeps a revoke that answered 200 while another request's transaction was open and then rolled back", async () => {
    const session = await login();
    let revoke: Promise<{ status: number }> | undefined;

    const failing = transactions.run(async (manager) => {
      await manager.getRepository(RateLimitEntity).insert({ key: 'rolled-back', windowStartedAt: new Date(), hits: 1 });
      revoke = api.post('/v1/token-revoke', { refresh_token: session.refresh_token });
      // Long enough for the revoke to run its statements, were they let into this transaction.
      await sleep(300);
      throw new Error('this unit of work fails');
    });
    await expect(failing).rejects.toThrow('this unit of work fails');

    await expect(revoke).resolves.toMatchObject({ status: 200 });
    expect((await refresh(session.refresh_token)).status).toBe(401);
    await expect(dataSource.getRepository(RateLimitEntity).countBy({ key: 'rolled-back' })).resolves.toBe(0);
  });

  it('refuses a transaction opened inside another instead of waiting for itself', async () => {
    const nested = transactions.run(() => transactions.run(() => Promise.resolve('inner')));

    // On MySQL the inner one simply takes another pooled connection.
    if (isMysqlRun()) await expect(nested).resolves.toBe('inner');
    else await expect(nested).rejects.toThrow(/inside another one/);
  });

  it('refuses, on SQLite, a transaction opened around the gate', async () => {
    const direct = dataSource.transaction(() => Promise.resolve('ran'));

    if (isMysqlRun()) await expect(direct).resolves.toBe('ran');
    else await expect(direct).rejects.toThrow(/Transactions\.run/);
    await expect(transactions.run(() => Promise.resolve('still works'))).resolves.toBe('still works');
  });

  it('throws on a null or undefined where value instead of updating every row', async () => {
    await login();
    const tokens = dataSource.getRepository(RefreshTokenEntity);
    const live = () => tokens.countBy({ revokedAt: IsNull() });
    const before = await live();
    expect(before).toBeGreaterThan(0);

    await expect(tokens.update({ familyId: undefined }, { revokedAt: new Date() })).rejects.toThrow(/undefined/i);
    await expect(tokens.update({ rotatedAt: null as never }, { revokedAt: new Date() })).rejects.toThrow(/null/i);

    await expect(live()).resolves.toBe(before);
  });
});
