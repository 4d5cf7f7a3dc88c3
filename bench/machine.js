// What the figures were measured on, and whether the cores were free when the bench began.
const { readFileSync } = require('node:fs');
const os = require('node:os');
const { setTimeout: sleep } = require('node:timers/promises');
const { waitUntilQuiet } = require('./processes');

function describeMachine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo);
  const memTotal = /^MemTotal:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'));
  return {
    cpu: model ? model[1].trim() : os.cpus()[0]?.model || 'unknown',
    cores: os.availableParallelism(),
    memoryGb: memTotal ? Number(memTotal[1]) / 1024 / 1024 : os.totalmem() / 1024 ** 3,
    node: process.version,
    os: `${os.type()} ${os.release()}`,
  };
}

/** Busy and total jiffies of all cores so far (the `cpu` line of /proc/stat). */
function cpuTimes() {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = fields[3] + fields[4]; // idle + iowait
  const total = fields.reduce((sum, value) => sum + value, 0);
  return { busy: total - idle, total };
}

/** Share of all cores in use over the next `ms`. */
async function busyShare(ms) {
  const before = cpuTimes();
  await sleep(ms);
  const after = cpuTimes();
  return (after.busy - before.busy) / Math.max(1, after.total - before.total);
}

/**
 * Waits (at most `timeoutMs`) until the cores are under 10% busy for two 1-second windows in a
 * row: a build or test run still winding down would otherwise slow the first cases, and a
 * 1-minute load average cannot tell, since it still counts the bench's own build. Returns the
 * share seen last and how long it waited.
 */
async function waitForQuietCores(timeoutMs = 120000) {
  const { last, waitedSeconds, quiet } = await waitUntilQuiet(busyShare, { windowMs: 1000, limit: 0.1, timeoutMs });
  return { busy: last, waitedSeconds, quiet };
}

module.exports = { describeMachine, waitForQuietCores };
