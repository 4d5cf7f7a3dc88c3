import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSourceOptions } from 'typeorm';
import { DatabaseConfig } from './database.config';
import { MIGRATIONS } from './migrations';

/**
 * The one place that turns configuration into TypeORM options: the server, the CLI and
 * ormconfig.ts (the TypeORM CLI's DataSource) all call it, so they can never disagree.
 * The schema only ever changes through migrations, applied at start. The entities come from
 * the caller: in Nest each module registers its own (`TypeOrmModule.forFeature`), so this
 * layer names no feature.
 */
export function buildDataSourceOptions(
  config: DatabaseConfig,
  entities: NonNullable<DataSourceOptions['entities']> = [],
): DataSourceOptions {
  const common = {
    entities,
    migrations: MIGRATIONS,
    migrationsRun: true,
    migrationsTransactionMode: 'each' as const,
    synchronize: false,
    // A null or undefined in a where object would otherwise be dropped, widening an update or
    // delete to every row; IsNull() says "IS NULL" where that is meant.
    invalidWhereValuesBehavior: { null: 'throw', undefined: 'throw' } as const,
    // Off: TypeORM's error log prints a failed query's parameters, which include password hashes.
    // Failures still surface as exceptions, logged by the exception filter without their values.
    logging: false,
  };

  if (config.type === 'sqlite') {
    if (config.path !== ':memory:') mkdirSync(dirname(config.path), { recursive: true });
    return {
      ...common,
      type: 'better-sqlite3',
      database: config.path,
      // WAL lets readers proceed while a write commits; the busy timeout queues concurrent writers.
      enableWAL: true,
      timeout: 5000,
      prepareDatabase: (db: { pragma(sql: string): unknown }) => {
        db.pragma('foreign_keys = ON');
        db.pragma('synchronous = NORMAL');
      },
    };
  }

  return {
    ...common,
    type: 'mysql',
    url: config.url,
    charset: 'utf8mb4_bin',
    timezone: 'Z',
    poolSize: config.poolSize,
    connectTimeout: 5000,
    extra: {
      // Fail fast instead of queueing forever when the database is unreachable.
      waitForConnections: true,
      queueLimit: 1000,
      enableKeepAlive: true,
    },
  };
}
