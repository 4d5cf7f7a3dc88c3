#!/usr/bin/env node
// `npm run bench`: the hot paths of the service against their bounds (issue 6).
// Per run and database (SQLite, and MariaDB when 127.0.0.1:3306 answers): a fresh server in
// production mode, seeded through the CLI and driven by autocannon from a separate process,
// with its references measured in the same slot while the server idles: bcrypt compares per
// second through the same thread pool (before the login cases) and a bare NestJS route that
// only verifies the JWT (before /me and refresh). Another process on the machine then skews
// a case and its reference alike. Figures are medians over BENCH_RUNS; knobs: bench/config.js.
const { randomBytes } = require('node:crypto');
const { mkdtempSync, rmSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { readConfig } = require('./config');
const { startLatencyProbe, stormProbes } = require('./latency-probe');
const { describeMachine, waitForQuietCores } = require('./machine');
const processes = require('./processes');
const { explain } = require('./query-plans');
const { printReport, summarize, writeReport } = require('./report');
const { buildIfStale, startService } = require('./service');
const { startSmtpSink } = require('./smtp-sink');
const { bcryptBound, nodeBaseThreads, runLoad, startBareApp } = require('./workers');

const ROOT = path.join(__dirname, '..');
const log = (line) => process.stderr.write(`${line}\n`);
const fmt = (value, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '-');

/** Statements per request between two snapshots of the server's query counter. */
function queriesPerRequest(before, after) {
  const requests = after.requests - before.requests;
  if (requests <= 0) return undefined;
  const statements = Object.entries(after.bySql)
    .map(([sql, count]) => ({
      sql,
      params: after.params[sql],
      perRequest: (count - (before.bySql[sql] || 0)) / requests,
    }))
    .filter((statement) => statement.perRequest >= 0.05)
    .sort((a, b) => b.perRequest - a.perRequest);
  return { perRequest: (after.total - before.total) / requests, requests, statements };
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

async function main() {
  const config = readConfig();
  processes.installSignalHandlers();
  buildIfStale();
  const cores = await waitForQuietCores();
  if (!cores.quiet) log(`The cores are still ${fmt(cores.busy * 100, 0)}% busy: other work will make the figures low`);

  const startedAt = new Date();
  const smtp = await startSmtpSink();
  processes.onCleanup(smtp.close);
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'auth-bench-'));
  processes.onCleanup(() => rmSync(workDir, { recursive: true, force: true }));
  const secret = randomBytes(36).toString('base64url'); // 48 characters
  const baseThreads = await nodeBaseThreads();

  const databases = [];
  for (const db of config.databases) {
    if (db === 'mariadb' && !(await processes.isReachable(config.mysqlPort))) {
      log(`MariaDB: nothing listens on 127.0.0.1:${config.mysqlPort}; skipped`);
      continue;
    }
    databases.push(db);
  }

  const maxConnections = Math.max(...config.connections);
  // Statements are counted at one connection count, never the one with the /health probe in it.
  const unprobed = config.connections.filter((c) => c !== maxConnections);
  const countAt = unprobed.includes(10) ? 10 : (unprobed[0] ?? maxConnections);
  const results = { cases: [], health: [], finalRss: [], bounds: [], queries: {}, poolSize: undefined };

  /**
   * One case at every connection count, against the process `pid` (whose CPU per response is
   * read from /proc); `service` (when the target is the service) is observed further.
   */
  async function measureCase({ run, db, cost, kind, target, pid, service }) {
    for (const connections of config.connections) {
      const count = service && run === 1 && connections === countAt;
      const before = count ? await service.queryStats() : undefined;
      let probes = [];
      let cpuAtStart;
      const withProbe = kind === 'login' && connections === maxConnections;
      const spec = { kind, connections, duration: config.duration, warmup: config.warmup, ...target };
      const result = await runLoad(spec, () => {
        cpuAtStart = processes.cpuSeconds(pid);
        if (withProbe) probes = stormProbes(target.sessions[0]).map((r) => startLatencyProbe(target.baseUrl, r));
      });
      const cpuUs = ((processes.cpuSeconds(pid) - cpuAtStart) / result.total) * 1e6;
      const latencies = await Promise.all(probes.map((probe) => probe.stop()));
      if (service) await service.waitIdle(); // requests autocannon abandoned at the end still run
      if (count) {
        const queries = queriesPerRequest(before, await service.queryStats());
        if (queries) {
          const planned = await explain(service.database, queries.statements);
          queries.statements = planned.map(({ sql, perRequest, plan }) => ({ sql, perRequest, plan }));
        }
        results.queries[`${db}|${kind}|${cost}`] = queries;
      }
      const rss = service ? service.rssMb() : NaN;
      results.cases.push({ run, db, kind, cost, connections, rss, cpuUs, ...result });
      for (const latency of latencies) results.health.push({ run, db, cost, connections, ...latency });
      log(
        `[run ${run}] ${db} ${kind}${service ? ` cost ${cost}` : ''} c=${connections}: ${fmt(result.rps)} req/s, ` +
          `p50 ${fmt(result.p50, 2)} ms, p99 ${fmt(result.p99, 2)} ms, CPU ${fmt(cpuUs, 0)} µs/response` +
          (service ? `, RSS ${fmt(rss, 0)} MB` : '') +
          (result.failed ? `, ${result.failed} FAILED` : '') +
          latencies.map((l) => `; ${l.route} p99 ${fmt(l.p99)} ms over ${l.samples} samples`).join(''),
      );
    }
  }

  /** One fresh server: its cases, each after the reference it is compared with. */
  async function benchService(run, db, cost, kinds) {
    log(`[run ${run}] ${db}, bcrypt cost ${cost}: seeding ${config.users} users and starting the server...`);
    const service = await startService({
      kind: db,
      cost,
      workDir,
      label: `run${run}-${db}-cost${cost}`,
      secret,
      smtpUrl: smtp.url,
      threadPoolSize: config.threadPoolSize,
      mysqlPort: config.mysqlPort,
      users: config.users,
    });
    let bare;
    try {
      results.poolSize ??= service.threads() - baseThreads;
      const bound = async () => (await bcryptBound(cost, results.poolSize, config.duration)).perSecond;
      for (const kind of kinds) {
        const boundBefore = kind === 'login' ? await bound() : undefined;
        if ((kind === 'me' || kind === 'refresh') && !bare) {
          bare = await startBareApp({ secret, poolSize: results.poolSize, token: service.sessions[0].access_token });
          const target = { baseUrl: bare.baseUrl, users: [], sessions: service.sessions };
          await measureCase({ run, db, kind: 'bare', target, pid: bare.pid });
        }
        const target = { baseUrl: service.baseUrl, users: service.users, sessions: service.sessions };
        await measureCase({ run, db, cost, kind, target, pid: service.pid, service });
        if (kind === 'login') {
          // Before and after: when other work on the machine comes or goes meanwhile, the better
          // of the two is the bound the logins could have reached.
          const boundAfter = await bound();
          const perSecond = Math.max(boundBefore, boundAfter);
          results.bounds.push({ run, db, cost, perSecond, concurrency: results.poolSize * 2 });
          log(
            `[run ${run}] ${db} bcrypt bound cost ${cost}, ${results.poolSize} pool threads: ` +
              `${fmt(boundBefore)}/s before, ${fmt(boundAfter)}/s after the login cases`,
          );
        }
      }
      results.finalRss.push({ run, db, cost, rss: service.rssMb() });
    } finally {
      if (bare) await bare.stop();
      await service.stop();
    }
  }

  /** Medians over the runs done so far; written after every run, so an interrupted bench still leaves figures. */
  async function report(runsDone) {
    const summary = summarize(results, config);
    const meta = {
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
    if (config.reportPath && config.reportPath !== '-') {
      await writeReport(path.resolve(ROOT, config.reportPath), summary, meta);
      log(`Wrote ${config.reportPath} (${runsDone} of ${config.runs} runs)`);
    }
    return { summary, meta };
  }

  let last;
  for (let run = 1; run <= config.runs; run += 1) {
    for (const db of databases) {
      const kinds = ['refresh', 'me', 'revoke'];
      if (config.loginCosts.includes(config.cost)) kinds.unshift('login');
      await benchService(run, db, config.cost, kinds);
      for (const cost of config.loginCosts.filter((c) => c !== config.cost)) {
        await benchService(run, db, cost, ['login']);
      }
    }
    last = await report(run);
  }
  printReport(last.summary, last.meta);
  return last.summary.allPass;
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
