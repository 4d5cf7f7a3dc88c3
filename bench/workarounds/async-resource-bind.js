// Why src/common/http/async-resource-bind.ts replaces AsyncResource#bind: what survives each
// young-generation collection (scavenge) of a Fastify server under POST load, and how long
// the scavenges pause, with Node's own bind and with the replacement (fixAsyncResourceBind).
// Fastify binds one callback per request that has a body. Run:
// npx nest build && node bench/workarounds/async-resource-bind.js
// The script forks itself as the server, under node --trace-gc-nvp, and reads its GC lines.
const { join } = require('node:path');
const { close, forkServer, inRounds, listen, postLoadTitle, postRefreshes, start } = require('./forked-server');

const ROUNDS = 3;
const SECONDS = 5;
const CONNECTIONS = 50;
const MODES = ["Node's bind", 'fixAsyncResourceBind'];

async function server(mode) {
  if (mode === MODES[1]) {
    const { fixAsyncResourceBind } = require(join(__dirname, '../../dist/src/common/http/async-resource-bind'));
    if (!fixAsyncResourceBind()) throw new Error('this Node defines no asyncResource accessor; nothing to measure');
  }
  const fastify = require('fastify')({ logger: false });
  fastify.post('/v1/token-refresh', async (request) => ({
    access_token: 'a'.repeat(400),
    id_token: 'b'.repeat(400),
    expires_in: 86400,
    username: request.body.username,
  }));
  await listen(fastify);
  process.on('message', () => close(fastify));
}

async function measure(mode) {
  const { child, listening } = forkServer(join(__dirname, 'async-resource-bind.js'), mode, {
    execArgv: ['--trace-gc-nvp'],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  let counting = false;
  const scavenges = [];
  let pending = '';
  child.stdout.on('data', (chunk) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop();
    for (const line of lines) {
      if (!counting || !/\bgc=s\b/.test(line)) continue;
      const field = (name) => Number((line.match(new RegExp(`\\b${name}=([\\d.]+)`)) ?? [])[1] ?? 0);
      scavenges.push({ pause: field('pause'), survived: field('promoted') + field('new_space_survived') });
    }
  });
  const port = await listening;
  await postRefreshes(port, CONNECTIONS, 1); // warm-up
  counting = true;
  const result = await postRefreshes(port, CONNECTIONS, SECONDS);
  counting = false;
  child.send('stop');
  await new Promise((resolve) => child.once('exit', resolve));
  const mean = (key) => scavenges.reduce((sum, s) => sum + s[key], 0) / Math.max(1, scavenges.length);
  return { count: scavenges.length, survivedKb: mean('survived') / 1024, pauseMs: mean('pause'), ...result.requests };
}

async function main() {
  const results = await inRounds(ROUNDS, MODES, measure);
  console.log(postLoadTitle(CONNECTIONS, SECONDS, ROUNDS));
  for (const [mode, runs] of results) {
    const runsText = runs
      .map(
        (run) =>
          `${run.survivedKb.toFixed(0)} KB, ${run.pauseMs.toFixed(2)} ms (${run.count}, ${run.average.toFixed(0)}/s)`,
      )
      .join('; ');
    console.log(`${mode.padEnd(20)} per scavenge, survived and pause (scavenges, req/s): ${runsText}`);
  }
}

start(server, main);
