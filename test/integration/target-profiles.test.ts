import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type cassandra from 'cassandra-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Summary } from '../../src/report/summary.js';
import { runCli } from '../support/cli.js';
import { ASTRA_BUNDLE, dropKeyspace, freshKeyspaceWith, SOURCE, TARGET, testClient } from '../support/clusters.js';

/**
 * What the target is, detected at connect (or given with --target-profile), says in the run's first line
 * and summary.json and shapes what the tool does. Tested here on real parts: an Apache Cassandra target, an
 * Astra-style endpoint reached through a bundle, and, with the profile given, the decisions that stop a
 * run before anything is written; what only the services could show is unit-tested (profile.test.ts).
 */
const KS = 'profiles_ks';
let source: cassandra.Client;
let target: cassandra.Client;
let stateDir: string;

beforeAll(async () => {
  source = await testClient('source');
  target = await testClient('target');
  await freshKeyspaceWith([source, target], KS, ['t (id int PRIMARY KEY, v text)']);
  for (let id = 0; id < 20; id++) await source.execute(`INSERT INTO ${KS}.t (id, v) VALUES (?, ?)`, [id, `v${id}`], { prepare: true });
  stateDir = await mkdtemp(join(tmpdir(), 'migrate-profiles-'));
});
afterAll(async () => {
  await source?.shutdown();
  await target?.shutdown();
});

const job = (command: string, extra: string[]) => [command, '--source', SOURCE, '--target', TARGET, '--keyspace', KS, '--table', 't', '--state-dir', stateDir, '--quiet', ...extra];

describe('target profiles', () => {
  it('an Apache Cassandra target is named with its version in the first line and in summary.json', async () => {
    const text = await runCli(job('copy', []));
    expect(text.code).toBe(0);
    expect(text.out.split('\n')[0]).toMatch(/^copy profiles_ks\.t -> profiles_ks\.t \(run copy-\S+; target Apache Cassandra 5\.0\.\d+\)$/);
    const json = await runCli(job('validate', ['--json']));
    expect((JSON.parse(json.out) as Summary).targetProfile).toMatch(/^Apache Cassandra 5\.0\.\d+$/);
  });

  it('a target reached through a Secure Connect Bundle is Astra DB', async () => {
    const mtls = await testClient('mtls');
    try {
      await freshKeyspaceWith([mtls], KS, ['t (id int PRIMARY KEY, v text)']);
    } finally {
      await mtls.shutdown();
    }
    const run = await runCli(['copy', '--source', SOURCE, '--target-bundle', ASTRA_BUNDLE, '--keyspace', KS, '--table', 't', '--state-dir', stateDir, '--quiet', '--json']);
    expect({ code: run.code, err: run.err }).toEqual({ code: 0, err: '' });
    expect((JSON.parse(run.out) as Summary).targetProfile).toBe('Astra DB');
  });

  it('a service without lightweight transactions everywhere (Cosmos DB) refuses the shared ledger, before anything is written', async () => {
    const run = await runCli(job('copy', ['--target-profile', 'cosmos', '--state', 'cassandra:profiles_ledger']));
    expect({ code: run.code, err: run.err }).toEqual({
      code: 2,
      err: 'migrate: --state cassandra keeps claims and locks with lightweight transactions, which Azure Cosmos DB for Apache Cassandra does not offer everywhere: keep the run state locally (--state-dir), one process per run or --shard across machines',
    });
    expect((await target.execute("SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = 'profiles_ledger'")).rowLength).toBe(0);
  });

  it('migrate schema: no CREATE KEYSPACE where the service makes keyspaces in its console (Astra); Cosmos DB\'s per-cell options on each table', async () => {
    await dropKeyspace(target, `${KS}_new`);
    const astra = await runCli(['schema', '--source', SOURCE, '--target', TARGET, '--keyspace', KS, '--target-keyspace', `${KS}_new`, '--target-profile', 'astra', '--apply']);
    expect(astra.code).toBe(2);
    expect(astra.out.split('\n')[0]).toBe(`-- conflict: keyspace ${KS}_new does not exist in the target, and Astra DB creates keyspaces in its console only: create it there, then run schema again`);
    expect((await target.execute(`SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = '${KS}_new'`)).rowLength).toBe(0);
    const cosmos = await runCli(['schema', '--source', SOURCE, '--target', TARGET, '--keyspace', KS, '--target-keyspace', `${KS}_new`, '--target-profile', 'cosmos']);
    expect(cosmos.code).toBe(0);
    const createTable = cosmos.out.slice(cosmos.out.indexOf('CREATE TABLE'));
    expect(createTable).toMatch(/AND cosmosdb_cell_level_timestamp = true\n\s+AND cosmosdb_cell_level_timestamp_tombstones = true\n\s+AND cosmosdb_cell_level_timetolive = true;/);
  });

  it('an unknown profile: exit 2 naming the choices', async () => {
    const run = await runCli(job('copy', ['--target-profile', 'mongo']));
    expect({ code: run.code, err: run.err }).toEqual({ code: 2, err: 'migrate: --target-profile: use one of cassandra, dse, astra, cosmos, keyspaces, scylla' });
  });
});
