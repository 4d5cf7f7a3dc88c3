import { MigrationInterface, QueryRunner, Table, TableColumn } from 'typeorm';
import { portableColumns } from './portable-columns';

/**
 * A second factor (TOTP): the factor with its sealed secret and last used step, the recovery
 * codes' hashes, the flag login reads with the account, and the kind and wrong answers of
 * each challenge session (a TOTP challenge ends after five wrong codes).
 */
export class TotpFactors1764490000000 implements MigrationInterface {
  name = 'TotpFactors1764490000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = portableColumns(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'mfa_factors',
        columns: [
          c.id('user_id'),
          c.string('secret_sealed', 255),
          c.timestamp('enabled_at', true),
          { name: 'last_used_step', type: 'int', isNullable: true },
          c.timestamp('created_at'),
        ],
        foreignKeys: [c.userForeignKey('mfa_factors')],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'mfa_recovery_codes',
        columns: [c.id(), c.uuid('user_id'), c.string('code_hash', 64), c.timestamp('used_at', true)],
        foreignKeys: [c.userForeignKey('mfa_recovery_codes')],
        indices: [{ name: 'IDX_mfa_recovery_codes_user_id', columnNames: ['user_id'] }],
      }),
    );
    await queryRunner.addColumn('users', new TableColumn({ name: 'mfa_enabled', type: 'boolean', default: 0 }));
    await queryRunner.addColumns('challenge_sessions', [
      new TableColumn({ ...c.string('challenge', 32), default: "'NEW_PASSWORD_REQUIRED'" }),
      new TableColumn(c.int('failed_attempts')),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('challenge_sessions', 'failed_attempts');
    await queryRunner.dropColumn('challenge_sessions', 'challenge');
    await queryRunner.dropColumn('users', 'mfa_enabled');
    await queryRunner.dropTable('mfa_recovery_codes');
    await queryRunner.dropTable('mfa_factors');
  }
}
