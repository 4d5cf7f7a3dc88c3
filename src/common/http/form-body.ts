import { UnsupportedMediaTypeException } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';

const FORM_BODY = 'acceptsFormBody';

/**
 * Marks a route that also takes `application/x-www-form-urlencoded`, because its standard says
 * so (RFC 7662 introspection); every other route keeps answering such a body 415.
 */
export const AcceptsFormBody = () => RouteConfig({ [FORM_BODY]: true });

/** Parses a form body (with URLSearchParams) for the routes marked AcceptsFormBody only. */
export function acceptFormBodyWhereMarked(fastify: FastifyInstance, bodyLimit: number): void {
  fastify.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit },
    (request, body, done) => {
      const config = request.routeOptions.config as unknown as Record<string, unknown> | undefined;
      if (config?.[FORM_BODY] !== true) {
        // Worded by the exception filter, as Fastify's own 415 for a type with no parser is.
        done(new UnsupportedMediaTypeException(), undefined);
        return;
      }
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    },
  );
}
