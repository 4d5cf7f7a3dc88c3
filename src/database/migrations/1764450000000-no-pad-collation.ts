import { MigrationInterface, QueryRunner } from 'typeorm';
import { noPadBinaryCollation } from './portable-columns';

/** The string columns that hold names or keys compared for equality, and how each is declared. */
const KEYED_COLUMNS = [
  { table: 'users', column: 'username', type: 'varchar(128)', nullable: false },
  { table: 'login_attempts', column: 'username', type: 'varchar(128)', nullable: false },
  { table: 'rate_limits', column: 'limit_key', type: 'varchar(191)', nullable: false },
  { table: 'audit_events', column: 'username', type: 'varchar(128)', nullable: true },
];

const isMysql = (queryRunner: QueryRunner) => queryRunner.connection.driver.options.type === 'mysql';

/**
 * On MySQL and MariaDB, `utf8mb4_bin` is a PAD SPACE collation: `'admin '` matched the user
 * `admin`, and shared its lockout. The columns move to the server's NO PAD binary collation,
 * so every comparison is byte for byte, as on SQLite. SQLite needs nothing.
 */
export class NoPadCollation1764450000000 implements MigrationInterface {
  name = 'NoPadCollation1764450000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (!isMysql(queryRunner)) return;
    await this.collate(queryRunner, await noPadBinaryCollation(queryRunner));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (!isMysql(queryRunner)) return;
    await this.collate(queryRunner, 'utf8mb4_bin');
  }

  private async collate(queryRunner: QueryRunner, collation: string): Promise<void> {
    for (const { table, column, type, nullable } of KEYED_COLUMNS) {
      await queryRunner.query(
        `ALTER TABLE \`${table}\` MODIFY \`${column}\` ${type} CHARACTER SET utf8mb4 COLLATE ${collation} ${nullable ? 'NULL' : 'NOT NULL'}`,
      );
    }
  }
}
