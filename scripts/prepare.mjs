// Makes a fresh clone runnable: installs the npm dependencies when they are missing or stale, then builds.
// Runs before `npm test`, `npm run demo` and `npm run bench`, so the quick start needs nothing else.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : 0);

const installed = `${root}node_modules/.package-lock.json`;
if (mtime(installed) < mtime(`${root}package-lock.json`) || !existsSync(`${root}node_modules/.bin/tsc`)) {
  // `npm install` rather than `npm ci`: npm 11 writes lockfiles without the optional per-platform packages
  // (rollup's, esbuild's) that `npm ci` then insists on; install honours the lock and adds the platform's own.
  console.error('Installing npm dependencies (npm install)');
  run('npm', ['install', '--no-audit', '--no-fund']);
}
run(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', 'tsconfig.build.json']);
