import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, DataSourceOptions } from 'typeorm';
import { databaseConfig, DatabaseConfig } from './database.config';
import { Janitor } from './janitor';
import { runMigrationsOnce } from './migrate-once';
import { JanitorWorker } from './janitor.worker';
import { Transactions } from './transactions';
import { buildDataSourceOptions } from './typeorm-options';

export interface DatabaseModuleOptions {
  /**
   * The server keeps trying at boot while the database comes up (e.g. started alongside
   * it); the CLI asks once and reports, as a command an operator is waiting on should.
   */
  retryAttempts: number;
  /** The server trims old rows every JANITOR_INTERVAL; a CLI command does not linger for it. */
  runJanitor: boolean;
}

@Module({})
export class DatabaseModule {
  static forRoot({ retryAttempts, runJanitor }: DatabaseModuleOptions): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      providers: [Transactions, Janitor, ...(runJanitor ? [JanitorWorker] : [])],
      exports: [Transactions, Janitor],
      imports: [
        ConfigModule.forFeature(databaseConfig),
        TypeOrmModule.forRootAsync({
          imports: [ConfigModule.forFeature(databaseConfig)],
          inject: [databaseConfig.KEY],
          useFactory: (config: DatabaseConfig) => ({
            ...buildDataSourceOptions(config),
            autoLoadEntities: true,
            retryAttempts,
            retryDelay: 2000,
          }),
          // Migrations run after connecting, under a lock where instances can race (migrate-once.ts).
          dataSourceFactory: async (options?: DataSourceOptions) => {
            const dataSource = await new DataSource({ ...options!, migrationsRun: false }).initialize();
            try {
              await runMigrationsOnce(dataSource);
            } catch (error) {
              await dataSource.destroy();
              throw error;
            }
            return dataSource;
          },
        }),
      ],
    };
  }
}
