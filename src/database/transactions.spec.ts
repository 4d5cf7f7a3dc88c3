import { DataSource, EntityManager } from 'typeorm';
import { MAX_ATTEMPTS, Transactions } from './transactions';

const conflict = (code: string) => Object.assign(new Error(code), { driverError: { code } });

/** A DataSource stand-in that records how transactions were opened; `transaction` runs the work at once. */
function mysqlDataSource() {
  const isolations: Array<string | undefined> = [];
  const manager = {} as EntityManager;
  const dataSource = {
    driver: { options: { type: 'mysql' } },
    transaction: (isolationOrWork: unknown, maybeWork?: (m: EntityManager) => Promise<unknown>) => {
      const work = typeof isolationOrWork === 'function' ? isolationOrWork : maybeWork!;
      isolations.push(typeof isolationOrWork === 'string' ? isolationOrWork : undefined);
      return (work as (m: EntityManager) => Promise<unknown>)(manager);
    },
  } as unknown as DataSource;
  return { dataSource, isolations };
}

/** Work that fails every time with a driver error of `code`, counting its runs. */
function alwaysFailing(code: string) {
  let runs = 0;
  const work = () => {
    runs += 1;
    return Promise.reject(conflict(code));
  };
  return { work, runs: () => runs };
}

describe(Transactions.name, () => {
  it('runs every MySQL transaction READ COMMITTED', async () => {
    const { dataSource, isolations } = mysqlDataSource();
    const sut = new Transactions(dataSource);

    await expect(sut.run(() => Promise.resolve('done'))).resolves.toBe('done');
    expect(isolations).toEqual(['READ COMMITTED']);
  });

  it.each(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT', 'SQLITE_BUSY'])(
    'runs the whole unit of work again after %s',
    async (code) => {
      const sut = new Transactions(mysqlDataSource().dataSource);
      let runs = 0;
      const work = () => (++runs < 3 ? Promise.reject(conflict(code)) : Promise.resolve(runs));

      await expect(sut.run(work)).resolves.toBe(3);
    },
  );

  it('stops after a bounded number of attempts and lets the conflict surface', async () => {
    const sut = new Transactions(mysqlDataSource().dataSource);
    const failing = alwaysFailing('ER_LOCK_DEADLOCK');

    await expect(sut.run(failing.work)).rejects.toThrow('ER_LOCK_DEADLOCK');
    expect(failing.runs()).toBe(MAX_ATTEMPTS);
  });

  it('never repeats work that failed for any other reason', async () => {
    const sut = new Transactions(mysqlDataSource().dataSource);
    const failing = alwaysFailing('ER_DUP_ENTRY');

    await expect(sut.retrying(failing.work)).rejects.toThrow('ER_DUP_ENTRY');
    expect(failing.runs()).toBe(1);
  });
});
