// One case at every connection count against one process: autocannon's figures, the CPU the
// process spent per response, the latencies probed during the login storm and, in run 1, the
// SQL statements each request ran.
const { startLatencyProbe, stormProbes } = require('./latency-probe');
const processes = require('./processes');
const { explain } = require('./query-plans');
const { runLoad } = require('./workers');

const log = (line) => process.stderr.write(`${line}\n`);
const fmt = (value, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '-');

/** A case of the service, which is observed further than the process alone. */
async function measureServiceCase(bench, spec, service) {
  await measureInTurns(bench, [serviceSpec(spec, service)]);
}

/**
 * Cases measured in turns at each connection count, each count's turn starting with the next
 * of them: this machine's speed drifts too much between slots minutes apart for a ratio of
 * cases measured minutes apart (a 10% difference, or a case against its reference) to hold.
 */
async function measureInTurns(bench, specs) {
  for (const [index, connections] of bench.config.connections.entries()) {
    const first = index % specs.length;
    for (const spec of [...specs.slice(first), ...specs.slice(0, first)]) await measureAt(bench, spec, connections);
  }
}

/** A case of the service (or of a twin that differs in one setting, `variant`, e.g. `redis`). */
function serviceSpec(spec, server, variant) {
  return { ...spec, variant, pid: server.pid, service: server, target: targetOf(server) };
}

/** The bare JWT route with the service's access tokens, as the reference of the case `beside`. */
function bareSpec({ run, db }, bare, sessions, beside) {
  return { run, db, kind: 'bare', beside, pid: bare.pid, target: { baseUrl: bare.baseUrl, users: [], sessions } };
}

function targetOf(service) {
  return { baseUrl: service.baseUrl, users: service.users, sessions: service.sessions };
}

/** `variant` (e.g. `redis`) names a case whose load is `kind`'s on a differently set up server. */
async function measureAt(bench, { run, db, cost, kind: load, variant, beside, target, pid, service }, connections) {
  const kind = variant ? `${load}+${variant}` : load;
  const { config, results } = bench;
  const counting = service && run === 1 && connections === countedAt(config);
  const before = counting ? await service.queryStats() : undefined;
  const withProbes = kind === 'login' && connections === probedAt(config);
  const { result, cpuUs, latencies } = await runLoadOn(pid, config, { kind: load, connections, target, withProbes });
  if (service) await service.waitIdle(); // requests autocannon abandoned at the end still run
  if (counting) results.queries[`${db}|${kind}|${cost}`] = await statementsSince(before, service);
  const rss = service ? service.rssMb() : NaN;
  results.cases.push({ run, db, kind, beside, cost, connections, rss, cpuUs, ...result });
  for (const latency of latencies) results.health.push({ run, db, cost, connections, ...latency });
  logCase({ run, db, kind, beside, cost, connections, onService: Boolean(service) }, { result, cpuUs, rss, latencies });
}

/** The login storm, with its /health and token-refresh probes, runs at the most connections. */
function probedAt(config) {
  return Math.max(...config.connections);
}

/** Statements are counted at one connection count, never the probed one: the probes' requests would count too. */
function countedAt(config) {
  const unprobed = config.connections.filter((c) => c !== probedAt(config));
  return unprobed.includes(10) ? 10 : (unprobed[0] ?? probedAt(config));
}

/** CPU time and probes start when autocannon's warm-up ends, so neither counts it. */
async function runLoadOn(pid, config, { kind, connections, target, withProbes }) {
  let probes = [];
  let cpuAtStart;
  const spec = { kind, connections, duration: config.duration, warmup: config.warmup, ...target };
  const result = await runLoad(spec, () => {
    cpuAtStart = processes.cpuSeconds(pid);
    if (withProbes) probes = stormProbes(target.sessions[0]).map((r) => startLatencyProbe(target.baseUrl, r));
  });
  const cpuUs = ((processes.cpuSeconds(pid) - cpuAtStart) / result.total) * 1e6;
  const latencies = await Promise.all(probes.map((probe) => probe.stop()));
  return { result, cpuUs, latencies };
}

/** Statements per request since the snapshot `before`, each with the database's plan for it. */
async function statementsSince(before, service) {
  const queries = queriesPerRequest(before, await service.queryStats());
  if (queries) {
    const planned = await explain(service.database, queries.statements);
    queries.statements = planned.map(({ sql, perRequest, plan }) => ({ sql, perRequest, plan }));
  }
  return queries;
}

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

function logCase({ run, db, kind, beside, cost, connections, onService }, { result, cpuUs, rss, latencies }) {
  log(
    `[run ${run}] ${db} ${kind}${beside ? ` (beside ${beside})` : ''}${onService ? ` cost ${cost}` : ''} c=${connections}: ${fmt(result.rps)} req/s, ` +
      `p50 ${fmt(result.p50, 2)} ms, p99 ${fmt(result.p99, 2)} ms, CPU ${fmt(cpuUs, 0)} µs/response` +
      (onService ? `, RSS ${fmt(rss, 0)} MB` : '') +
      (result.failed ? `, ${result.failed} FAILED` : '') +
      latencies.map((l) => `; ${l.route} p99 ${fmt(l.p99)} ms over ${l.samples} samples`).join(''),
  );
}

module.exports = { bareSpec, measureInTurns, measureServiceCase, serviceSpec };
