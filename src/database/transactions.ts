import { Injectable, Logger } from '@nestjs/common';
import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource, EntityManager, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { isTransientConflict } from './database-errors';
import { SqliteTransactionGate } from './sqlite-transaction-gate';

/** Tries of one unit of work before its conflict is answered as 503. */
export const MAX_ATTEMPTS = 6;
const BASE_DELAY_MS = 5;
const MAX_DELAY_MS = 250;

/**
 * Runs units of work against the database: transactions, and single statements outside one.
 *
 * A deadlock or lock-wait timeout (or SQLITE_BUSY from another process) is no error of the
 * request's: the database rolled the work back, so it is run again from the start, a bounded
 * number of times with full-jitter exponential backoff, and only then surfaces (as 503).
 *
 * On MySQL every transaction runs READ COMMITTED. Under REPEATABLE READ, InnoDB's locking
 * reads and updates take next-key locks on the gaps they scan, so two users' "revoke every
 * session" updates on an empty stretch of `refresh_tokens.user_id` each lock the same gap,
 * then each wait to insert into it: a deadlock on every first password change. READ COMMITTED
 * takes no gap locks for searches, and nothing here needs a snapshot across statements: each
 * decision is a conditional update (`... WHERE consumed_at IS NULL`, checked by affected rows)
 * or a row locked with FOR UPDATE, and both read the latest committed row at any level.
 * Transactions that change a user's sessions lock that user's row first, so they queue on
 * one lock instead of meeting in two orders.
 */
@Injectable()
export class Transactions {
  private readonly logger = new Logger(Transactions.name);
  private readonly gate?: SqliteTransactionGate;
  private readonly isMysql: boolean;

  constructor(private readonly dataSource: DataSource) {
    this.gate = SqliteTransactionGate.of(dataSource);
    this.isMysql = dataSource.driver.options.type === 'mysql';
  }

  /** `work` in one transaction, run again from the start when the database chose it as a conflict's victim. */
  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.retrying(() => {
      const transaction = () =>
        this.isMysql ? this.dataSource.transaction('READ COMMITTED', work) : this.dataSource.transaction(work);
      return this.gate ? this.gate.exclusive(transaction) : transaction();
    });
  }

  /** A single statement (or several independent ones) outside a transaction, retried like `run`. */
  async retrying<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await work();
      } catch (error) {
        if (!isTransientConflict(error) || attempt >= MAX_ATTEMPTS) throw error;
        this.logger.debug(`Lock conflict (attempt ${attempt} of ${MAX_ATTEMPTS}); running the work again`);
        await sleep(randomInt(Math.min(BASE_DELAY_MS * 2 ** attempt, MAX_DELAY_MS) + 1));
      }
    }
  }

  /**
   * Adds FOR UPDATE where the database has row locks. SQLite has none and needs none: the gate
   * runs one transaction at a time.
   */
  forUpdate<E extends ObjectLiteral>(query: SelectQueryBuilder<E>): SelectQueryBuilder<E> {
    return this.isMysql ? query.setLock('pessimistic_write') : query;
  }
}
