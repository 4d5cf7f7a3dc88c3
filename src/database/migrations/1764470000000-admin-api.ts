import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';
import { portableColumns } from './portable-columns';

/**
 * The admin API: who made each change (`actor`), and the index that finds the active admins
 * (the last one may not be disabled) without scanning or locking the other users.
 */
export class AdminApi1764470000000 implements MigrationInterface {
  name = 'AdminApi1764470000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = portableColumns(queryRunner);
    await queryRunner.addColumn('audit_events', new TableColumn(c.string('actor', 140, true)));
    await queryRunner.createIndex(
      'users',
      new TableIndex({ name: 'IDX_users_roles_status', columnNames: ['roles', 'status'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('users', 'IDX_users_roles_status');
    await queryRunner.dropColumn('audit_events', 'actor');
  }
}
