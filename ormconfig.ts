import 'reflect-metadata';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { loadEnvFile } from './src/config/env-file';
import { readDatabaseConfig } from './src/database/database.config';
import { buildDataSourceOptions } from './src/database/typeorm-options';

loadEnvFile();

/**
 * The TypeORM CLI's DataSource (`npm run migration:run`), built by the same function as the
 * server's; every module's entities, so `migration:generate` sees the whole schema.
 */
export default new DataSource({
  ...buildDataSourceOptions(readDatabaseConfig(), [join(__dirname, 'src', '**', '*.entity.{ts,js}')]),
  migrationsRun: false,
});
