import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, realpath } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type cassandra from 'cassandra-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Summary } from '../../src/report/summary.js';
import { freshSampleKeyspace, REPO_ROOT, SOURCE, TARGET, testClient } from '../support/clusters.js';
import { nodeRelease } from '../support/node-release.js';

const run = promisify(execFile);

/** A Node release with process.execve (22.15 and later), by which the tool gives itself its V8 flags. */
const NODE_WITH_EXECVE = '22.23.5';

/**
 * The package as `npm pack` makes it (what npm would publish), installed into an empty prefix without dev
 * dependencies by scripts/install-package.sh (the container image is installed by the same script), then run
 * as a user runs it: `--version`, a copy and a validate against the test clusters.
 */
const KS = 'packaged';
let source: cassandra.Client;
let target: cassandra.Client;
let migrate: string;
/** The installed package's folder, its version, and the script its `migrate` link runs. */
let installed: string;
let version: string;
let script: string;
let node22: string;

beforeAll(async () => {
  source = await testClient('source');
  target = await testClient('target');
  await freshSampleKeyspace(source, target, KS, 1);
  const work = await mkdtemp(join(tmpdir(), 'migrate-package-'));
  const { stdout } = await run('npm', ['pack', '--pack-destination', work, '--json'], { cwd: REPO_ROOT });
  const tarball = join(work, (JSON.parse(stdout) as { filename: string }[])[0]?.filename as string);
  await run('bash', [join(REPO_ROOT, 'scripts/install-package.sh'), tarball, join(work, 'prefix')], { maxBuffer: 16 << 20 });
  migrate = join(work, 'prefix', 'bin', 'migrate');
  installed = join(work, 'prefix', 'lib', 'node_modules', 'cql-migrate');
  version = (JSON.parse(await readFile(join(installed, 'package.json'), 'utf8')) as { version: string }).version;
  script = await realpath(migrate);
  node22 = await nodeRelease(NODE_WITH_EXECVE);
}, 300_000);

afterAll(async () => {
  await source?.shutdown();
  await target?.shutdown();
});

describe('the packed package, installed without dev dependencies', () => {
  it('holds dist/ and the README, no sources or tests, and runtime dependencies only', async () => {
    const { stdout } = await run(migrate, ['--version']);
    expect(stdout.trim()).toBe(version);
    const { stdout: listing } = await run('find', [installed, '-mindepth', '1', '-maxdepth', '1', '-printf', '%f\\n']);
    expect(listing.split('\n').filter(Boolean).sort()).toEqual(['README.md', 'dist', 'node_modules', 'package.json'].sort());
    const { stdout: modules } = await run('ls', [join(installed, 'node_modules')]);
    for (const devOnly of ['vitest', 'typescript', 'playwright-core']) expect(modules.split('\n')).not.toContain(devOnly);
  });

  it('copies and validates a table against the test clusters', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'migrate-packaged-state-'));
    const args = ['--source', SOURCE, '--target', TARGET, '--keyspace', KS, '--table', 'orders', '--state-dir', stateDir, '--quiet', '--json'];
    const copied = await run(migrate, ['copy', ...args]);
    expect((JSON.parse(copied.stdout) as Summary).rangesFailed).toBe(0);
    const validated = await run(migrate, ['validate', ...args]);
    const summary = JSON.parse(validated.stdout) as Summary;
    expect({ missing: summary.missing, mismatched: summary.mismatched, extra: summary.extra, compared: summary.rowsCompared > 0 }).toEqual({ missing: 0, mismatched: 0, extra: 0, compared: true });
  });

  it("starts under BusyBox's env (Alpine's): the #! line gives env the one argument `node`", async () => {
    const first = (await readFile(script, 'utf8')).split('\n')[0] as string;
    // The kernel runs the #! line's program with the rest of the line as one argument, then the script's path.
    const [, program, argument] = /^#!(\S+)(?:\s+(.*))?$/.exec(first) ?? [];
    expect({ program, argument }).toEqual({ program: '/usr/bin/env', argument: 'node' });
    const { stdout } = await run('busybox', ['env', argument as string, script, '--version']);
    expect(stdout.trim()).toBe(version);
  });

  it(`on Node ${NODE_WITH_EXECVE}, runs with --single-threaded-gc in the process it was started as, and copies`, async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'migrate-node22-state-'));
    const args = ['copy', '--source', SOURCE, '--target', TARGET, '--keyspace', KS, '--table', 'orders', '--state-dir', stateDir, '--quiet', '--json'];
    const child = spawn(node22, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = once(child, 'exit');
    // The pid spawn gave: what a supervisor signals. Its command line changes to the relaunched one.
    let flagged = false;
    for (let polls = 0; polls < 2000 && child.exitCode === null && !flagged; polls++) {
      const cmdline = await readFile(`/proc/${child.pid}/cmdline`, 'utf8').catch(() => '');
      flagged = cmdline.split('\0').includes('--single-threaded-gc');
      if (!flagged) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const [code] = await exited;
    expect({ flagged, code }).toEqual({ flagged: true, code: 0 });
    const summary = JSON.parse(stdout) as Summary;
    expect({ failed: summary.rangesFailed, read: summary.rowsRead > 0, written: summary.rowsWritten }).toEqual({ failed: 0, read: true, written: summary.rowsRead });
  });
});
