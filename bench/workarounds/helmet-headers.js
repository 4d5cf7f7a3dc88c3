// Why src/common/http/security.ts records helmet's headers once: the server CPU per request of
// a Fastify POST route when helmet's middleware sets its headers on every response (with
// res.setHeader) against the same headers recorded at startup and handed to Fastify.
// Run: npx nest build && node bench/workarounds/helmet-headers.js
// The script forks itself as the server, so the load generator's CPU is not counted.
const { join } = require('node:path');
const {
  close,
  forkServer,
  inRounds,
  listen,
  nextMessage,
  postLoadTitle,
  postRefreshes,
  start,
} = require('./forked-server');

const ROUNDS = 3;
const SECONDS = 5;
const CONNECTIONS = 10;
const MODES = ['helmet per request', 'recorded headers'];

async function server(mode) {
  // The server's own options and recorder, compiled, so this measures what ships.
  const { HELMET_OPTIONS, helmetHeaders } = require(join(__dirname, '../../dist/src/common/http/security'));
  const fastify = require('fastify')({ logger: false });
  if (mode === MODES[0]) {
    const middleware = require('helmet')(HELMET_OPTIONS);
    fastify.addHook('onRequest', (request, reply, done) => middleware(request.raw, reply.raw, done));
  } else {
    const headers = helmetHeaders(HELMET_OPTIONS);
    fastify.addHook('onRequest', (_request, reply, done) => {
      void reply.headers(headers);
      done();
    });
  }
  let requests = 0;
  fastify.post('/v1/token-refresh', async () => {
    requests += 1;
    return { access_token: 'a'.repeat(400), id_token: 'b'.repeat(400), expires_in: 86400, token_type: 'Bearer' };
  });
  await listen(fastify);
  let mark = { cpu: process.cpuUsage(), requests };
  process.on('message', (message) => {
    if (message === 'mark') {
      const cpu = process.cpuUsage(mark.cpu);
      process.send({
        micros: (cpu.user + cpu.system) / Math.max(1, requests - mark.requests),
        requests: requests - mark.requests,
      });
      mark = { cpu: process.cpuUsage(), requests };
    } else if (message === 'stop') {
      close(fastify);
    }
  });
}

async function measure(mode) {
  const { child, listening } = forkServer(join(__dirname, 'helmet-headers.js'), mode);
  const port = await listening;
  await postRefreshes(port, CONNECTIONS, 1); // warm-up
  child.send('mark');
  await nextMessage(child);
  const result = await postRefreshes(port, CONNECTIONS, SECONDS);
  child.send('mark');
  const { micros } = await nextMessage(child);
  child.send('stop');
  return { micros, perSecond: result.requests.average };
}

async function main() {
  const results = await inRounds(ROUNDS, MODES, measure);
  console.log(postLoadTitle(CONNECTIONS, SECONDS, ROUNDS));
  for (const [mode, runs] of results) {
    const cpu = runs.map((run) => run.micros.toFixed(0)).join(', ');
    const rate = runs.map((run) => run.perSecond.toFixed(0)).join(', ');
    console.log(`${mode.padEnd(18)} server CPU µs/request: ${cpu}; req/s: ${rate}`);
  }
}

start(server, main);
