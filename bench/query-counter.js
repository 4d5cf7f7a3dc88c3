// Preloaded into the benchmarked server (`node -r bench/query-counter.js dist/src/main.js`):
// counts the HTTP requests it receives and the SQL statements it runs, by text, so the bench
// can show queries per request. It only wraps the drivers' entry points (one Map update per
// statement) and answers the bench over the IPC channel; it changes nothing else.
const http = require('node:http');
const path = require('node:path');

const counts = new Map();
/** The parameters each statement was first run with, so the bench can EXPLAIN it. */
const firstParams = new Map();
let total = 0;
let requests = 0;

const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function (event, ...args) {
  if (event === 'request') requests += 1;
  return emit.call(this, event, ...args);
};

function record(sql, params) {
  const text = String(typeof sql === 'string' ? sql : (sql && sql.sql) || '?');
  const count = counts.get(text);
  counts.set(text, (count || 0) + 1);
  if (!count) firstParams.set(text, params);
  total += 1;
}

function fromApp(request) {
  return require(require.resolve(request, { paths: [process.cwd()] }));
}

function wrap(proto, method, getSql) {
  const original = proto[method];
  if (typeof original !== 'function') return;
  proto[method] = function (...args) {
    record(...getSql(this, args));
    return original.apply(this, args);
  };
}

try {
  const Database = fromApp('better-sqlite3');
  const db = new Database(':memory:');
  const statement = Object.getPrototypeOf(db.prepare('SELECT 1'));
  db.close();
  for (const method of ['run', 'get', 'all', 'iterate']) wrap(statement, method, (stmt, args) => [stmt.source, args]);
} catch {
  // better-sqlite3 not installed: nothing to count there
}

try {
  const mysqlRoot = path.dirname(require.resolve('mysql2/package.json', { paths: [process.cwd()] }));
  const BaseConnection = require(path.join(mysqlRoot, 'lib/base/connection.js'));
  for (const method of ['query', 'execute']) {
    wrap(BaseConnection.prototype, method, (_conn, [sql, values]) => [sql, Array.isArray(values) ? values : []]);
  }
} catch {
  // mysql2 not installed or laid out differently: nothing to count there
}

if (process.send) {
  process.on('message', (message) => {
    if (message && message.type === 'query-stats') {
      process.send({
        type: 'query-stats',
        total,
        requests,
        bySql: Object.fromEntries(counts),
        params: Object.fromEntries(firstParams),
      });
    }
  });
  // The channel must not keep the server alive, nor stop it from exiting on SIGTERM.
  process.channel.unref();
}
