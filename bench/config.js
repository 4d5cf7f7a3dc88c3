// Every knob of `npm run bench`, read once from the environment.

function int(name, fallback, min = 1) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer >= ${min}, got "${raw}"`);
  return value;
}

function intList(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const values = raw.split(',').map((part) => Number(part.trim()));
  if (values.some((value) => !Number.isInteger(value) || value < 1)) {
    throw new Error(`${name} must be a comma-separated list of positive integers, got "${raw}"`);
  }
  return values;
}

function readConfig() {
  const databases = (process.env.BENCH_DATABASES || 'sqlite,mariadb').split(',').map((name) => name.trim());
  for (const name of databases) {
    if (!['sqlite', 'mariadb'].includes(name)) throw new Error(`BENCH_DATABASES: unknown database "${name}"`);
  }
  const threadPool = process.env.UV_THREADPOOL_SIZE;
  return {
    /** Full repetitions; every figure reported is the median over them. */
    runs: int('BENCH_RUNS', 3),
    /** Seconds measured per case, after `warmup` seconds that are thrown away. */
    duration: int('BENCH_DURATION', 10),
    warmup: int('BENCH_WARMUP', 2, 0),
    connections: intList('BENCH_CONNECTIONS', [1, 10, 50]),
    /** The login case runs once per cost; every other case at `cost`. */
    loginCosts: intList('BENCH_LOGIN_COSTS', [10, 12]),
    cost: int('BENCH_BCRYPT_COST', 10, 4),
    /** Seeded accounts; logins and sessions rotate through them. */
    users: int('BENCH_USERS', 16),
    /** `mariadb` is skipped (with a note) when nothing listens on 127.0.0.1:3306. */
    databases,
    mysqlPort: int('BENCH_MYSQL_PORT', 3306),
    /**
     * Passed to the server and the bcrypt bound when set; otherwise the server sizes its pool
     * (one thread per core) and the bound gets the same size.
     */
    threadPoolSize: threadPool ? Number(threadPool) : undefined,
    /**
     * The Redis the "REDIS_URL set" cases use (its keys are the service's own: use a database
     * number nothing else does); empty: those cases are skipped, as when nothing answers there.
     */
    redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/14',
    /** Where the report goes; `-` or empty: not written. */
    reportPath: process.env.BENCH_REPORT ?? 'docs/benchmarks.md',
  };
}

module.exports = { readConfig };
