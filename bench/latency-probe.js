// Samples one route's latency over one keep-alive connection while a load runs: if hashing
// ever blocked the server's event loop (or starved the work beside it), these samples would
// show it. The login storm runs two: GET /health and a token-refresh.
const http = require('node:http');
const { setTimeout: sleep } = require('node:timers/promises');
const { percentile } = require('./stats');

const INTERVAL_MS = 25;
const MAX_SAMPLES = 10000;

function send(url, { method, body }, agent) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers = payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {};
    const req = http.request(url, { method, agent, timeout: 10000, headers }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode));
    });
    req.once('timeout', () => req.destroy(new Error('timeout')));
    req.once('error', reject);
    req.end(payload);
  });
}

/** Starts sampling `request` ({route, method, body}); `stop()` ends it and resolves with the summary in ms. */
function startLatencyProbe(baseUrl, request) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const latencies = [];
  let failures = 0;
  let running = true;
  const done = (async () => {
    while (running && latencies.length + failures < MAX_SAMPLES) {
      const started = performance.now();
      try {
        const status = await send(`${baseUrl}${request.route}`, request, agent);
        if (status === 200) latencies.push(performance.now() - started);
        else failures += 1;
      } catch {
        failures += 1;
      }
      await sleep(INTERVAL_MS);
    }
  })();
  return {
    async stop() {
      running = false;
      await done;
      agent.destroy();
      return {
        route: request.route,
        samples: latencies.length,
        failures,
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
        max: latencies.length ? Math.max(...latencies) : NaN,
      };
    },
  };
}

/** What the login storm is probed with: the liveness route, and a refresh of a live session. */
function stormProbes(session) {
  return [
    { route: '/health', method: 'GET' },
    {
      route: '/v1/token-refresh',
      method: 'POST',
      body: { username: session.username, refresh_token: session.refresh_token },
    },
  ];
}

module.exports = { startLatencyProbe, stormProbes };
