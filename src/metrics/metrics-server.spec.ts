import { request } from 'undici';
import { Metrics } from './metrics';
import { MetricsServer, startMetricsServer } from './metrics-server';

describe(startMetricsServer.name, () => {
  let metrics: Metrics;
  let server: MetricsServer;
  let base: string;

  beforeEach(async () => {
    metrics = new Metrics();
    server = await startMetricsServer(metrics, 0, '127.0.0.1');
    base = `http://127.0.0.1:${server.port}`;
  });
  afterEach(() => server.close());

  it('serves the registry at GET /metrics, in the Prometheus text format', async () => {
    metrics.loginOutcomes.inc({ outcome: 'success' });

    const response = await request(`${base}/metrics`);

    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(await response.body.text()).toMatch(/^auth_login_outcomes_total\{outcome="success"\} 1$/m);
  });

  it('takes a query string, as some scrapers add one', async () => {
    const response = await request(`${base}/metrics?format=prometheus`);

    expect(response.statusCode).toBe(200);
    await response.body.dump();
  });

  it.each(['/', '/metrics/', '/health', '/v1/login', '/docs'])('serves nothing else: %s is 404', async (path) => {
    const response = await request(`${base}${path}`);

    expect(response.statusCode).toBe(404);
    expect(await response.body.text()).toBe('Not Found\n');
  });

  it('answers 405 to a method other than GET or HEAD on /metrics', async () => {
    const response = await request(`${base}/metrics`, { method: 'POST', body: '{}' });

    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe('GET, HEAD');
    await response.body.dump();
  });

  it('answers 500, and stays up, when the registry cannot be read', async () => {
    jest.spyOn(metrics, 'text').mockRejectedValueOnce(new Error('collect failed'));

    const failed = await request(`${base}/metrics`);
    const next = await request(`${base}/metrics`);

    expect(failed.statusCode).toBe(500);
    expect(next.statusCode).toBe(200);
    await Promise.all([failed.body.dump(), next.body.dump()]);
  });

  it('refuses to start on a port already taken', async () => {
    await expect(startMetricsServer(metrics, server.port, '127.0.0.1')).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });

  it('stops listening on close, even with a keep-alive connection open', async () => {
    const response = await request(`${base}/metrics`);
    await response.body.dump();

    await server.close();

    await expect(request(`${base}/metrics`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    server = { port: server.port, close: () => Promise.resolve() };
  });
});
