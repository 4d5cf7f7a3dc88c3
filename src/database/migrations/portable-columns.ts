import { QueryRunner, TableColumnOptions } from 'typeorm';
import { TableForeignKeyOptions } from 'typeorm/schema-builder/options/TableForeignKeyOptions';

/**
 * The server's byte-for-byte collation that does not pad. `utf8mb4_bin` (what the builders
 * below declare) is PAD SPACE on MySQL and MariaDB: it compares `'admin '` equal to `'admin'`,
 * which SQLite's BINARY does not; columns compared for equality are moved to this one (see the
 * no-pad-collation migration). MySQL 5.7 has none: there it stays `utf8mb4_bin`, and the
 * application refuses such names before they reach a query.
 */
export async function noPadBinaryCollation(queryRunner: QueryRunner): Promise<string> {
  const rows = (await queryRunner.query(
    "SHOW COLLATION WHERE Collation IN ('utf8mb4_nopad_bin', 'utf8mb4_0900_bin')",
  )) as Array<{ Collation: string }>;
  return rows[0]?.Collation ?? 'utf8mb4_bin';
}

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
