// Child processes and ports for the benchmark: every child started here is killed when the
// bench ends, fails or is interrupted, and everything talks to 127.0.0.1 only.
const { fork, spawn } = require('node:child_process');
const { readFileSync } = require('node:fs');
const net = require('node:net');
const { setTimeout: sleep } = require('node:timers/promises');

const HOST = '127.0.0.1';
const CLOCK_TICKS = 100; // USER_HZ: /proc/<pid>/stat counts CPU time in these on Linux
const children = new Set();
const cleanups = [];

function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** A node child with an IPC channel (load generator, bcrypt bound). */
function forkNode(script, args = [], options = {}) {
  return track(fork(script, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], ...options }));
}

function spawnNode(args, options = {}) {
  return track(spawn(process.execPath, args, options));
}

/** Sends one message to a forked child and resolves with its first reply. */
function request(child, message, timeoutMs) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`child ${child.pid} gave no answer in ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (reply) => {
      clearTimeout(timer);
      child.off('exit', onExit);
      if (reply && reply.error) reject(new Error(reply.error));
      else resolve(reply);
    };
    const onExit = (code) => fail(new Error(`child ${child.pid} exited with ${code} before answering`));
    function fail(error) {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      reject(error);
    }
    child.once('message', onMessage);
    child.once('exit', onExit);
    child.send(message);
  });
}

/** Stops one child: SIGTERM, then SIGKILL if it is still there after `graceMs`. */
async function stop(child, graceMs = 5000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** A port that was free a moment ago. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function isReachable(port, host = HOST, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Polls `url` until it answers 2xx, the child dies, or `timeoutMs` passes. */
async function waitForHttp(url, child, timeoutMs = 60000, headers = {}) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url}: the server exited with ${child.exitCode} while starting`);
    try {
      const response = await fetch(url, { headers, signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

/** CPU seconds (user + system, all threads) process `pid` has used. */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/**
 * Reads `busyOver(windowMs)` (how busy something was over that window) until it is under
 * `limit` for two windows in a row, or `timeoutMs` has passed. Returns the last reading, how
 * long it waited, and whether it got there.
 */
async function waitUntilQuiet(busyOver, { windowMs, limit, timeoutMs }) {
  const started = Date.now();
  let quietWindows = 0;
  let last = Infinity;
  while (quietWindows < 2 && Date.now() - started < timeoutMs) {
    last = await busyOver(windowMs);
    quietWindows = last < limit ? quietWindows + 1 : 0;
  }
  return { last, waitedSeconds: (Date.now() - started) / 1000, quiet: quietWindows >= 2 };
}

/** Registers work to undo at the end (drop a database, close the SMTP sink). */
function onCleanup(fn) {
  cleanups.push(fn);
}

async function cleanupAll() {
  await Promise.all([...children].map((child) => stop(child, 3000)));
  while (cleanups.length > 0) {
    const fn = cleanups.pop();
    try {
      await fn();
    } catch (error) {
      process.stderr.write(`cleanup: ${error.message}\n`);
    }
  }
}

/** Kills what is left on Ctrl-C / SIGTERM, and as a last resort when the process exits. */
function installSignalHandlers() {
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: stopping the benchmark's processes...\n`);
      cleanupAll().finally(() => process.exit(130));
    });
  }
  process.once('exit', () => {
    for (const child of children) child.kill('SIGKILL');
  });
}

module.exports = {
  HOST,
  forkNode,
  spawnNode,
  request,
  stop,
  freePort,
  isReachable,
  waitForHttp,
  cpuSeconds,
  waitUntilQuiet,
  onCleanup,
  cleanupAll,
  installSignalHandlers,
};
