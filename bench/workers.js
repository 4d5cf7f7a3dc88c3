// The benchmark's helper processes: the load generator, the bcrypt bound and the bare app.
const path = require('node:path');
const processes = require('./processes');

/** Runs one autocannon case in a forked worker; `onMeasuring` fires when the warm-up is over. */
function runLoad(spec, onMeasuring) {
  const child = processes.forkNode(path.join(__dirname, 'load-worker.js'));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => {
        child.kill('SIGKILL');
        reject(new Error(`${spec.kind}: load worker did not finish in time`));
      },
      (spec.warmup + spec.duration) * 1000 + 60000,
    );
    child.on('message', (message) => {
      if (message.type === 'measuring') {
        if (onMeasuring) onMeasuring();
      } else if (message.type === 'result') {
        clearTimeout(timer);
        if (message.error) reject(new Error(`${spec.kind}: ${message.error}`));
        else resolve(message);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${spec.kind}: load worker exited with ${code}`));
    });
    child.send(spec);
  });
}

function forkBound(poolSize) {
  return processes.forkNode(path.join(__dirname, 'bcrypt-bound.js'), [], {
    env: { ...process.env, UV_THREADPOOL_SIZE: String(poolSize) },
  });
}

/** Threads a node process has besides its libuv pool (same binary, so the same for the server). */
async function nodeBaseThreads() {
  const { threads } = await processes.request(forkBound(1), { cost: 4, seconds: 0, concurrency: 1 }, 30000);
  return threads - 1;
}

/** bcrypt compares per second at `cost` through a pool of `poolSize` threads, twice as many in flight. */
async function bcryptBound(cost, poolSize, seconds) {
  const concurrency = poolSize * 2;
  const spec = { cost, seconds, concurrency };
  const result = await processes.request(forkBound(poolSize), spec, seconds * 1000 + 120000);
  return { ...result, concurrency };
}

/** Starts bench/bare-jwt-app.js; `token` is an access token it must accept. */
async function startBareApp({ secret, poolSize, token }) {
  const port = await processes.freePort();
  const child = processes.spawnNode([path.join(__dirname, 'bare-jwt-app.js')], {
    env: { ...process.env, PORT: String(port), JWT_SECRET: secret, UV_THREADPOOL_SIZE: String(poolSize) },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const baseUrl = `http://${processes.HOST}:${port}`;
  try {
    await processes.waitForHttp(`${baseUrl}/bare/jwt`, child, 60000, { authorization: `Bearer ${token}` });
  } catch (error) {
    await processes.stop(child);
    throw error;
  }
  return { baseUrl, pid: child.pid, stop: () => processes.stop(child) };
}

module.exports = { runLoad, nodeBaseThreads, bcryptBound, startBareApp };
