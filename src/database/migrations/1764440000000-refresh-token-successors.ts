import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { portableColumns } from './portable-columns';

/**
 * A rotated refresh token names its successor, so a second redemption within the grace window
 * is answered with that same successor instead of a second, never-rotated sibling.
 */
export class RefreshTokenSuccessors1764440000000 implements MigrationInterface {
  name = 'RefreshTokenSuccessors1764440000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = portableColumns(queryRunner);
    await queryRunner.addColumn('refresh_tokens', new TableColumn(c.uuid('replaced_by', true)));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('refresh_tokens', 'replaced_by');
  }
}
