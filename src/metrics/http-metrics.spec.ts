import Fastify, { FastifyInstance } from 'fastify';
import { parseScrape } from '../../test/fixtures/prometheus-text';
import { countersOf } from '../../test/utils';
import { instrumentHttp, UNMATCHED_ROUTE } from './http-metrics';
import { HTTP_DURATION_BUCKETS, Metrics } from './metrics';

describe(instrumentHttp.name, () => {
  let fastify: FastifyInstance;
  let metrics: Metrics;

  beforeEach(() => {
    metrics = new Metrics();
    fastify = Fastify();
    fastify.post('/v1/login', () => ({ ok: true }));
    fastify.get('/v1/users/:id', (_request, reply) => reply.code(403).send({ denied: true }));
    fastify.get('/v1/boom', () => {
      throw new Error('boom');
    });
    // Hooks apply to routes registered before them too: the app instruments after Nest's routes.
    instrumentHttp(fastify, metrics);
  });
  afterEach(() => fastify.close());

  const scrape = async () => parseScrape(await metrics.text());

  it('labels a request with its method, route pattern and status', async () => {
    const login200 = { method: 'POST', route: '/v1/login', status: '200' };
    await fastify.inject({ method: 'POST', url: '/v1/login', payload: {} });
    await fastify.inject({ method: 'POST', url: '/v1/login', payload: {} });

    expect(await countersOf(metrics)).toEqual({
      'auth_http_requests_total{method="POST",route="/v1/login",status="200"}': 2,
    });
    expect((await scrape()).value('auth_http_request_duration_seconds_count', login200)).toBe(2);
  });

  it('labels by the pattern, never the URL: ids and query strings make no series of their own', async () => {
    await fastify.inject('/v1/users/42?expand=roles');
    await fastify.inject('/v1/users/7');

    expect(await countersOf(metrics)).toEqual({
      'auth_http_requests_total{method="GET",route="/v1/users/:id",status="403"}': 2,
    });
  });

  it(`labels every request no route matched "${UNMATCHED_ROUTE}", whatever its path or method`, async () => {
    await fastify.inject('/wp-login.php');
    await fastify.inject('/v1/login/../../etc/passwd');
    await fastify.inject({ method: 'DELETE', url: '/v1/login' });

    expect(await countersOf(metrics)).toEqual({
      'auth_http_requests_total{method="GET",route="unmatched",status="404"}': 2,
      'auth_http_requests_total{method="DELETE",route="unmatched",status="404"}': 1,
    });
  });

  it('counts errors with the status sent', async () => {
    await fastify.inject('/v1/boom');

    expect(await countersOf(metrics)).toEqual({
      'auth_http_requests_total{method="GET",route="/v1/boom",status="500"}': 1,
    });
  });

  it('times the response in seconds, into the buckets', async () => {
    const elapsedMs = 30;
    fastify.get('/v1/slow', async () => {
      await new Promise((resolve) => setTimeout(resolve, elapsedMs));
      return {};
    });

    await fastify.inject('/v1/slow');

    const scraped = await scrape();
    const labels = { method: 'GET', route: '/v1/slow', status: '200' };
    const sum = scraped.value('auth_http_request_duration_seconds_sum', labels)!;
    expect(sum).toBeGreaterThanOrEqual((elapsedMs - 5) / 1000);
    expect(sum).toBeLessThan(5);
    const bucket = (le: string) => scraped.value('auth_http_request_duration_seconds_bucket', { ...labels, le });
    const counts = [...HTTP_DURATION_BUCKETS.map(String), '+Inf'].map(bucket);
    // Cumulative: none under the 30 ms it took, then the one request, from some bucket on.
    expect(counts.slice(0, HTTP_DURATION_BUCKETS.indexOf(0.025) + 1).every((count) => count === 0)).toBe(true);
    expect(counts).toEqual([...counts].sort());
    expect(bucket('10')).toBe(1);
    expect(bucket('+Inf')).toBe(1);
    expect(scraped.value('auth_http_request_duration_seconds_count', labels)).toBe(1);
  });
});
