import type { FastifyInstance } from 'fastify';
import { Metrics } from './metrics';

/** The route label of a request no route matched (404s from the router): never its URL. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * Counts and times every response of `fastify` by method, route *pattern* (`/v1/users/:id`,
 * never the URL with its ids and query string, which would make a series per caller) and
 * status. `reply.elapsedTime` runs from the request's arrival to the end of its response.
 */
export function instrumentHttp(fastify: FastifyInstance, metrics: Metrics): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? UNMATCHED_ROUTE,
      status: String(reply.statusCode),
    };
    metrics.httpRequests.inc(labels);
    metrics.httpRequestDuration.observe(labels, reply.elapsedTime / 1000);
    done();
  });
}
