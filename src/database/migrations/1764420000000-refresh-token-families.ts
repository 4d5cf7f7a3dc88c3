import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';
import { portableColumns } from './portable-columns';

/**
 * Refresh-token rotation: each token belongs to a family (the login it descends from) and
 * records when it was replaced. Existing tokens become one-token families of their own.
 */
export class RefreshTokenFamilies1764420000000 implements MigrationInterface {
  name = 'RefreshTokenFamilies1764420000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = portableColumns(queryRunner);
    await queryRunner.addColumns('refresh_tokens', [
      // Nullable only so the column can be added to a filled table; the backfill sets every row.
      new TableColumn(c.uuid('family_id', true)),
      new TableColumn(c.timestamp('rotated_at', true)),
    ]);
    await queryRunner.query('UPDATE refresh_tokens SET family_id = id WHERE family_id IS NULL');
    await queryRunner.createIndex(
      'refresh_tokens',
      new TableIndex({ name: 'IDX_refresh_tokens_family_id', columnNames: ['family_id'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('refresh_tokens', 'IDX_refresh_tokens_family_id');
    await queryRunner.dropColumns('refresh_tokens', ['rotated_at', 'family_id']);
  }
}
