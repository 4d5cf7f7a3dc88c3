// Why src/config/thread-pool.ts sizes libuv's pool (and PasswordHasher leaves one thread of
// it free): how fast a GET answers while bcrypt keeps every hashing thread busy, with libuv's
// default pool of 4 threads all hashing, against the server's sizing on this machine (one
// thread per core, at least 2, plus one that hashing never takes). Run:
// npx nest build && node bench/workarounds/thread-pool.js
// The script forks itself as the server: a Fastify GET route beside a bcrypt storm at cost 10.
const http = require('node:http');
const { join } = require('node:path');
const { forkServer, inRounds, listen, nextMessage, start } = require('./forked-server');

const SECONDS = 8;
const ROUNDS = 3;
const COST = 10;

async function server(hashing) {
  const bcrypt = require('bcrypt');
  const input = 'a'.repeat(44);
  const hash = await bcrypt.hash(input, COST);
  let compares = 0;
  let running = true;
  const loop = async () => {
    while (running) {
      await bcrypt.compare(input, hash);
      compares += 1;
    }
  };
  const fastify = require('fastify')({ logger: false });
  fastify.get('/health', async () => ({ status: 'ok' }));
  await listen(fastify);
  const loops = Array.from({ length: hashing }, loop);
  let started = performance.now();
  process.on('message', (message) => {
    if (message === 'mark') {
      compares = 0;
      started = performance.now();
      return;
    }
    running = false;
    const perSecond = compares / ((performance.now() - started) / 1000);
    void Promise.all(loops)
      .then(() => fastify.close())
      .then(() => process.send({ perSecond }, () => process.disconnect()));
  });
}

function get(agent, port) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    http
      .get({ host: '127.0.0.1', port, path: '/health', agent }, (response) => {
        response.resume();
        response.on('end', () => resolve(performance.now() - started));
      })
      .on('error', reject);
  });
}

async function measure({ pool, hashing }) {
  const { child, listening } = forkServer(join(__dirname, 'thread-pool.js'), String(hashing), {
    env: { ...process.env, UV_THREADPOOL_SIZE: String(pool) },
  });
  const port = await listening;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const warmUntil = performance.now() + 1000;
  while (performance.now() < warmUntil) await get(agent, port);
  child.send('mark');
  const latencies = [];
  const until = performance.now() + SECONDS * 1000;
  while (performance.now() < until) {
    latencies.push(await get(agent, port));
    await new Promise((resolve) => require('node:timers').setTimeout(resolve, 20));
  }
  const done = nextMessage(child);
  child.send('stop');
  const { perSecond } = await done;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { p50: at(0.5), p99: at(0.99), samples: latencies.length, perSecond };
}

async function main() {
  const { threadPoolSize, hashingThreads } = require(join(__dirname, '../../dist/src/config/thread-pool'));
  const sized = { UV_THREADPOOL_SIZE: '' };
  const setups = [
    { name: "libuv's default", pool: 4, hashing: 4 },
    { name: 'as the server sizes it', pool: threadPoolSize(sized), hashing: hashingThreads(sized) },
  ];
  const results = await inRounds(ROUNDS, setups, measure);
  console.log(`node ${process.version}, ${require('node:os').availableParallelism()} cores, bcrypt cost ${COST}`);
  console.log(`GET /health one at a time, 20 ms apart, for ${SECONDS} s x ${ROUNDS} rounds, during the storm`);
  for (const [setup, runs] of results) {
    const runsText = runs
      .map((r) => `p50 ${r.p50.toFixed(1)} p99 ${r.p99.toFixed(1)} ms, ${r.perSecond.toFixed(1)} compares/s`)
      .join('; ');
    console.log(`${setup.name} (${setup.pool} threads, ${setup.hashing} hashing): ${runsText}`);
  }
}

start((hashing) => server(Number(hashing)), main);
