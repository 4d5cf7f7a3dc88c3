import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { portableColumns } from './portable-columns';

export class LoginAttempts1764400000000 implements MigrationInterface {
  name = 'LoginAttempts1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = portableColumns(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'login_attempts',
        columns: [
          { ...c.string('username', 128), isPrimary: true },
          c.int('failures'),
          c.timestamp('last_failure_at'),
          c.timestamp('locked_until', true),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('login_attempts');
  }
}
