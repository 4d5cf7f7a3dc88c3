import 'reflect-metadata';
import { createApp } from './app.factory';
import { checkAllConfig } from './all-config';
import { ApiException } from './common/errors/api.exception';
import { readAppConfig } from './config/app.config';
import { ConfigError } from './config/env';
import { loadEnvFile } from './config/env-file';
import { sizeThreadPool } from './config/thread-pool';

async function bootstrap(): Promise<void> {
  loadEnvFile();
  sizeThreadPool();
  checkAllConfig();
  const { port } = readAppConfig();
  const app = await createApp();
  await app.listen({ port, host: '0.0.0.0' });
}

bootstrap().catch((error: unknown) => {
  // A bad setting is the operator's to fix: one line that says what is wrong, no stack.
  const operatorError = error instanceof ConfigError || error instanceof ApiException;
  const message = operatorError ? error.message : error instanceof Error ? error.stack : String(error);
  console.error(`Startup failed: ${message}`);
  process.exit(1);
});
