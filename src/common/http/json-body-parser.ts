import { PayloadTooLargeException } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import type { Readable } from 'node:stream';
import { ApiException } from '../errors/api.exception';
import { ErrorCode } from '../errors/error-code';

/**
 * Every route takes a flat object. Deeper nesting only serves to exhaust a recursive walker:
 * class-transformer overflows its stack at about 1,500 nested arrays (3 KB, well inside the
 * body limit), which would answer 500 instead of the 400 a mistyped field gets.
 */
export const MAX_JSON_DEPTH = 32;

/** How much of an oversized body is read and thrown away, so that its client gets to read the 413. */
const drainLimit = (bodyLimit: number) => Math.max(4 * 1024 * 1024, 4 * bodyLimit);

/** Reads and discards the stream up to `limit` bytes; true when it ended within them. */
async function drain(payload: Readable, limit: number): Promise<boolean> {
  let read = 0;
  for await (const chunk of payload) {
    read += (chunk as Buffer).length;
    if (read > limit) return false;
  }
  return true;
}

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
  // Fastify answers a too-large Content-Length at once and closes the socket, while the client
  // may still be sending: it then sees EPIPE, never the 413. Read the body away first (up to a
  // bound; past it, close as Fastify would), so the answer reaches it.
  // A callback hook, not an async one: every request passes here, and nearly all at once.
  fastify.addHook('preParsing', (request, reply, payload, done) => {
    if (!(Number(request.headers['content-length']) > bodyLimit)) return done(null, payload);
    drain(payload, drainLimit(bodyLimit)).then(
      (ended) => {
        if (!ended) void reply.header('connection', 'close');
        done(new PayloadTooLargeException());
      },
      (error: Error) => done(error),
    );
  });
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
