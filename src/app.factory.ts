import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { AppModule } from './app.module';
import { codeForStatus } from './common/errors/error-code';
import { fixAsyncResourceBind } from './common/http/async-resource-bind';
import { LoggingModule, loggingParams, nestLogger } from './common/logging/logging.module';
import { acceptFormBodyWhereMarked } from './common/http/form-body';
import { acceptOnlyJson } from './common/http/json-body-parser';
import { applySecurity } from './common/http/security';
import { readAppConfig } from './config/app.config';
import { setupSwagger } from './swagger/setup-swagger';

const REQUEST_ID = /^[\w.:-]{1,64}$/;

/**
 * Builds the HTTP application exactly as production runs it; tests call this too, so what
 * they exercise is what ships.
 */
export async function createApp(): Promise<NestFastifyApplication> {
  fixAsyncResourceBind();
  const config = readAppConfig();
  const { bodyLimit, trustProxy, requestTimeoutMs } = config;
  const adapter = new FastifyAdapter({
    // No Express-style middleware here: without @fastify/middie every request runs one hook less.
    skipMiddie: true,
    bodyLimit,
    trustProxy,
    // A body or headers trickled in a byte at a time must not hold a socket for ever: past
    // REQUEST_TIMEOUT_MS Node answers 408 and closes it. Node checks every
    // connectionsCheckingInterval (30 s by default), so that is kept well under the timeout.
    requestTimeout: requestTimeoutMs,
    http: {
      headersTimeout: requestTimeoutMs,
      connectionsCheckingInterval: Math.max(50, Math.min(5000, Math.round(requestTimeoutMs / 5))),
    },
    // A socket silent that long is closed, whatever it is doing (between requests Node's
    // keep-alive timeout closes it sooner); twice the request timeout leaves a slow answer room.
    connectionTimeout: 2 * requestTimeoutMs,
    // On close (SIGTERM, see main.ts): idle keep-alive connections are closed at once, and a
    // request that still arrives on a busy one is answered 503 without running its route.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    // Room for a 128-character username percent-encoded (up to 12 characters each) in a path.
    routerOptions: { maxParamLength: 2048 },
    // What Fastify's router refuses before any route or hook runs (a path part that is not
    // valid percent-encoding, or one past maxParamLength) is answered in our shape too. No hook
    // runs for it, so it sets the headers the onSend hook would.
    frameworkErrors: (error: { statusCode?: number }, request: FastifyRequest, reply: FastifyReply) => {
      const status = error.statusCode ?? 400;
      const message = status === 414 ? 'The URL is too long.' : 'The URL is not valid.';
      void reply
        .code(status)
        .headers({ 'X-Request-Id': request.id, 'Cache-Control': 'no-store' })
        .send({ message, status, code: codeForStatus(status) });
    },
    // A caller's X-Request-Id is kept when it looks like one, so logs can be joined across services.
    genReqId: (request: IncomingMessage) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
  });
  // One pino logger (LOG_LEVEL, LOG_FORMAT) from Nest's first line on: the start-up lines, a
  // database retry while starting, and every line of a request, which carries its req_id.
  const logging = loggingParams(config);
  const app = await NestFactory.create<NestFastifyApplication>(
    { module: AppModule, imports: [LoggingModule.forRoot(logging)] },
    adapter,
    { bodyParser: false, logger: nestLogger(logging), abortOnError: false },
  );

  const fastify = app.getHttpAdapter().getInstance();
  acceptOnlyJson(fastify, bodyLimit);
  acceptFormBodyWhereMarked(fastify, bodyLimit);
  // Once closing, each answer to a request in flight closes its connection: left open for
  // keep-alive, it would hold the shutdown until the grace period ends.
  let closing = false;
  fastify.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  fastify.addHook('onSend', (request, reply, payload, done) => {
    void reply.header('X-Request-Id', request.id);
    if (closing) void reply.header('Connection', 'close');
    // Responses carry tokens and personal data: no cache may keep them (RFC 6749 5.1).
    if (!reply.hasHeader('Cache-Control')) void reply.header('Cache-Control', 'no-store');
    done(null, payload);
  });

  applySecurity(app, config);
  // No app.enableShutdownHooks(): Nest would stop the workers and the audit buffer before the
  // requests in flight are answered, and end by killing itself with the signal. main.ts
  // handles SIGTERM and SIGINT instead.
  setupSwagger(app);
  await app.init();
  return app;
}
