import helmet, { HelmetOptions } from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppConfig } from '../../config/app.config';

/**
 * Security headers on every response (helmet), with a CSP that still lets Swagger UI at
 * /docs run from its own files (it sets inline styles, never inline scripts). CORS is off
 * unless origins are configured: a browser app on another origin must be named explicitly.
 */
export function applySecurity(app: NestFastifyApplication, config: AppConfig): void {
  const headers = helmetHeaders(HELMET_OPTIONS);
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (_request, reply, done) => {
      void reply.headers(headers);
      done();
    });
  if (config.corsOrigins.length > 0) {
    app.enableCors({
      origin: config.corsOrigins,
      methods: ['GET', 'POST'],
      allowedHeaders: ['Content-Type', 'Authorization', 'X-Request-Id'],
      exposedHeaders: ['Retry-After', 'X-Request-Id'],
      credentials: false,
      maxAge: 600,
    });
  }
}

/** Exported for bench/workarounds/helmet-headers.js, which measures what recording them saves. */
export const HELMET_OPTIONS: Readonly<HelmetOptions> = {
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      frameAncestors: ["'none'"],
      formAction: ["'self'"],
      baseUri: ["'self'"],
      upgradeInsecureRequests: null,
    },
  },
  // Same-origin API: nothing here is meant to be embedded or opened by other sites.
  crossOriginResourcePolicy: { policy: 'same-origin' },
};

/**
 * The headers helmet sets, worked out once by running its middleware against a recorder. Our
 * options are static (no CSP nonces), so every response gets the same ones. Handing them to
 * Fastify rather than letting helmet call `res.setHeader` keeps Node on its one-pass path for
 * headers: after any `setHeader`, Node validates and stores every header of the response
 * twice. A constant POST cost about 65 µs more CPU with helmet applied per request.
 */
export function helmetHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader: (name: string, value: string) => (headers[name] = value),
    removeHeader: (name: string) => delete headers[name],
  };
  // helmet throws on bad options; it has nothing to pass to `next`.
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, () => undefined);
  return headers;
}
