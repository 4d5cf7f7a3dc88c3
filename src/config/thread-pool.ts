import { availableParallelism } from 'node:os';

/**
 * bcrypt runs on libuv's thread pool, 4 threads by default whatever the machine. On 2 cores
 * that is 4 hashing threads against the event loop: in the benchmark's login storm GET
 * /health answered in 30.7 ms p99 with 4 threads and 14.5 ms with 2, at the same bcrypt
 * throughput (31.1 and 31.6 compares/s). So hashing gets one thread per core, which keeps
 * every core hashing and the event loop its share, and the pool one thread more, which
 * hashing never takes (see PasswordHasher): DNS lookups and file work, which share the pool,
 * then never queue behind a login storm.
 *
 * libuv reads the variable when the pool first starts, so this runs before anything uses it.
 * An explicit UV_THREADPOOL_SIZE (environment or .env) wins.
 */
export function sizeThreadPool(env: NodeJS.ProcessEnv = process.env): void {
  env.UV_THREADPOOL_SIZE ||= String(threadPoolSize(env));
}

export function threadPoolSize(env: NodeJS.ProcessEnv = process.env): number {
  const configured = Number.parseInt(env.UV_THREADPOOL_SIZE ?? '', 10);
  return configured > 0 ? configured : Math.max(2, availableParallelism()) + 1;
}

/** Threads bcrypt may occupy at once: all of the pool but one. */
export function hashingThreads(env: NodeJS.ProcessEnv = process.env): number {
  return Math.max(1, threadPoolSize(env) - 1);
}
