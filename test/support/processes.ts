import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { HttpClient, httpClient } from './http-client';

/** The compiled entry points; test/support/global-setup.js builds them before the e2e specs. */
const ROOT = join(__dirname, '..', '..');
export const SERVER_ENTRY = join(ROOT, 'dist', 'src', 'main.js');
export const CLI_ENTRY = join(ROOT, 'dist', 'src', 'cli', 'main.js');

export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * A child sees only the settings a test gives it (plus PATH), never the shell's: an
 * ADMIN_PASSWORD or DATABASE_URL exported where jest runs must not change what is tested.
 */
function childEnv(settings: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, NODE_ENV: 'test', BCRYPT_COST: '4', ...settings };
}

/** Every child still running; killChildren() ends them, so a failed test leaves none behind. */
const running = new Set<ChildProcess>();

export interface RunningProcess {
  readonly child: ChildProcess;
  /** Everything written so far (complete once `exited` has resolved). */
  output(): { stdout: string; stderr: string };
  readonly exited: Promise<ProcessResult>;
}

function launch(entry: string, args: string[], settings: Record<string, string>, input?: string): RunningProcess {
  const child = spawn(process.execPath, [entry, ...args], {
    cwd: ROOT,
    env: childEnv(settings),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  // Nothing to read is an empty pipe, as `< /dev/null` gives.
  child.stdin.end(input ?? '');
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<ProcessResult>((resolve, reject) => {
    child.once('error', reject);
    // 'close', not 'exit': by then both pipes are drained, so the output is complete.
    child.once('close', (code, signal) => {
      running.delete(child);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, output: () => ({ stdout, stderr }), exited };
}

async function stop(proc: RunningProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<ProcessResult> {
  const { child } = proc;
  if (child.exitCode !== null || child.signalCode !== null) return proc.exited;
  child.kill(signal);
  const killLater = setTimeout(() => child.kill('SIGKILL'), 5000);
  try {
    return await proc.exited;
  } finally {
    clearTimeout(killLater);
  }
}

/** For afterEach/afterAll: kills whatever a test started and did not stop, even after a failure. */
export async function killChildren(): Promise<void> {
  await Promise.all(
    [...running].map(async (child) => {
      const closed = new Promise((resolve) => child.once('close', resolve));
      child.kill('SIGKILL');
      await closed;
    }),
  );
}

/** Runs `node dist/src/cli/main.js <args>` to completion, as `npm run cli -- <args>` does, with `input` piped to stdin. */
export async function runCli(
  args: string[],
  settings: Record<string, string>,
  { timeoutMs = 20000, input }: { timeoutMs?: number; input?: string } = {},
): Promise<ProcessResult> {
  const cli = launch(CLI_ENTRY, args, settings, input);
  const timer = setTimeout(() => cli.child.kill('SIGKILL'), timeoutMs);
  try {
    const result = await cli.exited;
    if (result.signal === 'SIGKILL') {
      throw new Error(`CLI ${args.join(' ')} did not finish in ${timeoutMs} ms:\n${result.stdout}${result.stderr}`);
    }
    return result;
  } finally {
    clearTimeout(timer);
  }
}

/** A port nothing listens on right now (the server does not report the one PORT=0 gets). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

export interface ServerProcess extends RunningProcess, HttpClient {
  readonly url: string;
  /** SIGTERM (graceful shutdown), SIGKILL if it lingers; resolves with the complete output. */
  stop(): Promise<ProcessResult>;
}

/** Spawns `node dist/src/main.js` on a free port, without waiting for it. */
export async function spawnServer(settings: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  const server = launch(SERVER_ENTRY, [], { PORT: String(port), ...settings });
  const url = `http://127.0.0.1:${port}`;
  return { ...server, ...httpClient(url), url, stop: () => stop(server) };
}

/** Spawns the server and waits until /health answers 200; fails with its output if it exits first. */
export async function startServer(settings: Record<string, string>, timeoutMs = 20000): Promise<ServerProcess> {
  const server = await spawnServer(settings);
  let exitedEarly: ProcessResult | undefined;
  server.exited.then(
    (result) => (exitedEarly = result),
    () => undefined,
  );
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exitedEarly) {
      throw new Error(`server exited (${exitedEarly.code}) before it was ready:\n${exitedEarly.stderr}`);
    }
    const ready = await server.get('/health').then(
      (response) => response.status === 200,
      () => false,
    );
    if (ready) return server;
    await sleep(100);
  }
  await stop(server, 'SIGKILL');
  throw new Error(`server not ready after ${timeoutMs} ms:\n${server.output().stdout}${server.output().stderr}`);
}

/** Polls `check` until it returns a value, for at most `timeoutMs`; undefined when time runs out. */
export async function eventually<T>(check: () => T | undefined, timeoutMs = 5000): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined || Date.now() >= deadline) return value;
    await sleep(50);
  }
}
