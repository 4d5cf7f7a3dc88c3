import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/** The janitor trims by these columns; without an index each pass would scan the whole table. */
const INDEXES = [
  { table: 'refresh_tokens', column: 'expires_at' },
  { table: 'challenge_sessions', column: 'expires_at' },
  { table: 'confirmation_codes', column: 'expires_at' },
  { table: 'login_attempts', column: 'last_failure_at' },
  { table: 'rate_limits', column: 'window_started_at' },
];

export class TrimIndexes1764460000000 implements MigrationInterface {
  name = 'TrimIndexes1764460000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const { table, column } of INDEXES) {
      await queryRunner.createIndex(table, new TableIndex({ name: `IDX_${table}_${column}`, columnNames: [column] }));
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const { table, column } of INDEXES) await queryRunner.dropIndex(table, `IDX_${table}_${column}`);
  }
}
