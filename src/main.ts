import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
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
  const { port, shutdownGraceMs } = readAppConfig();
  const app = await createApp();
  await app.listen({ port, host: '0.0.0.0' });
  stopOnSignals(app, shutdownGraceMs);
}

/**
 * SIGTERM or SIGINT: stop accepting, answer the requests in flight (for at most
 * SHUTDOWN_GRACE_MS), then run Nest's shutdown (outbox worker, audit buffer, janitor,
 * database) and exit 0. A second signal meanwhile exits at once, with 1.
 */
function stopOnSignals(app: NestFastifyApplication, graceMs: number): void {
  const logger = new Logger('Shutdown');
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    stopping = true;
    const started = Date.now();
    logger.log(`${signal}: refusing new connections, waiting up to ${graceMs} ms for requests in flight`);
    shutDown(app, graceMs, logger).then(
      () => {
        logger.log(`Shutdown complete in ${Date.now() - started} ms`);
        // Explicit: a request cut off at the grace period may still hold a bcrypt thread.
        process.exit(0);
      },
      (error: unknown) => {
        logger.error(`Shutdown failed: ${(error as Error).name}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

async function shutDown(app: NestFastifyApplication, graceMs: number, logger: Logger): Promise<void> {
  const server = app.getHttpServer();
  const cutOff = setTimeout(() => {
    logger.warn('Grace period over: closing the connections still open');
    server.closeAllConnections();
  }, graceMs);
  try {
    // Fastify stops listening, closes idle connections, and resolves when the last one closes.
    await app.getHttpAdapter().close();
  } finally {
    clearTimeout(cutOff);
  }
  // Nest's hooks, with no request left to feed them; closing Fastify a second time is a no-op.
  await app.close();
}

bootstrap().catch((error: unknown) => {
  // A bad setting is the operator's to fix: one line that says what is wrong, no stack.
  const operatorError = error instanceof ConfigError || error instanceof ApiException;
  const message = operatorError ? error.message : error instanceof Error ? error.stack : String(error);
  console.error(`Startup failed: ${message}`);
  process.exit(1);
});
