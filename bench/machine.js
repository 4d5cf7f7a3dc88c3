// What the figures were measured on.
const { readFileSync } = require('node:fs');
const os = require('node:os');

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

/** 1-minute load average: other work on the machine skews every figure, so it is reported. */
function loadAverage() {
  return os.loadavg()[0];
}

module.exports = { describeMachine, loadAverage };
