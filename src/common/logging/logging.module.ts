import { DynamicModule, Module } from '@nestjs/common';
import { Logger, LoggerModule, Params, PinoLogger } from 'nestjs-pino';
import type { AppConfig } from '../../config/app.config';
import { RequestLogging } from './request-logging';
import { createRootLogger } from './root-logger';

/**
 * The server's log: nestjs-pino over one pino logger, and `RequestLogging`, which binds each
 * request's child logger and writes its access line. app.factory.ts makes the same logger
 * Nest's from the first line on (`nestLogger`). The CLI does not use it: it writes no
 * framework log.
 */
@Module({})
export class LoggingModule {
  static forRoot(params: Params): DynamicModule {
    return { module: LoggingModule, imports: [LoggerModule.forRoot(params)], providers: [RequestLogging] };
  }
}

export function loggingParams(config: Pick<AppConfig, 'logLevel' | 'logFormat'>): Params {
  return {
    pinoHttp: { logger: createRootLogger(config) },
    // No middleware (this Fastify app runs none): RequestLogging does its work in a hook.
    forRoutes: [],
  };
}

/** nestjs-pino's Logger, for NestFactory: Nest's own lines and every `new Logger(context)`. */
export function nestLogger(params: Params): Logger {
  return new Logger(new PinoLogger(params), params);
}
