import { readdir, readFile } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type cassandra from 'cassandra-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { Summary } from '../../src/report/summary.js';
import { runCli } from '../support/cli.js';
import { freshKeyspaceWith, MTLS, MTLS_CERTS, MTLS_KEYSTORE_PASSWORD, SOURCE, testClient } from '../support/clusters.js';

/**
 * Mutual TLS against a real Cassandra 5.0 node that takes only connections with a client certificate its CA
 * signed (scripts/cassandra.sh start mtls; Azure Managed Instance with client certificates on works so): PEM
 * and PKCS#12 both copy and validate; a missing or foreign certificate, or a wrong keystore password, ends
 * with exit 6 naming the flags; the keystore password never shows.
 */
const KS = 'client_certs';
let source: cassandra.Client;
let target: cassandra.Client;
let stateDir: string;

const cert = (name: string) => join(MTLS_CERTS, name);
const pem = ['--target-ca', cert('ca.pem'), '--target-cert', cert('client.pem'), '--target-key', cert('client.key')];
const p12 = ['--target-ca', cert('ca.pem'), '--target-keystore', cert('client.p12')];
const job = (command: 'copy' | 'validate', tls: string[]) => [command, '--source', SOURCE, '--target', MTLS, '--keyspace', KS, '--table', 't', '--state-dir', stateDir, '--quiet', '--json', ...tls];

beforeAll(async () => {
  source = await testClient('source');
  target = await testClient('mtls');
  await freshKeyspaceWith([source, target], KS, ['t (id int PRIMARY KEY, v text, l list<int>)']);
  for (let id = 0; id < 50; id++) await source.execute(`INSERT INTO ${KS}.t (id, v, l) VALUES (?, ?, ?)`, [id, `v${id}`, [id]], { prepare: true });
  stateDir = await mkdtemp(join(tmpdir(), 'migrate-mtls-'));
});

afterAll(async () => {
  await source?.shutdown();
  await target?.shutdown();
});

describe('client certificates (mutual TLS)', () => {
  it('PEM certificate and key: the copy and a validate go through', async () => {
    const copied = await runCli(job('copy', pem));
    expect({ code: copied.code, err: copied.err, written: (JSON.parse(copied.out) as Summary).rowsWritten }).toEqual({ code: 0, err: '', written: 50 });
    const validated = await runCli(job('validate', pem));
    expect({ code: validated.code, err: validated.err }).toEqual({ code: 0, err: '' });
    expect((await target.execute(`SELECT count(*) FROM ${KS}.t`)).first().get(0).toNumber()).toBe(50);
  });

  it('PKCS#12 with its password from the environment: validate goes through, and the password shows nowhere', async () => {
    const validated = await runCli(job('validate', [...p12, '--run-id', 'p12']), { MIGRATE_TARGET_KEYSTORE_PASSWORD: MTLS_KEYSTORE_PASSWORD });
    expect({ code: validated.code, err: validated.err }).toEqual({ code: 0, err: '' });
    expect(validated.out).not.toContain(MTLS_KEYSTORE_PASSWORD);
    const runDir = join(stateDir, 'runs', 'p12');
    for (const file of await readdir(runDir)) expect({ file, leaked: (await readFile(join(runDir, file), 'utf8')).includes(MTLS_KEYSTORE_PASSWORD) }).toEqual({ file, leaked: false });
  });

  const refused: [string, string[], NodeJS.ProcessEnv, RegExp][] = [
    ['no client certificate', ['--target-ca', cert('ca.pem')], {}, /check --target-cert and --target-key, or --target-keystore: the target cluster requires a client certificate signed by a CA it trusts$/],
    ['a certificate its CA did not sign', ['--target-ca', cert('ca.pem'), '--target-cert', cert('stranger.pem'), '--target-key', cert('stranger.key')], {}, /check --target-cert and --target-key, or --target-keystore: the target cluster requires a client certificate/],
    ['a wrong keystore password', p12, { MIGRATE_TARGET_KEYSTORE_PASSWORD: 'not-it' }, /check --target-keystore and MIGRATE_TARGET_KEYSTORE_PASSWORD$/],
  ];
  for (const [what, tls, env, line] of refused) {
    it(`${what}: exit 6, one line naming the flags`, async () => {
      const err: string[] = [];
      const code = await main(job('copy', tls), { out: () => undefined, err: (t) => err.push(t), env });
      expect({ code, err }).toMatchObject({ code: 6, err: [expect.stringMatching(line)] });
      expect(err[0]).not.toContain('not-it');
    });
  }

  it('a certificate without its key is bad input (exit 2); --help lists the client certificate options', async () => {
    const err: string[] = [];
    expect(await main(job('copy', ['--target-cert', cert('client.pem')]), { out: () => undefined, err: (t) => err.push(t), env: {} })).toBe(2);
    expect(err).toEqual(['migrate: --target-cert needs --target-key: give the client certificate and its private key (PEM files), or a PKCS#12 file with --target-keystore']);
    const help: string[] = [];
    await main(['copy', '--help'], { out: (t) => help.push(t), err: () => undefined, env: {} });
    for (const flag of ['--source-cert', '--source-key', '--source-keystore', '--target-cert', '--target-key', '--target-keystore']) expect(help.join('\n')).toContain(flag);
    expect(help.join('\n')).not.toContain('keystore-password');
  });
});
