import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/**
 * The admin API's lists read an index in the order they answer, from the cursor on: users by
 * status then username (the unique username index serves the unfiltered list), audit events by
 * username, by type, or by time alone, newest first, the id breaking ties. `(created_at, id)`
 * replaces `(created_at)`, which the janitor's trimming uses just as well.
 */
const INDEXES = [
  { table: 'users', name: 'IDX_users_status_username', columnNames: ['status', 'username'] },
  {
    table: 'audit_events',
    name: 'IDX_audit_events_username_created_at',
    columnNames: ['username', 'created_at', 'id'],
  },
  { table: 'audit_events', name: 'IDX_audit_events_type_created_at', columnNames: ['type', 'created_at', 'id'] },
  { table: 'audit_events', name: 'IDX_audit_events_created_at_id', columnNames: ['created_at', 'id'] },
];

export class AdminLists1764480000000 implements MigrationInterface {
  name = 'AdminLists1764480000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const { table, name, columnNames } of INDEXES) {
      await queryRunner.createIndex(table, new TableIndex({ name, columnNames }));
    }
    await queryRunner.dropIndex('audit_events', 'IDX_audit_events_created_at');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex(
      'audit_events',
      new TableIndex({ name: 'IDX_audit_events_created_at', columnNames: ['created_at'] }),
    );
    for (const { table, name } of INDEXES) await queryRunner.dropIndex(table, name);
  }
}
