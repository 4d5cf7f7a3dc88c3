import helmet from 'helmet';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppConfig } from '../../config/app.config';

/**
 * Security headers on every response (helmet), with a CSP that still lets Swagger UI at
 * /docs run from its own files (it sets inline styles, never inline scripts). CORS is off
 * unless origins are configured: a browser app on another origin must be named explicitly.
 *
 * helmet itself rather than @fastify/helmet: the plugin rebuilds helmet, CSP parsing
 * included, on every request (about 8% of a GET /v1/me in a CPU profile); the middleware
 * made once here only sets the precomputed headers.
 */
export function applySecurity(app: NestFastifyApplication, config: AppConfig): void {
  const securityHeaders = helmet({
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
  });
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (request, reply, done) =>
      securityHeaders(request.raw, reply.raw, (error) => done(error as Error | undefined)),
    );
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
