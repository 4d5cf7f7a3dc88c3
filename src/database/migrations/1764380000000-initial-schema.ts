import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { portableColumns } from './portable-columns';

export class InitialSchema1764380000000 implements MigrationInterface {
  name = 'InitialSchema1764380000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = portableColumns(queryRunner);

    await queryRunner.createTable(
      new Table({
        name: 'users',
        columns: [
          c.id(),
          c.string('username', 128),
          c.string('email', 254),
          c.string('password_hash', 60),
          c.string('status', 32),
          c.string('roles', 255),
          c.timestamp('temporary_password_expires_at', true),
          c.timestamp('created_at'),
          c.timestamp('updated_at'),
        ],
        uniques: [{ name: 'UQ_users_username', columnNames: ['username'] }],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'refresh_tokens',
        columns: [
          c.id(),
          c.uuid('user_id'),
          c.string('token_hash', 64),
          c.timestamp('created_at'),
          c.timestamp('expires_at'),
          c.timestamp('revoked_at', true),
          c.timestamp('last_used_at', true),
          c.string('user_agent', 255, true),
          c.string('ip_address', 45, true),
        ],
        indices: [{ name: 'IDX_refresh_tokens_user_id', columnNames: ['user_id'] }],
        foreignKeys: [c.userForeignKey('refresh_tokens')],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'challenge_sessions',
        columns: [
          c.id(),
          c.uuid('user_id'),
          c.string('secret_hash', 64),
          c.timestamp('created_at'),
          c.timestamp('expires_at'),
          c.timestamp('consumed_at', true),
        ],
        indices: [{ name: 'IDX_challenge_sessions_user_id', columnNames: ['user_id'] }],
        foreignKeys: [c.userForeignKey('challenge_sessions')],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('challenge_sessions');
    await queryRunner.dropTable('refresh_tokens');
    await queryRunner.dropTable('users');
  }
}
