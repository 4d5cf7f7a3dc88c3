import { Semaphore } from 'async-mutex';
import { AsyncLocalStorage } from 'node:async_hooks';
import { DataSource, QueryRunner } from 'typeorm';

/**
 * Statements outside a transaction that may be in flight at once (better-sqlite3 runs each
 * synchronously, so they only await their promises); a transaction takes all of them. Kept
 * small: async-mutex walks every unit of it on each release.
 */
const CAPACITY = 64;

const gates = new WeakMap<DataSource, SqliteTransactionGate>();

/**
 * What a connection pool gives MySQL, for SQLite. TypeORM's better-sqlite3 driver runs every
 * statement of the process on one shared query runner (BetterSqlite3Driver.createQueryRunner),
 * so a statement issued by any request while another request's transaction is open becomes
 * part of that transaction, committed or rolled back with it, and a second `transaction()`
 * becomes a savepoint inside the first.
 *
 * The gate is a fair readers-writer lock over that runner: a transaction holds it alone, from
 * BEGIN to COMMIT or ROLLBACK; statements outside any transaction share it and wait while a
 * transaction holds it. Statements of the transaction itself are told apart by the async
 * context the transaction runs in. Waiters are served in arrival order (async-mutex's
 * weighted semaphore), so neither kind can starve the other.
 */
export class SqliteTransactionGate {
  private readonly lock = new Semaphore(CAPACITY);
  private readonly context = new AsyncLocalStorage<symbol>();
  /** The transaction holding the gate; a context left over from an earlier one no longer counts. */
  private holder?: symbol;

  /** The gate of this DataSource, installed on first use; undefined for any other driver. */
  static of(dataSource: DataSource): SqliteTransactionGate | undefined {
    if (dataSource.driver.options.type !== 'better-sqlite3') return undefined;
    let gate = gates.get(dataSource);
    if (!gate) {
      gate = new SqliteTransactionGate();
      gate.guard(dataSource.driver.createQueryRunner('master'));
      gates.set(dataSource, gate);
    }
    return gate;
  }

  /** Runs `work` (which opens and ends the transaction) while holding the gate alone. */
  async exclusive<T>(work: () => Promise<T>): Promise<T> {
    if (this.insideTransaction()) {
      // Waiting here would wait for ourselves; the caller must pass its manager down instead.
      throw new Error('A transaction was started inside another one; pass the EntityManager down instead.');
    }
    const [, release] = await this.lock.acquire(CAPACITY);
    const holder = Symbol('transaction');
    this.holder = holder;
    try {
      return await this.context.run(holder, work);
    } finally {
      this.holder = undefined;
      release();
    }
  }

  private insideTransaction(): boolean {
    return this.holder !== undefined && this.context.getStore() === this.holder;
  }

  private guard(runner: QueryRunner): void {
    const query: QueryRunner['query'] = runner.query.bind(runner);
    runner.query = ((...args: Parameters<QueryRunner['query']>) => {
      if (this.insideTransaction()) return query(...args);
      // A transaction begun elsewhere (say, by repository.save()) would hold the connection
      // without the gate, and every request's statements would join it.
      if (/^\s*BEGIN\b/i.test(args[0])) {
        return Promise.reject(new Error('Open SQLite transactions through Transactions.run, not TypeORM directly.'));
      }
      return this.lock.runExclusive(() => query(...args), 1);
    }) as QueryRunner['query'];
  }
}
