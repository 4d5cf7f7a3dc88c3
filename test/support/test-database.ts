import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';

/** Where MariaDB listens on the test machine; override with TEST_MYSQL_URL. */
export const MYSQL_SERVER = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';

export const isMysqlRun = () => process.env.TEST_DATABASE === 'mysql';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh, empty database per test file: SQLite in a temp folder, or a new MySQL schema. */
export async function createTestDatabase(server = MYSQL_SERVER): Promise<TestDatabase> {
  if (!isMysqlRun()) {
    const dir = mkdtempSync(join(tmpdir(), 'auth-e2e-'));
    return {
      url: `sqlite:${join(dir, 'auth.sqlite')}`,
      drop: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
    };
  }
  const name = `auth_e2e_${randomBytes(6).toString('hex')}`;
  const admin = await createConnection(server);
  // A latin1 server default must not matter: the migrations set utf8mb4 per column.
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET latin1`);
  await admin.end();
  return {
    url: `${server}/${name}`,
    drop: async () => {
      const connection = await createConnection(server);
      await connection.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await connection.end();
    },
  };
}
