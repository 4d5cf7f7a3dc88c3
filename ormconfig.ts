import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadEnvFile } from './src/config/env-file';
import { readDatabaseConfig } from './src/database/database.config';
import { buildDataSourceOptions } from './src/database/typeorm-options';

loadEnvFile();

/** The TypeORM CLI's DataSource (`npm run migration:run`), built by the same function as the server's. */
export default new DataSource({ ...buildDataSourceOptions(readDatabaseConfig()), migrationsRun: false });
