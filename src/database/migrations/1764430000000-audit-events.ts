import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { portableColumns } from './portable-columns';

export class AuditEvents1764430000000 implements MigrationInterface {
  name = 'AuditEvents1764430000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = portableColumns(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'audit_events',
        columns: [
          c.id(),
          c.string('type', 40),
          c.uuid('user_id', true),
          c.string('username', 128, true),
          c.string('ip_address', 45, true),
          c.string('user_agent', 255, true),
          c.timestamp('created_at'),
        ],
        // No foreign key: the trail outlives the accounts it mentions.
        indices: [
          { name: 'IDX_audit_events_user_id_created_at', columnNames: ['user_id', 'created_at'] },
          { name: 'IDX_audit_events_created_at', columnNames: ['created_at'] },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('audit_events');
  }
}
