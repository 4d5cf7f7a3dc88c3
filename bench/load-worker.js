// The load generator, in its own process so it never shares an event loop with the server
// or the orchestrator. Gets one case over IPC and runs autocannon for warm-up + duration
// seconds without a break; only responses that arrive after the warm-up count. (Two separate
// runs would leave the server working off requests the first run abandoned, which for a
// 50-connection login storm is seconds of bcrypt, during the measured run.)
const autocannon = require('autocannon');
const { requestsFor } = require('./cases');
const { percentile } = require('./stats');

function measure(spec) {
  return new Promise((resolve, reject) => {
    const latencies = [];
    let failed = 0;
    let measuring = spec.warmup === 0;
    let measuredFrom = performance.now();
    if (!measuring) {
      setTimeout(() => {
        measuring = true;
        measuredFrom = performance.now();
        process.send({ type: 'measuring' });
      }, spec.warmup * 1000);
    } else {
      process.send({ type: 'measuring' });
    }
    const instance = autocannon(
      {
        url: spec.baseUrl,
        connections: spec.connections,
        duration: spec.warmup + spec.duration,
        timeout: 30,
        requests: requestsFor(spec.kind, spec),
      },
      (error) => {
        if (error) return reject(error);
        const seconds = (performance.now() - measuredFrom) / 1000;
        resolve({
          rps: latencies.length / seconds,
          p50: percentile(latencies, 50),
          p99: percentile(latencies, 99),
          total: latencies.length,
          failed,
        });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (!measuring) return;
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
      else failed += 1;
    });
    instance.on('reqError', () => {
      if (measuring) failed += 1;
    });
  });
}

process.once('message', (spec) => {
  measure(spec)
    .then((result) => process.send({ type: 'result', ...result }))
    .catch((error) => process.send({ type: 'result', error: error instanceof Error ? error.message : String(error) }))
    .finally(() => process.disconnect());
});
