import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { portableColumns } from './portable-columns';

export class RateLimits1764410000000 implements MigrationInterface {
  name = 'RateLimits1764410000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = portableColumns(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'rate_limits',
        columns: [{ ...c.string('limit_key', 191), isPrimary: true }, c.timestamp('window_started_at'), c.int('hits')],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('rate_limits');
  }
}
