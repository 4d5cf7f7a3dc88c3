// The service under test: built, seeded through its CLI, started in production mode on a
// fresh database, and observed from outside (RSS, threads, SQL statements run).
const { execFileSync } = require('node:child_process');
const { generateKeyPairSync, randomBytes } = require('node:crypto');
const { readdirSync, readFileSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { setTimeout: sleep } = require('node:timers/promises');
const { INTROSPECTION_CLIENT } = require('./cases');
const { createDatabase } = require('./mariadb');
const {
  HOST,
  cpuSeconds,
  freePort,
  onCleanup,
  request,
  spawnNode,
  stop,
  waitForHttp,
  waitUntilQuiet,
} = require('./processes');

const ROOT = path.join(__dirname, '..');
const CLI = path.join(ROOT, 'dist/src/cli/main.js');
const MAIN = path.join(ROOT, 'dist/src/main.js');
/** The node flags `npm start` runs the server with (the heap limit), so the bench measures the same. */
const START_FLAGS = require('../package.json')
  .scripts.start.split(' ')
  .filter((arg) => arg.startsWith('--'));

function buildIfStale() {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts/build-if-stale.js')], { cwd: ROOT, stdio: 'inherit' });
}

/** A fresh database: a new SQLite file in `workDir`, or a new MariaDB database. */
async function freshDatabase(kind, workDir, label, mysqlPort) {
  if (kind === 'sqlite') {
    const file = path.join(workDir, `${label}.sqlite`);
    return { kind, file, url: `sqlite:${file}`, drop: async () => {} };
  }
  const database = { kind, port: mysqlPort, ...(await createDatabase(mysqlPort)) };
  onCleanup(database.drop); // also dropped when the bench is interrupted
  return database;
}

/**
 * Public keys the JWKS route serves beside the HS256 secret the tokens are signed with, as
 * while moving to asymmetric keys: with a secret alone the key set would be empty.
 */
const PREVIOUS_KEYS = [
  generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  generateKeyPairSync('rsa', { modulusLength: 2048 }),
]
  .map(({ publicKey }) => publicKey.export({ type: 'spki', format: 'pem' }))
  .join('\n');

function serverEnv({ port, databaseUrl, cost, secret, smtpUrl, threadPoolSize, redisUrl }) {
  const env = {
    ...process.env,
    NODE_ENV: 'production',
    PORT: String(port),
    DATABASE_URL: databaseUrl,
    JWT_SECRET: secret,
    JWT_PREVIOUS_KEYS: PREVIOUS_KEYS,
    SMTP_URL: smtpUrl,
    RATE_LIMIT_PER_MINUTE: '0',
    LOG_LEVEL: 'warn',
    BCRYPT_COST: String(cost),
    REFRESH_TOKEN_ROTATION: 'false',
    INTROSPECTION_CLIENTS: `${INTROSPECTION_CLIENT.name}:${INTROSPECTION_CLIENT.secret}`,
    ADMIN_USERNAME: 'bench-admin',
    ADMIN_EMAIL: 'bench-admin@example.com',
    ADMIN_PASSWORD: randomBytes(18).toString('base64url'),
  };
  // Only the cases that ask for Redis get it, whatever the bench was started with.
  if (redisUrl) env.REDIS_URL = redisUrl;
  else delete env.REDIS_URL;
  if (threadPoolSize) env.UV_THREADPOOL_SIZE = String(threadPoolSize);
  else delete env.UV_THREADPOOL_SIZE;
  return env;
}

function runCli(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawnNode([CLI, ...args], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`cli ${args[0]} failed (${code}): ${stderr.trim()}`));
    });
  });
}

/**
 * Creates `count` accounts with final passwords through `create-user`. The first run creates
 * the schema alone; the rest go as many at a time as there are cores.
 */
async function seedUsers(count, env) {
  const users = Array.from({ length: count }, (_, i) => ({
    username: `bench${i + 1}`,
    password: `${randomBytes(12).toString('base64url')}-${i + 1}`,
  }));
  const create = (user) =>
    runCli(
      [
        'create-user',
        '--username',
        user.username,
        '--email',
        `${user.username}@example.com`,
        '--password',
        user.password,
      ],
      env,
    );
  await create(users[0]);
  const parallel = Math.max(1, os.availableParallelism());
  for (let i = 1; i < users.length; i += parallel) await Promise.all(users.slice(i, i + parallel).map(create));
  return users;
}

async function postJson(baseUrl, route, body) {
  const response = await fetch(`${baseUrl}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30000),
  });
  const json = await response.json();
  if (!response.ok) throw new Error(`${route} answered ${response.status}: ${json.message}`);
  return json;
}

/** Seeds users, starts the server and logs every user in once (the sessions /me and refresh use). */
async function startService(options) {
  const { kind, cost, workDir, label, secret, smtpUrl, threadPoolSize, mysqlPort, users, redisUrl } = options;
  const database = await freshDatabase(kind, workDir, label, mysqlPort);
  const port = await freePort();
  const env = serverEnv({ port, databaseUrl: database.url, cost, secret, smtpUrl, threadPoolSize, redisUrl });
  let child;
  try {
    const seeded = await seedUsers(users, env);
    child = spawnNode([...START_FLAGS, '-r', path.join(__dirname, 'query-counter.js'), MAIN], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const baseUrl = `http://${HOST}:${port}`;
    await waitForHttp(`${baseUrl}/health`, child, 120000);
    if (redisUrl) await expectRedisUp(baseUrl);
    const sessions = [];
    for (const user of seeded) {
      const tokens = await postJson(baseUrl, '/v1/login', user);
      sessions.push({
        username: user.username,
        access_token: tokens.access_token,
        refresh_token: tokens.refresh_token,
      });
    }
    return {
      kind,
      cost,
      baseUrl,
      database,
      users: seeded,
      sessions,
      pid: child.pid,
      rssMb: () => rssMb(child.pid),
      waitIdle: () => waitIdle(child.pid),
      threads: () => readdirSync(`/proc/${child.pid}/task`).length,
      queryStats: () => request(child, { type: 'query-stats' }, 5000),
      async stop() {
        await stop(child);
        await database.drop();
      },
    };
  } catch (error) {
    await stop(child);
    await database.drop();
    throw error;
  }
}

/** A case "with Redis" measured on the fallback (Redis configured but down) would say nothing. */
async function expectRedisUp(baseUrl) {
  for (let tries = 0; tries < 50; tries += 1) {
    const ready = await (await fetch(`${baseUrl}/health/ready`)).json();
    if (ready.details?.redis?.status === 'up') return;
    await sleep(100);
  }
  throw new Error('the server started with REDIS_URL does not report Redis up');
}

function rssMb(pid) {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

/**
 * Waits (at most `timeoutMs`) until the server uses under 10% of a core for two 500 ms
 * windows in a row, so one case's leftovers never run into the next case's figures.
 */
async function waitIdle(pid, timeoutMs = 60000) {
  const cpuOver = async (ms) => {
    const before = cpuSeconds(pid);
    await sleep(ms);
    return (cpuSeconds(pid) - before) / (ms / 1000);
  };
  await waitUntilQuiet(cpuOver, { windowMs: 500, limit: 0.1, timeoutMs });
}

module.exports = { buildIfStale, startService };
