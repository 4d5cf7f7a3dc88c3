import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { HttpLogger, pinoHttp } from 'pino-http';
import { PARAMS_PROVIDER_TOKEN, Params } from 'nestjs-pino';
// nestjs-pino binds each request's logger here for its Logger; its own binding is Express-style
// middleware, which this Fastify app (without @fastify/middie) does not run.
import { storage, Store } from 'nestjs-pino/storage';

const ROUTE = Symbol('route');

interface LoggedRequest extends IncomingMessage {
  [ROUTE]?: string;
}

/** The access line: method, route pattern (never the URL and its query), status, duration. */
function accessLine(req: LoggedRequest, res: ServerResponse, responseTime: number): object {
  return { method: req.method, route: req[ROUTE] ?? null, status: res.statusCode, ms: responseTime };
}

export function createHttpLogger(logger: Logger): HttpLogger<LoggedRequest> {
  return pinoHttp<LoggedRequest>({
    logger,
    // Fastify's id (the X-Request-Id answered), set on the raw request before this runs.
    genReqId: (req) => req.id,
    customAttributeKeys: { reqId: 'req_id' },
    // The request's logger carries its req_id only; nothing of the request itself (headers,
    // body) is bound or logged.
    quietReqLogger: true,
    quietResLogger: true,
    wrapSerializers: false,
    serializers: { req: (req: LoggedRequest) => ({ method: req.method, route: req[ROUTE] }) },
    customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
    customSuccessObject: (req, res, val: { responseTime: number }) => accessLine(req, res, val.responseTime),
    customErrorObject: (req, res, _error, val: { responseTime: number }) => accessLine(req, res, val.responseTime),
  });
}

/**
 * Gives every request a child logger that carries its `req_id`, which nestjs-pino's Logger
 * (and so every `new Logger(context)`) uses for the lines written while serving it, and writes
 * one access line when its response ends. A Fastify hook, where nestjs-pino would use
 * middleware: it runs first on each request, 404s included.
 */
@Injectable()
export class RequestLogging implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(PARAMS_PROVIDER_TOKEN) private readonly params: Params,
  ) {}

  /** Before Fastify is ready, so the hook covers every route. */
  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    const { logger } = this.params.pinoHttp as { logger: Logger };
    if (fastify) logRequests(fastify, createHttpLogger(logger));
  }
}

export function logRequests(fastify: FastifyInstance, httpLogger: HttpLogger<LoggedRequest>): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    const raw: LoggedRequest = request.raw;
    raw.id = request.id;
    raw[ROUTE] = request.routeOptions.url;
    httpLogger(raw, reply.raw);
    // The rest of the request (its hooks, body, handler and error filter) runs in this scope.
    storage.run(new Store(raw.log), done);
  });
}
