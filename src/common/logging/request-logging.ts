import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { PARAMS_PROVIDER_TOKEN, Params } from 'nestjs-pino';
// nestjs-pino's Logger writes through the logger bound here for the request being served; its
// own binding is Express-style middleware, which this Fastify app (without @fastify/middie)
// does not run.
import { storage, type Store } from 'nestjs-pino/storage';

/**
 * A request's logger, made only when the request writes a line: most write none, and a pino
 * child per request cost more than the rest of a health check. nestjs-pino reads and replaces
 * `store.logger` (its `assign()`), so both go through here.
 */
class RequestStore implements Store {
  responseLogger?: Logger;
  /** For the line of a request whose client goes away: Fastify times only answered ones. */
  readonly startedAt = performance.now();
  private own?: Logger;

  constructor(
    private readonly root: Logger,
    private readonly reqId: string,
  ) {}

  get logger(): Logger {
    return (this.own ??= this.root.child({ req_id: this.reqId }));
  }

  set logger(replaced: Logger) {
    this.own = replaced;
  }
}

const STORE = Symbol('request log store');

declare module 'fastify' {
  interface FastifyRequest {
    [STORE]: RequestStore | null;
  }
}

/** The access line: method, route pattern (never the URL and its query), status, duration. */
function accessLine(request: FastifyRequest, status: number | null, ms: number): object {
  return {
    req_id: request.id,
    method: request.method,
    route: request.routeOptions.url ?? null,
    status,
    ms: Math.round(ms * 1000) / 1000,
  };
}

/**
 * Every line written while serving a request carries its `req_id` (the X-Request-Id answered),
 * and each request writes one access line when its response ends, 404s included, or when its
 * client goes away first (`status: null`: nothing was answered). Fastify hooks rather than
 * pino-http, which wraps every request and response even when nothing is logged, and halved a
 * health check's throughput here.
 */
export function logRequests(fastify: FastifyInstance, root: Logger): void {
  // The access line's fields are fixed and none is a secret, so it skips the redaction paths,
  // which cost 16 µs a line (five times the rest of writing it).
  const access = root.child({}, { redact: [] });
  // Declared up front, so every request object keeps one shape.
  fastify.decorateRequest(STORE, null);
  fastify.addHook('onRequest', (request, _reply, done) => {
    // The rest of the request (its hooks, body, handler and error filter) runs in this scope.
    const store = new RequestStore(root, request.id);
    request[STORE] = store;
    storage.run(store, done);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    // An aborted request's answer may still end (in error) later: its line is already written.
    if (request.raw.aborted) return done();
    const failed = reply.statusCode >= 500;
    const level = failed ? 'error' : 'info';
    if (access.isLevelEnabled(level)) {
      access[level](
        accessLine(request, reply.statusCode, reply.elapsedTime),
        failed ? 'request errored' : 'request completed',
      );
    }
    done();
  });
  fastify.addHook('onRequestAbort', (request, done) => {
    const ms = performance.now() - (request[STORE]?.startedAt ?? performance.now());
    if (access.isLevelEnabled('info')) access.info(accessLine(request, null, ms), 'request aborted');
    done();
  });
}

@Injectable()
export class RequestLogging implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(PARAMS_PROVIDER_TOKEN) private readonly params: Params,
  ) {}

  /** Before Fastify is ready, so the hooks cover every route. */
  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    const { logger } = this.params.pinoHttp as { logger: Logger };
    if (fastify) logRequests(fastify, logger);
  }
}
