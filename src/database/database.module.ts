import { DynamicModule, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AllConfig } from '../config/config.types';
import { Janitor } from './janitor';
import { Transactions } from './transactions';
import { buildDataSourceOptions } from './typeorm-options';

@Module({})
export class DatabaseModule {
  /**
   * The server keeps trying at boot while the database comes up (e.g. started alongside
   * it); the CLI asks once and reports, as a command an operator is waiting on should.
   */
  static forRoot({ retryAttempts }: { retryAttempts: number }): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      providers: [Transactions, Janitor],
      exports: [Transactions, Janitor],
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [ConfigService],
          useFactory: (config: ConfigService<AllConfig, true>) => ({
            ...buildDataSourceOptions(config.get('database', { infer: true })),
            retryAttempts,
            retryDelay: 2000,
          }),
        }),
      ],
    };
  }
}
