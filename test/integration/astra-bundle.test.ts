import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type cassandra from 'cassandra-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Summary } from '../../src/report/summary.js';
import { runCli } from '../support/cli.js';
import { ASTRA_BUNDLE, freshKeyspaceWith, MTLS_CERTS, SOURCE, testClient } from '../support/clusters.js';
import { blankCells, dumpTable, expectSameCells } from '../support/table-dump.js';

/**
 * Astra DB is reached only through a Secure Connect Bundle. The endpoint here is built from real parts
 * (scripts/astra-endpoint.mjs): HAProxy routing TLS by SNI name to the mtls node, an HTTPS metadata
 * service that requires the client certificate, and a bundle for them. Copy and validate through
 * --target-bundle are exact; a bundle that cannot be read, or one with a certificate the endpoint does not
 * trust, ends the run naming the flag; the bundle's key shows nowhere.
 */
const KS = 'astra_bundle';
let source: cassandra.Client;
let target: cassandra.Client;
let stateDir: string;
const job = (command: 'copy' | 'validate', extra: string[] = []) => [command, '--source', SOURCE, '--target-bundle', ASTRA_BUNDLE, '--keyspace', KS, '--table', 't', '--state-dir', stateDir, '--quiet', '--json', ...extra];

beforeAll(async () => {
  expect(existsSync(ASTRA_BUNDLE)).toBe(true);
  source = await testClient('source');
  target = await testClient('mtls');
  await freshKeyspaceWith([source, target], KS, ['t (id int, c int, v text, s set<text>, l list<int>, PRIMARY KEY (id, c))']);
  for (let id = 0; id < 300; id++) {
    await source.execute(`INSERT INTO ${KS}.t (id, c, v, s, l) VALUES (?, ?, ?, ?, ?)`, [id % 60, id, `v${id}`, new Set([`a${id % 3}`]), [id, id + 1]], { prepare: true });
  }
  stateDir = await mkdtemp(join(tmpdir(), 'migrate-astra-'));
});

afterAll(async () => {
  await source?.shutdown();
  await target?.shutdown();
});

describe('a target reached through a Secure Connect Bundle (SNI proxy and metadata service)', () => {
  it('copy --writetime preserve is exact, validate finds it equal, then finds and corrects drift', async () => {
    const copied = await runCli(job('copy', ['--writetime', 'preserve']));
    expect({ code: copied.code, err: copied.err, written: (JSON.parse(copied.out) as Summary).rowsWritten }).toEqual({ code: 0, err: '', written: 300 });
    expectSameCells(blankCells(await dumpTable(source, KS, 't'), { ttl: null }), blankCells(await dumpTable(target, KS, 't'), { ttl: null }));
    const validated = await runCli(job('validate'));
    expect({ code: validated.code, err: validated.err }).toEqual({ code: 0, err: '' });

    await target.execute(`DELETE FROM ${KS}.t USING TIMESTAMP 1 WHERE id = 1 AND c = 1`);
    await source.execute(`UPDATE ${KS}.t SET v = 'changed' WHERE id = 2 AND c = 2`);
    await target.execute(`INSERT INTO ${KS}.t (id, c, v) VALUES (999, 999, 'stray') USING TIMESTAMP 1`);
    const found = await runCli(job('validate', ['--autocorrect', '--delete-extra']));
    const summary = JSON.parse(found.out) as Summary;
    expect({ code: found.code, mismatched: summary.mismatched, extra: summary.extra, corrected: summary.corrected, deleted: summary.deleted }).toEqual({ code: 0, mismatched: 1, extra: 1, corrected: 1, deleted: 1 });
    expectSameCells(blankCells(await dumpTable(source, KS, 't'), { writetime: null, ttl: null }), blankCells(await dumpTable(target, KS, 't'), { writetime: null, ttl: null }));
  });

  it('the bundle\'s private key shows in no output and no file of the run', async () => {
    const run = await runCli(job('validate', ['--run-id', 'secret-check']));
    expect(run.code).toBe(0);
    const keyLine = (await readFile(join(MTLS_CERTS, 'client.key'), 'utf8')).split('\n')[1] as string;
    expect(keyLine.length).toBeGreaterThan(20);
    expect(`${run.out}${run.err}`).not.toContain(keyLine);
    const runDir = join(stateDir, 'runs', 'secret-check');
    for (const file of await readdir(runDir)) expect({ file, leaked: (await readFile(join(runDir, file), 'utf8')).includes(keyLine) }).toEqual({ file, leaked: false });
  });

  it('a bundle that cannot be read: exit 2 naming the flag, within seconds', async () => {
    const started = Date.now();
    const run = await runCli(job('copy').map((a) => (a === ASTRA_BUNDLE ? '/nonexistent/bundle.zip' : a)));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect({ code: run.code, err: run.err }).toEqual({ code: 2, err: 'migrate: --target-bundle /nonexistent/bundle.zip cannot be read: give the Secure Connect Bundle (a zip file) downloaded for the database' });
  });

  it('contact points and a bundle both: exit 2, keep one', async () => {
    const run = await runCli([...job('copy'), '--target', '127.0.0.1:23042']);
    expect({ code: run.code, err: run.err }).toEqual({ code: 2, err: 'migrate: --target and --target-bundle both say where the target is: keep one' });
  });

  it('a bundle whose client certificate the endpoint does not trust: exit 6 naming --target-bundle', async () => {
    const { execFileSync } = await import('node:child_process');
    const dir = await mkdtemp(join(tmpdir(), 'stranger-bundle-'));
    const config = join(dir, 'config.json');
    await writeFile(config, JSON.stringify({ host: '127.0.0.1', port: 23543 }));
    const zip = join(dir, 'stranger.zip');
    const script = 'import sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], "w") as z:\n    for name, path in zip(sys.argv[2::2], sys.argv[3::2]): z.write(path, arcname=name)';
    execFileSync('python3', ['-c', script, zip, 'config.json', config, 'ca.crt', join(MTLS_CERTS, 'ca.pem'), 'cert', join(MTLS_CERTS, 'stranger.pem'), 'key', join(MTLS_CERTS, 'stranger.key')]);
    const run = await runCli(job('copy').map((a) => (a === ASTRA_BUNDLE ? zip : a)));
    expect(run.code).toBe(6);
    expect(run.err).toMatch(new RegExp(`^migrate: cannot connect to the target cluster through the bundle ${zip}: .*; check --target-bundle \\(the database's Secure Connect Bundle`));
  });
});
