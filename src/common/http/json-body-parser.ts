import type { FastifyInstance } from 'fastify';
import { ApiException } from '../errors/api.exception';
import { ErrorCode } from '../errors/error-code';

/**
 * Every route takes a flat object. Deeper nesting only serves to exhaust a recursive walker:
 * class-transformer overflows its stack at about 1,500 nested arrays (3 KB, well inside the
 * body limit), which would answer 500 instead of the 400 a mistyped field gets.
 */
export const MAX_JSON_DEPTH = 32;

/** Iterative, so checking the depth cannot itself overflow; the body limit bounds the work. */
function nestedDeeperThan(value: unknown, limit: number): boolean {
  const pending: Array<[unknown, number]> = [[value, 1]];
  while (pending.length > 0) {
    const [node, depth] = pending.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth > limit) return true;
    for (const child of Object.values(node)) pending.push([child, depth + 1]);
  }
  return false;
}

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
      } else if (nestedDeeperThan(value, MAX_JSON_DEPTH)) {
        done(new ApiException(ErrorCode.InvalidParameter, 'Request body is nested too deeply.'), undefined);
      } else {
        done(null, value);
      }
    });
  });
}
