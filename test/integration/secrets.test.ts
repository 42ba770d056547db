import { readdir, readFile, stat } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type cassandra from 'cassandra-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnCli } from '../support/cli.js';
import { ASTRA_BUNDLE, freshKeyspaceWith, GUARDED, guardedRole, MTLS, MTLS_CERTS, MTLS_KEYSTORE_PASSWORD, SOURCE, testClient } from '../support/clusters.js';

/**
 * Passwords, keys and bundles never appear in what the tool writes: every run below gives one (a target
 * password, a keystore password, a bundle holding a private key), with JSON logs, a metrics file and a
 * report folder, and then every byte of its output, logs, metrics and files is searched for them.
 */
const KS = 'secrets_ks';
const cert = (name: string) => join(MTLS_CERTS, name);
let dir: string;
let secrets: string[];

async function filesUnder(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const name of await readdir(root).catch(() => [] as string[])) {
    const path = join(root, name);
    if ((await stat(path)).isDirectory()) out.push(...(await filesUnder(path)));
    else out.push(path);
  }
  return out;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'migrate-secrets-'));
  const clients: cassandra.Client[] = [await testClient('source'), await testClient('guarded'), await testClient('mtls')];
  try {
    const [source, guarded, mtls] = clients as [cassandra.Client, cassandra.Client, cassandra.Client];
    await freshKeyspaceWith([source, mtls], KS, ['t (id int PRIMARY KEY, v text)']);
    await guarded.execute(`DROP KEYSPACE IF EXISTS ${KS}`);
    await guarded.execute(`CREATE KEYSPACE ${KS} WITH replication = {'class': 'NetworkTopologyStrategy', 'datacenter1': 1}`);
    await guarded.execute(`CREATE TABLE ${KS}.t (id int PRIMARY KEY, v text)`);
    for (let id = 0; id < 30; id++) await source.execute(`INSERT INTO ${KS}.t (id, v) VALUES (?, ?)`, [id, `v${id}`], { prepare: true });
    const role = await guardedRole(guarded);
    // The private keys: one line of each PEM body is enough to recognise them anywhere.
    const keyLine = async (file: string) => (await readFile(cert(file), 'utf8')).split('\n')[1] as string;
    secrets = [role.password, MTLS_KEYSTORE_PASSWORD, await keyLine('client.key'), (await readFile(cert('client.p12'))).subarray(0, 48).toString('latin1')];
  } finally {
    for (const c of clients) await c.shutdown();
  }
});

afterAll(async () => undefined);

describe('secrets', () => {
  it('appear in no output, log, metrics file, run state or report', async () => {
    const common = (name: string) => ['--source', SOURCE, '--keyspace', KS, '--table', 't', '--state-dir', join(dir, 'state'), '--report-dir', join(dir, 'reports', name), '--metrics-file', join(dir, `${name}.prom`), '--log-format', 'json', '--json'];
    const runs = [
      spawnCli(['copy', ...common('guarded'), '--target', GUARDED, '--target-user', 'migrator'], { MIGRATE_TARGET_PASSWORD: secrets[0] as string }),
      spawnCli(['copy', ...common('keystore'), '--target', MTLS, '--target-ca', cert('ca.pem'), '--target-keystore', cert('client.p12')], { MIGRATE_TARGET_KEYSTORE_PASSWORD: MTLS_KEYSTORE_PASSWORD }),
    ];
    for (const run of runs) expect({ code: await run.code, err: run.err().includes('"level":"error"') }).toEqual({ code: 0, err: false });
    const bundle = spawnCli(['validate', ...common('bundle'), '--target-bundle', ASTRA_BUNDLE]);
    expect(await bundle.code).toBe(0);
    const texts: [string, string][] = [...runs, bundle].flatMap((run, i) => [[`stdout ${i}`, run.out()] as [string, string], [`stderr ${i}`, run.err()] as [string, string]]);
    const files = await filesUnder(dir);
    expect(files.filter((f) => f.endsWith('.prom'))).toHaveLength(3);
    expect(files.some((f) => f.endsWith('summary.json'))).toBe(true);
    for (const file of files) texts.push([file, await readFile(file, 'latin1')]);
    for (const [where, text] of texts) {
      for (const secret of secrets) expect({ where, leaked: text.includes(secret) }).toEqual({ where, leaked: false });
    }
  }, 120_000);
});
