import { Injectable, Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { FindOptionsWhere, In, ObjectLiteral, Repository } from 'typeorm';
import { Transactions } from './transactions';

/** Deletes up to `batchSize` rows that have outlived their use; resolves with how many it deleted. */
export type TrimTask = (now: Date, batchSize: number) => Promise<number>;

const BATCH_SIZE = 500;
/** Per table and run, so one huge backlog cannot keep the database busy: the next run goes on. */
const MAX_BATCHES = 200;
/** Between batches, so the janitor's deletes interleave with requests instead of queueing them. */
const PAUSE_MS = 20;

/**
 * Trims the tables that grow without bound (several of them by strangers: a failed login
 * under any name leaves a counter, a forgot-password for any name an outbox row). Each
 * module registers how its tables are trimmed; the server's JanitorWorker runs them all
 * periodically, in small batches. Deleting is idempotent, so instances need no coordination.
 */
@Injectable()
export class Janitor {
  private readonly logger = new Logger(Janitor.name);
  private readonly tasks = new Map<string, TrimTask>();

  constructor(private readonly transactions: Transactions) {}

  register(table: string, task: TrimTask): void {
    this.tasks.set(table, task);
  }

  /** One pass over every table; resolves with the rows deleted per table. */
  async runOnce(now = new Date()): Promise<Record<string, number>> {
    const deleted: Record<string, number> = {};
    for (const [table, task] of this.tasks) {
      deleted[table] = 0;
      for (let batch = 0; batch < MAX_BATCHES; batch += 1) {
        const count = await this.transactions.retrying(() => task(now, BATCH_SIZE));
        deleted[table] += count;
        if (count < BATCH_SIZE) break;
        await sleep(PAUSE_MS);
      }
      if (deleted[table] > 0) this.logger.log(`Trimmed ${deleted[table]} row(s) from ${table}`);
    }
    return deleted;
  }
}

/** Rows that expired over a day ago: a day's grace so no request that read one just before still needs it. */
export const aDayBefore = (now: Date) => new Date(now.getTime() - 24 * 3600 * 1000);

/**
 * One batch of a trim, portably: MySQL allows no LIMIT in a subquery of the table it deletes
 * from, and SQLite's DELETE ... LIMIT is a compile-time option; so the keys are read first.
 */
export async function deleteBatch<E extends ObjectLiteral>(
  repository: Repository<E>,
  where: FindOptionsWhere<E>,
  batchSize: number,
  key: keyof E & string = 'id',
): Promise<number> {
  const rows = await repository.find({ select: { [key]: true } as never, where, take: batchSize });
  if (rows.length === 0) return 0;
  await repository.delete({ [key]: In(rows.map((row) => row[key] as unknown)) } as FindOptionsWhere<E>);
  return rows.length;
}
