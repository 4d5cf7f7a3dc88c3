import { availableParallelism } from 'node:os';

/**
 * bcrypt runs on libuv's thread pool, 4 threads by default whatever the machine. On 2 cores
 * that is 4 hashing threads against the event loop: in the benchmark's login storm GET
 * /health answered in 30.7 ms p99 with 4 threads and 14.5 ms with 2, at the same bcrypt
 * throughput (31.1 and 31.6 compares/s). One thread per core keeps every core hashing and the
 * event loop its share; on bigger machines it also hashes on more than 4 cores.
 *
 * libuv reads the variable when the pool first starts, so this runs before anything uses it.
 * An explicit UV_THREADPOOL_SIZE (environment or .env) wins.
 */
export function sizeThreadPool(env: NodeJS.ProcessEnv = process.env): void {
  env.UV_THREADPOOL_SIZE ||= String(Math.max(2, availableParallelism()));
}
