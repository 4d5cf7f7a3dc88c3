import { DataSource } from 'typeorm';

/** How long an instance waits for another's migrations before giving up its start. */
const LOCK_TIMEOUT_SECONDS = 300;

/**
 * Runs the pending migrations so that instances started together on one empty database
 * migrate it once: on MySQL under a named lock (GET_LOCK, held by one connection), so the
 * others wait, then find nothing pending. Without it each computes the same pending list and
 * the second CREATE TABLE fails; MySQL's DDL is not transactional, so that failure would
 * leave a half-applied migration behind. The lock is per database (its name hashes the
 * schema's), so other databases on the same server do not wait. SQLite is one process's file.
 */
export async function runMigrationsOnce(dataSource: DataSource): Promise<void> {
  if (dataSource.options.type !== 'mysql') {
    await dataSource.runMigrations({ transaction: 'each' });
    return;
  }
  const lockHolder = dataSource.createQueryRunner();
  const name = `SHA1(CONCAT('auth-service migrations ', DATABASE()))`;
  try {
    const [{ acquired }] = (await lockHolder.query(`SELECT GET_LOCK(${name}, ?) AS acquired`, [
      LOCK_TIMEOUT_SECONDS,
    ])) as Array<{ acquired: number | string | null }>;
    if (Number(acquired) !== 1) {
      throw new Error(`another instance held the migration lock for over ${LOCK_TIMEOUT_SECONDS} s`);
    }
    try {
      await dataSource.runMigrations({ transaction: 'each' });
    } finally {
      // The connection goes back to the pool, session and all: the lock must be let go by name.
      await lockHolder.query(`SELECT RELEASE_LOCK(${name})`);
    }
  } finally {
    await lockHolder.release();
  }
}
