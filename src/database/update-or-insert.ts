import { isUniqueViolation } from './database-errors';

/** Rounds of update, read and insert before a counter gives up; each lost round means another request won one. */
const MAX_ROUNDS = 5;

export interface CounterStatements<T> {
  /** The conditional increment; true when it changed a row. */
  update(): Promise<boolean>;
  /** The row as it is now, after an update that changed nothing; undefined when there is none. */
  read(): Promise<T | undefined>;
  /** The first row for the key; a unique violation means a concurrent request inserted it first. */
  insert(): Promise<void>;
  /** Try the insert first: for keys that usually have no row yet (one statement instead of three). */
  insertFirst?: boolean;
}

export type CounterOutcome<T> = { counted: true } | { counted: false; row: T };

/**
 * Counts one event on a per-key row, each statement atomic on its own. No transaction spans
 * them: on MySQL two such transactions for a new key deadlock on the gap lock of the empty
 * update. A row that a concurrent request deleted (a success clearing failures) or inserted
 * meanwhile only means another round, never an error. `counted: false` hands back the row
 * whose condition refused the increment (say, a lockout that is still running).
 */
export async function updateOrInsert<T>(statements: CounterStatements<T>): Promise<CounterOutcome<T>> {
  if (statements.insertFirst && (await insertedFirst(statements))) return { counted: true };
  for (let round = 1; ; round += 1) {
    if (await statements.update()) return { counted: true };
    const row = await statements.read();
    if (row !== undefined) return { counted: false, row };
    try {
      await statements.insert();
      return { counted: true };
    } catch (error) {
      if (!isUniqueViolation(error) || round >= MAX_ROUNDS) throw error;
    }
  }
}

async function insertedFirst(statements: CounterStatements<unknown>): Promise<boolean> {
  try {
    await statements.insert();
    return true;
  } catch (error) {
    if (isUniqueViolation(error)) return false;
    throw error;
  }
}
