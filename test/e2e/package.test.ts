import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type cassandra from 'cassandra-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Summary } from '../../src/report/summary.js';
import { freshSampleKeyspace, REPO_ROOT, SOURCE, TARGET, testClient } from '../support/clusters.js';

const run = promisify(execFile);

/**
 * The package as `npm pack` makes it (what npm would publish), installed into an empty prefix without dev
 * dependencies by scripts/install-package.sh (the container image is installed by the same script), then run
 * as a user runs it: `--version`, a copy and a validate against the test clusters.
 */
const KS = 'packaged';
let source: cassandra.Client;
let target: cassandra.Client;
let migrate: string;

beforeAll(async () => {
  source = await testClient('source');
  target = await testClient('target');
  await freshSampleKeyspace(source, target, KS, 1);
  const work = await mkdtemp(join(tmpdir(), 'migrate-package-'));
  const { stdout } = await run('npm', ['pack', '--pack-destination', work, '--json'], { cwd: REPO_ROOT });
  const tarball = join(work, (JSON.parse(stdout) as { filename: string }[])[0]?.filename as string);
  await run('bash', [join(REPO_ROOT, 'scripts/install-package.sh'), tarball, join(work, 'prefix')], { maxBuffer: 16 << 20 });
  migrate = join(work, 'prefix', 'bin', 'migrate');
}, 300_000);

afterAll(async () => {
  await source?.shutdown();
  await target?.shutdown();
});

describe('the packed package, installed without dev dependencies', () => {
  it('holds dist/ and the README, no sources or tests, and runtime dependencies only', async () => {
    const installed = join(migrate, '..', '..', 'lib', 'node_modules', 'cql-migrate');
    const manifest = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8')) as { version: string };
    const { stdout } = await run(migrate, ['--version']);
    expect(stdout.trim()).toBe(manifest.version);
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
});
