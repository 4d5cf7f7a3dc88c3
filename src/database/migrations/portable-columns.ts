import { QueryRunner, TableColumnOptions } from 'typeorm';
import { TableForeignKeyOptions } from 'typeorm/schema-builder/options/TableForeignKeyOptions';

/**
 * Column builders for migrations that must run unchanged on SQLite and MySQL/MariaDB.
 * Strings are utf8mb4 with a binary collation on MySQL (whatever the server's default),
 * so comparisons are byte for byte on both engines, as SQLite's BINARY collation does.
 */
export function portableColumns(queryRunner: QueryRunner) {
  const isMysql = queryRunner.connection.driver.options.type === 'mysql';
  const text = isMysql ? { charset: 'utf8mb4', collation: 'utf8mb4_bin' } : { collation: 'BINARY' };

  return {
    id: (name = 'id'): TableColumnOptions => ({ name, type: 'varchar', length: '36', isPrimary: true, ...text }),
    uuid: (name: string, nullable = false): TableColumnOptions => ({
      name,
      type: 'varchar',
      length: '36',
      isNullable: nullable,
      ...text,
    }),
    string: (name: string, length: number, nullable = false): TableColumnOptions => ({
      name,
      type: 'varchar',
      length: String(length),
      isNullable: nullable,
      ...text,
    }),
    /** `user_id` referencing users, deleted with the user. */
    userForeignKey: (table: string): TableForeignKeyOptions => ({
      name: `FK_${table}_user_id`,
      columnNames: ['user_id'],
      referencedTableName: 'users',
      referencedColumnNames: ['id'],
      onDelete: 'CASCADE',
    }),
    int: (name: string, defaultValue = 0): TableColumnOptions => ({ name, type: 'int', default: defaultValue }),
    timestamp: (name: string, nullable = false): TableColumnOptions => ({
      name,
      type: 'datetime',
      precision: 3,
      isNullable: nullable,
    }),
  };
}
