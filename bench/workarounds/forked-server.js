// What the scripts here that fork themselves as a Fastify server share: starting as the parent
// or as the server, the fork and its messages, the POST load and the rounds of measurements.
const { fork } = require('node:child_process');

/** Runs `server(mode)` in the process a script forked as its server, `main()` in any other; a failure exits with 1. */
function start(server, main) {
  const run = process.argv[2] === 'server' ? () => server(process.argv[3]) : main;
  run().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}

/** The next message from `child`. */
function nextMessage(child) {
  return new Promise((resolve) => child.once('message', resolve));
}

/** Forks `script` as the server for `mode`: the child, and the port it listens on once it does. */
function forkServer(script, mode, options) {
  const child = fork(script, ['server', mode], options);
  return { child, listening: nextMessage(child).then(({ port }) => port) };
}

/** In the server: listens on a free loopback port and tells the parent which. */
async function listen(fastify) {
  await fastify.listen({ port: 0, host: '127.0.0.1' });
  process.send({ port: fastify.server.address().port });
}

/** In the server: closes it, then lets go of the parent. */
function close(fastify) {
  void fastify.close().then(() => process.disconnect());
}

/** autocannon's figures for `duration` seconds of refresh requests to the server's POST /v1/token-refresh. */
function postRefreshes(port, connections, duration) {
  return require('autocannon')({
    url: `http://127.0.0.1:${port}/v1/token-refresh`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'alice', refresh_token: 'x'.repeat(80) }),
    connections,
    duration,
  });
}

/** The line that says what a POST load measured. */
function postLoadTitle(connections, seconds, rounds) {
  return `node ${process.version}, Fastify POST, ${connections} connections, ${seconds} s x ${rounds} rounds`;
}

/**
 * Measures every mode once a round, the modes taking turns so other work on the machine skews
 * them alike; resolves with each mode and its runs, in the order of `modes`.
 */
async function inRounds(rounds, modes, measure) {
  const runs = modes.map(() => []);
  for (let round = 0; round < rounds; round += 1) {
    for (const [i, mode] of modes.entries()) runs[i].push(await measure(mode));
  }
  return modes.map((mode, i) => [mode, runs[i]]);
}

module.exports = { start, nextMessage, forkServer, listen, close, postRefreshes, postLoadTitle, inRounds };
