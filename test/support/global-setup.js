// The CLI and first-start tests run the compiled code (dist/) as child processes, exactly as
// `npm run cli` and `npm start` do; build it once per run, and only when a source is newer.
const { execFileSync } = require('node:child_process');
const { join } = require('node:path');

module.exports = function buildCompiledCode() {
  execFileSync(process.execPath, [join(__dirname, '..', '..', 'scripts', 'build-if-stale.js')], {
    cwd: join(__dirname, '..', '..'),
    stdio: 'inherit',
  });
};
