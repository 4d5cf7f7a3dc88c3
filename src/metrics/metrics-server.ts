import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { Metrics } from './metrics';

export interface MetricsServer {
  /** The port it listens on (the one asked for, or the one the system chose for 0). */
  readonly port: number;
  /** Stops listening and ends its connections. */
  close(): Promise<void>;
}

/** A scraper that has not sent its request by then is cut off; so is a connection left open on close. */
const REQUEST_TIMEOUT_MS = 10_000;
const CLOSE_GRACE_MS = 2000;

/**
 * Serves `GET /metrics` (and HEAD) on a listener of its own, with nothing else on it: every
 * other path is 404. It is not the API's port, so an ingress or load balancer that exposes the
 * API does not expose the metrics with it; METRICS_PORT is for the scraper's network only.
 */
export async function startMetricsServer(metrics: Metrics, port: number, host = '0.0.0.0'): Promise<MetricsServer> {
  const server = createServer((request, response) => answer(metrics, request, response));
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.headersTimeout = REQUEST_TIMEOUT_MS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        const cutOff = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS).unref();
        server.close(() => {
          clearTimeout(cutOff);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}

function answer(metrics: Metrics, request: IncomingMessage, response: ServerResponse): void {
  const path = (request.url ?? '').split('?', 1)[0];
  if (path !== '/metrics') return plain(response, 404, 'Not Found');
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('Allow', 'GET, HEAD');
    return plain(response, 405, 'Method Not Allowed');
  }
  metrics.text().then(
    (body) => {
      response.writeHead(200, { 'Content-Type': metrics.contentType, 'Cache-Control': 'no-store' });
      response.end(request.method === 'HEAD' ? undefined : body);
    },
    () => plain(response, 500, 'Internal Server Error'),
  );
}

function plain(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  response.end(`${text}\n`);
}
