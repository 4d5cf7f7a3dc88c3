#!/usr/bin/env node
// `npm run bench`: the hot paths of the service against their bounds (issues 6, 16 and 17).
// Per run and database (SQLite, and MariaDB when 127.0.0.1:3306 answers): a fresh server in
// production mode, seeded through the CLI and driven by autocannon from a separate process,
// with its references measured beside it: bcrypt compares per second through the same thread
// pool (before and after the login cases), and a bare NestJS route that only verifies the JWT,
// in turns with /me, refresh, introspection and JWKS at each connection count. Another process
// on the machine, or a drift in its speed, then skews a case and its reference alike. Figures
// are medians over BENCH_RUNS; knobs: bench/config.js.
const { randomBytes } = require('node:crypto');
const { mkdtempSync, rmSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { URL } = require('node:url');
const { readConfig } = require('./config');
const { describeMachine, waitForQuietCores } = require('./machine');
const { bareSpec, measureInTurns, measureServiceCase, serviceSpec } = require('./measure-case');
const processes = require('./processes');
const { printReport, writeReport } = require('./report');
const { buildIfStale, startService } = require('./service');
const { startSmtpSink } = require('./smtp-sink');
const { summarize } = require('./summary');
const { bcryptBound, nodeBaseThreads, startBareApp } = require('./workers');

const ROOT = path.join(__dirname, '..');
const log = (line) => process.stderr.write(`${line}\n`);
const fmt = (value, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '-');

async function main() {
  const config = readConfig();
  processes.installSignalHandlers();
  buildIfStale();
  const cores = await checkCores();
  const bench = await startBench(config, cores);
  const databases = await reachableDatabases(config);
  bench.redisUrl = await reachableRedis(config);
  let last;
  for (let run = 1; run <= config.runs; run += 1) {
    await benchRun(bench, run, databases);
    last = await reportSoFar(bench, run, databases);
  }
  printReport(last.summary, last.meta);
  return last.summary.allPass;
}

async function checkCores() {
  const cores = await waitForQuietCores();
  if (!cores.quiet) log(`The cores are still ${fmt(cores.busy * 100, 0)}% busy: other work will make the figures low`);
  return cores;
}

/** What every server of the bench shares, and the samples they add to. */
async function startBench(config, cores) {
  const startedAt = new Date();
  const smtp = await startSmtpSink();
  processes.onCleanup(smtp.close);
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'auth-bench-'));
  processes.onCleanup(() => rmSync(workDir, { recursive: true, force: true }));
  const secret = randomBytes(36).toString('base64url'); // 48 characters
  const baseThreads = await nodeBaseThreads();
  const results = { cases: [], health: [], finalRss: [], bounds: [], queries: {}, poolSize: undefined };
  return { config, cores, startedAt, smtp, workDir, secret, baseThreads, results };
}

async function reachableDatabases(config) {
  const databases = [];
  for (const db of config.databases) {
    if (db === 'mariadb' && !(await processes.isReachable(config.mysqlPort))) {
      log(`MariaDB: nothing listens on 127.0.0.1:${config.mysqlPort}; skipped`);
      continue;
    }
    databases.push(db);
  }
  return databases;
}

async function reachableRedis(config) {
  if (!config.redisUrl) return undefined;
  const { hostname, port } = new URL(config.redisUrl);
  if (await processes.isReachable(Number(port || 6379), hostname)) return config.redisUrl;
  log(`Redis: nothing answers at ${hostname}:${port || 6379}; the REDIS_URL cases are skipped`);
  return undefined;
}

/** Per database, one server at the bcrypt cost of every case, then one per other login cost. */
async function benchRun(bench, run, databases) {
  const { config } = bench;
  const kinds = ['refresh', 'me', 'introspect', 'jwks', 'revoke'];
  if (config.loginCosts.includes(config.cost)) kinds.unshift('login');
  for (const db of databases) {
    await benchService(bench, run, db, config.cost, kinds);
    for (const cost of config.loginCosts.filter((c) => c !== config.cost)) {
      await benchService(bench, run, db, cost, ['login']);
    }
  }
}

/** Cases Redis must not slow down: Redis carries revocations, never a per-request lookup. */
const REDIS_TWINNED = ['refresh', 'me'];
/** Cases whose target is a share of the bare JWT route's throughput. */
const BARE_COMPARED = ['refresh', 'me', 'introspect', 'jwks'];

/**
 * One fresh server: its cases, each in turns with what it is compared with. A case held to a
 * share of the bare JWT route runs in turns with a bare app (one per server), and with a Redis
 * to reach, /me and refresh also in turns with a twin server that has REDIS_URL set.
 */
async function benchService(bench, run, db, cost, kinds) {
  const service = await startSeededService(bench, run, db, cost);
  let bare;
  let twin;
  try {
    bench.results.poolSize ??= service.threads() - bench.baseThreads;
    if (bench.redisUrl && kinds.some((kind) => REDIS_TWINNED.includes(kind))) {
      twin = await startSeededService(bench, run, db, cost, bench.redisUrl);
    }
    if (kinds.some((kind) => BARE_COMPARED.includes(kind))) {
      bare = await startBareApp({
        secret: bench.secret,
        poolSize: bench.results.poolSize,
        token: service.sessions[0].access_token,
      });
    }
    for (const kind of kinds) {
      const spec = { run, db, cost, kind };
      if (kind === 'login') {
        await benchLogin(bench, spec, service);
        continue;
      }
      const turns = [serviceSpec(spec, service)];
      if (twin && REDIS_TWINNED.includes(kind)) turns.push(serviceSpec(spec, twin, 'redis'));
      if (BARE_COMPARED.includes(kind)) turns.push(bareSpec(spec, bare, service.sessions, kind));
      await measureInTurns(bench, turns);
    }
    bench.results.finalRss.push({ run, db, cost, rss: service.rssMb() });
  } finally {
    if (bare) await bare.stop();
    if (twin) await twin.stop();
    await service.stop();
  }
}

async function startSeededService({ config, workDir, secret, smtp }, run, db, cost, redisUrl) {
  const setting = redisUrl ? ', REDIS_URL set' : '';
  log(`[run ${run}] ${db}, bcrypt cost ${cost}${setting}: seeding ${config.users} users and starting the server...`);
  return startService({
    redisUrl,
    kind: db,
    cost,
    workDir,
    label: `run${run}-${db}-cost${cost}${redisUrl ? '-redis' : ''}`,
    secret,
    smtpUrl: smtp.url,
    threadPoolSize: config.threadPoolSize,
    mysqlPort: config.mysqlPort,
    users: config.users,
  });
}

/**
 * The login cases between two bcrypt bounds: when other work on the machine comes or goes
 * meanwhile, the better of the two is the bound the logins could have reached.
 */
async function benchLogin(bench, { run, db, cost }, service) {
  const { config, results } = bench;
  const bound = async () => (await bcryptBound(cost, results.poolSize, config.duration)).perSecond;
  const boundBefore = await bound();
  await measureServiceCase(bench, { run, db, cost, kind: 'login' }, service);
  const boundAfter = await bound();
  const perSecond = Math.max(boundBefore, boundAfter);
  results.bounds.push({ run, db, cost, perSecond, concurrency: results.poolSize * 2 });
  log(
    `[run ${run}] ${db} bcrypt bound cost ${cost}, ${results.poolSize} pool threads: ` +
      `${fmt(boundBefore)}/s before, ${fmt(boundAfter)}/s after the login cases`,
  );
}

/** Medians over the runs done so far; written after every run, so an interrupted bench still leaves figures. */
async function reportSoFar(bench, runsDone, databases) {
  const { config } = bench;
  const summary = summarize(bench.results, config);
  const meta = reportMeta(bench, runsDone, databases);
  if (config.reportPath && config.reportPath !== '-') {
    await writeReport(path.resolve(ROOT, config.reportPath), summary, meta);
    log(`Wrote ${config.reportPath} (${runsDone} of ${config.runs} runs)`);
  }
  return { summary, meta };
}

function reportMeta({ config, cores, startedAt, results }, runsDone, databases) {
  return {
    machine: describeMachine(),
    startedAt,
    finishedAt: new Date(),
    cores,
    command: commandLine(),
    config,
    runsDone,
    databases,
    skipped: config.databases.filter((db) => !databases.includes(db)),
    poolSize: results.poolSize,
  };
}

/** The BENCH_* settings in force, then how the bench was started. */
function commandLine() {
  const settings = Object.entries(process.env)
    .filter(([name]) => name.startsWith('BENCH_') || name === 'UV_THREADPOOL_SIZE')
    .map(([name, value]) => `${name}=${value}`)
    .sort();
  const how = process.env.npm_lifecycle_event === 'bench' ? 'npm run bench' : 'node bench/run.js';
  return [...settings, how].join(' ');
}

main()
  .then(async (allPass) => {
    await processes.cleanupAll();
    // Missed targets are figures to report, not a failure of the bench; BENCH_STRICT=1 makes them one.
    process.exitCode = !allPass && process.env.BENCH_STRICT === '1' ? 1 : 0;
  })
  .catch(async (error) => {
    log(`bench failed: ${error instanceof Error ? error.stack : String(error)}`);
    await processes.cleanupAll();
    process.exitCode = 2;
  });
