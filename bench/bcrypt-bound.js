// The login bound: bcrypt compares per second at a cost, through libuv's thread pool, with
// nothing else running. Forked with the server's UV_THREADPOOL_SIZE; keeps twice as many
// compares in flight as there are pool threads so the pool never idles.
const bcrypt = require('bcrypt');
const { createHash } = require('node:crypto');
const { readdirSync } = require('node:fs');

// The same input shape the service compares: a base64 SHA-256 pre-hash of the password.
const input = createHash('sha256').update('correct horse battery staple').digest('base64');

async function measure({ cost, seconds, concurrency }) {
  const hash = await bcrypt.hash(input, cost);
  await Promise.all(Array.from({ length: concurrency }, () => bcrypt.compare(input, hash))); // warm-up
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let done = 0;
  const loop = async () => {
    while (performance.now() < deadline) {
      if (!(await bcrypt.compare(input, hash))) throw new Error('bcrypt.compare returned false');
      done += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  const elapsed = (performance.now() - started) / 1000;
  return { perSecond: done / elapsed, compares: done, threads: readdirSync('/proc/self/task').length };
}

process.once('message', (spec) => {
  measure(spec)
    .then((result) => process.send(result))
    .catch((error) => process.send({ error: error instanceof Error ? error.message : String(error) }))
    .finally(() => process.disconnect());
});
