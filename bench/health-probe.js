// Samples GET /health latency over one keep-alive connection while a load runs: if hashing
// ever blocked the server's event loop, these samples would show it.
const http = require('node:http');
const { setTimeout: sleep } = require('node:timers/promises');
const { percentile } = require('./stats');

const INTERVAL_MS = 25;
const MAX_SAMPLES = 10000;

function get(url, agent) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, timeout: 10000 }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode));
    });
    req.once('timeout', () => req.destroy(new Error('timeout')));
    req.once('error', reject);
  });
}

/** Starts sampling; `stop()` ends it and resolves with the latency summary in ms. */
function startHealthProbe(baseUrl) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const latencies = [];
  let failures = 0;
  let running = true;
  const done = (async () => {
    while (running && latencies.length + failures < MAX_SAMPLES) {
      const started = performance.now();
      try {
        const status = await get(`${baseUrl}/health`, agent);
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
        samples: latencies.length,
        failures,
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
        max: latencies.length ? Math.max(...latencies) : NaN,
      };
    },
  };
}

module.exports = { startHealthProbe };
