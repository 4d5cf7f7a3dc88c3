#!/usr/bin/env node
// `npm start` and `npm run cli` run the compiled code; this rebuilds it only when a source
// file is newer than the last build, so a fresh clone works and a second start costs nothing.
const { execFileSync } = require('node:child_process');
const { existsSync, readdirSync, statSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const marker = join(root, 'dist', '.build-stamp');
const sources = ['src', 'ormconfig.ts', 'tsconfig.json', 'tsconfig.build.json', 'nest-cli.json', 'package-lock.json'];

function newestMtime(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, name) => Math.max(newest, newestMtime(join(path, name))), 0);
}

const builtAt = existsSync(marker) ? statSync(marker).mtimeMs : 0;
const stale = sources.some((source) => existsSync(join(root, source)) && newestMtime(join(root, source)) > builtAt);

if (stale) {
  process.stderr.write('Building (sources changed since the last build)...\n');
  execFileSync(process.execPath, [require.resolve('@nestjs/cli/bin/nest.js'), 'build'], {
    cwd: root,
    stdio: 'inherit',
  });
  writeFileSync(marker, new Date().toISOString());
}
