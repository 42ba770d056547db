import type cassandra from 'cassandra-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSampleSchema } from '../../examples/sample-data.mjs';
import { Session } from '../../src/connect/session.js';
import { describeKeyspace, keyspaceFromSystemSchema } from '../../src/schema/describe.js';
import { planSchema, type SchemaElement } from '../../src/schema/schema-plan.js';
import { runCli } from '../support/cli.js';
import { dropKeyspace, LEGACY, SESSION_DEFAULTS, SOURCE, TARGET, type TestCluster, testClient, V3 } from '../support/clusters.js';

/**
 * migrate schema builds its CQL from system_schema where the source cannot DESCRIBE (3.x). Held against
 * DESCRIBE on the versions that have it: the sample keyspace created in the 5.0 target once from each, and
 * every table, type, index and view compared through the target's system_schema.
 */
const KS = 'schema_rows';
const SOURCES: { name: string; cluster: TestCluster; at: string; vectors: boolean }[] = [
  { name: 'Cassandra 5.0', cluster: 'source', at: SOURCE, vectors: true },
  { name: 'Cassandra 4.1', cluster: 'legacy', at: LEGACY, vectors: false },
];

let target: cassandra.Client;
let targetSession: Session;
beforeAll(async () => {
  target = await testClient('target');
  targetSession = await Session.open({ side: 'target', contactPoints: TARGET, ...SESSION_DEFAULTS });
});
afterAll(async () => {
  await targetSession?.close();
  await target?.shutdown();
});

/** Creates the elements in the target under another keyspace name, as migrate schema --apply would. */
async function createIn(into: string, elements: SchemaElement[]): Promise<void> {
  await dropKeyspace(target, into);
  const plan = planSchema({ sourceKeyspace: KS, targetKeyspace: into, source: elements, target: null, targetDcs: new Map([['datacenter1', 1]]), replication: undefined, targetReleaseMajor: 5 });
  expect(plan.conflicts).toEqual([]);
  for (const statement of plan.statements) await targetSession.changeSchema(statement);
}

/** A keyspace's schema as system_schema holds it, without its name and ids. */
async function schemaRows(keyspace: string): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of ['tables', 'columns', 'types', 'indexes', 'views']) {
    const rows = (await target.execute(`SELECT * FROM system_schema.${table} WHERE keyspace_name = ?`, [keyspace])).rows;
    out[table] = rows
      .map((row) => Object.fromEntries(Object.entries(row).filter(([k]) => !['keyspace_name', 'id', 'base_table_id'].includes(k)).map(([k, v]) => [k, v instanceof Map ? [...v] : v instanceof Set ? [...v] : v])))
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  }
  return out;
}

describe.each(SOURCES)('schema from system_schema against DESCRIBE, on $name', ({ cluster, at, vectors }) => {
  let client: cassandra.Client;
  let session: Session;
  beforeAll(async () => {
    client = await testClient(cluster);
    await dropKeyspace(client, KS);
    await createSampleSchema(client, KS, 1, { vectors });
    session = await Session.open({ side: 'source', contactPoints: at, ...SESSION_DEFAULTS });
  });
  afterAll(async () => {
    await session?.close();
    await client?.shutdown();
  });

  it('creates identical tables, types, indexes and views', async () => {
    const described = (await describeKeyspace(session, KS)) as SchemaElement[];
    const built = await keyspaceFromSystemSchema(session, KS);
    expect(built.map((e) => `${e.type} ${e.name}`)).toEqual(described.map((e) => `${e.type} ${e.name}`));
    await createIn(`${KS}_described`, described);
    await createIn(`${KS}_built`, built);
    const [fromDescribe, fromRows] = [await schemaRows(`${KS}_described`), await schemaRows(`${KS}_built`)];
    expect(fromDescribe.tables?.map((t) => (t as { table_name: string }).table_name)).toEqual(['audit', 'orders', 'page_views', 'profiles', 'users']);
    expect(fromDescribe.views).toHaveLength(1);
    expect(fromDescribe.indexes).toHaveLength(1);
    expect(fromRows).toEqual(fromDescribe);
  });
});

describe('a Cassandra 3.11 table with COMPACT STORAGE', () => {
  it('is refused by migrate schema with the fix, nothing applied', async () => {
    const v3 = await testClient('v3');
    try {
      await dropKeyspace(v3, 'schema_compact');
      await v3.execute("CREATE KEYSPACE schema_compact WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
      await v3.execute('CREATE TABLE schema_compact.thrift_era (k int PRIMARY KEY, v text) WITH COMPACT STORAGE');
      await v3.execute('CREATE TABLE schema_compact.modern (k int PRIMARY KEY, v text)');
      await dropKeyspace(target, 'schema_compact');
      const run = await runCli(['schema', '--source', V3, '--target', TARGET, '--keyspace', 'schema_compact', '--apply']);
      expect(run.code).toBe(2);
      expect(run.out.split('\n').slice(0, 2)).toEqual([
        '-- conflict: table schema_compact.thrift_era uses COMPACT STORAGE, which Cassandra 4.0 and later do not have: run ALTER TABLE schema_compact.thrift_era DROP COMPACT STORAGE on the source (Cassandra 3.11.x), then schema again',
        '-- nothing was applied: the schema never drops or alters what exists; change the target by hand, then run schema again',
      ]);
      expect((await target.execute("SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = 'schema_compact'")).rowLength).toBe(0);
    } finally {
      await v3.shutdown();
    }
  });
});
