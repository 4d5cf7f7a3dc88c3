import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { portableColumns } from './portable-columns';

export class PasswordResetAndOutbox1764390000000 implements MigrationInterface {
  name = 'PasswordResetAndOutbox1764390000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = portableColumns(queryRunner);

    await queryRunner.createTable(
      new Table({
        name: 'confirmation_codes',
        columns: [
          c.id(),
          c.uuid('user_id'),
          c.string('code_hash', 64),
          c.int('attempts'),
          c.timestamp('created_at'),
          c.timestamp('expires_at'),
          c.timestamp('consumed_at', true),
        ],
        uniques: [{ name: 'UQ_confirmation_codes_user_id', columnNames: ['user_id'] }],
        foreignKeys: [c.userForeignKey('confirmation_codes')],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'mail_outbox',
        columns: [
          c.id(),
          c.string('kind', 32),
          c.string('payload', 2000),
          c.int('attempts'),
          c.timestamp('next_attempt_at'),
          c.timestamp('locked_until', true),
          c.timestamp('completed_at', true),
          c.string('last_error', 255, true),
          c.timestamp('created_at'),
        ],
        // The dispatcher's one query: pending messages that are due.
        indices: [{ name: 'IDX_mail_outbox_due', columnNames: ['completed_at', 'next_attempt_at'] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('mail_outbox');
    await queryRunner.dropTable('confirmation_codes');
  }
}
