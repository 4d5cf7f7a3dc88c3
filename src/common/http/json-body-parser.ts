import type { FastifyInstance } from 'fastify';
import { ApiException } from '../errors/api.exception';
import { ErrorCode } from '../errors/error-code';

/**
 * JSON is the only body we accept: every other media type is left without a parser, so
 * Fastify answers 415. Fastify's own parser is kept for its prototype-poisoning guard; only
 * its error is reworded so a client learns what was wrong and nothing more.
 */
export function acceptOnlyJson(fastify: FastifyInstance, bodyLimit: number): void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, (request, body, done) => {
    void parse(request, body as string, (error, value) => {
      if (error) {
        done(new ApiException(ErrorCode.InvalidParameter, 'Request body is not valid JSON.'), undefined);
      } else if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        // Every route takes an object; saying so beats a confusing per-field message.
        done(new ApiException(ErrorCode.InvalidParameter, 'Request body must be a JSON object.'), undefined);
      } else {
        done(null, value);
      }
    });
  });
}
