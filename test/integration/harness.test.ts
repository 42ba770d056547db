import type cassandra from 'cassandra-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Session } from '../../src/connect/session.js';
import { readTableSchema } from '../../src/schema/read-schema.js';
import { formatCqlType } from '../../src/schema/cql-type.js';
import { assertReachable, dropKeyspace, freshSampleSchema, SESSION_DEFAULTS, SOURCE, testClient } from '../support/clusters.js';

const KS = 'harness_shop';

describe('the two test clusters', () => {
  let source: cassandra.Client;
  let target: cassandra.Client;
  beforeAll(async () => {
    source = await testClient('source');
    target = await testClient('target');
  });
  afterAll(async () => {
    await dropKeyspace(source, 'harness_only_here');
    await source.shutdown();
    await target.shutdown();
  });

  it('are separate clusters: a keyspace made on one is absent on the other', async () => {
    await source.execute("CREATE KEYSPACE IF NOT EXISTS harness_only_here WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
    const query = "SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = 'harness_only_here'";
    expect((await source.execute(query)).rowLength).toBe(1);
    expect((await target.execute(query)).rowLength).toBe(0);
    const names = await Promise.all([source, target].map(async (c) => (await c.execute('SELECT cluster_name FROM system.local')).first().get('cluster_name')));
    expect(names).toEqual(['migrate-source', 'migrate-target']);
  });

  it('run Apache Cassandra 5.0', async () => {
    const version = (await source.execute('SELECT release_version FROM system.local')).first().get('release_version') as string;
    expect(version).toMatch(/^5\.0\./);
  });

  it('a cluster that does not answer fails with the address and how to start it', async () => {
    await expect(assertReachable('target', '127.0.0.1:1')).rejects.toThrow(
      /the target test cluster at 127\.0\.0\.1:1 does not answer CQL \(.+\); start it with "bash scripts\/cassandra\.sh start target"/,
    );
  });
});

describe('schema introspection of the sample tables', () => {
  let session: Session;
  beforeAll(async () => {
    const client = await testClient('source');
    await freshSampleSchema(client, KS);
    await client.shutdown();
    session = await Session.open({ side: 'source', contactPoints: SOURCE, ...SESSION_DEFAULTS });
  });
  afterAll(async () => {
    await session?.close();
  });

  it('finds the local data center from the contact point', () => {
    expect(session.localDc).toBe('datacenter1');
  });

  it('orders: key columns in order with clustering order, statics, every native type, UDT, tuple, vector', async () => {
    const schema = await readTableSchema(session, KS, 'orders');
    expect(schema.partitionKey.map((c) => [c.name, c.typeText])).toEqual([['customer_id', 'uuid'], ['region', 'text']]);
    expect(schema.clustering.map((c) => [c.name, c.typeText, c.clusteringOrder])).toEqual([
      ['order_ts', 'timestamp', 'desc'],
      ['order_id', 'timeuuid', 'asc'],
    ]);
    expect(schema.isCounter).toBe(false);
    const kinds = Object.fromEntries(schema.cells.map((c) => [c.name, `${c.kind} ${formatCqlType(c.type)}`]));
    expect(kinds).toEqual({
      client_ip: 'regular inet', code: 'regular ascii', customer_name: 'static text', dims: 'regular frozen<tuple<int, text, float>>',
      embedding: 'regular vector<float, 3>', flags: 'regular tinyint', items: 'regular int', lead_time: 'regular duration',
      loyalty_tier: 'static int', note: 'regular text', paid: 'regular boolean', pickup: 'regular time', priority: 'regular smallint',
      quantity: 'regular bigint', rating: 'regular float', receipt: 'regular blob', serial: 'regular varint', ship_date: 'regular date',
      ship_to: 'regular frozen<address>', total: 'regular decimal', weight: 'regular double',
    });
    const shipTo = schema.cells.find((c) => c.name === 'ship_to');
    expect(shipTo?.type).toEqual({
      kind: 'udt', frozen: true, name: 'address',
      fields: [
        { name: 'street', type: { kind: 'native', name: 'text' } },
        { name: 'city', type: { kind: 'native', name: 'text' } },
        { name: 'zip', type: { kind: 'native', name: 'int' } },
        { name: 'geo', type: { kind: 'tuple', elements: [{ kind: 'native', name: 'double' }, { kind: 'native', name: 'double' }] } },
      ],
    });
  });

  it('profiles: frozen, non-frozen and nested collections and a non-frozen UDT', async () => {
    const schema = await readTableSchema(session, KS, 'profiles');
    expect(schema.partitionKey.map((c) => c.name)).toEqual(['id']);
    expect(schema.clustering).toEqual([]);
    expect(Object.fromEntries(schema.cells.map((c) => [c.name, formatCqlType(c.type)]))).toEqual({
      attrs: 'map<text, int>', history: 'list<frozen<address>>', home: 'address', nested: 'frozen<map<text, frozen<list<int>>>>',
      pairs: 'frozen<set<frozen<tuple<int, text>>>>', scores: 'list<int>', tags: 'set<text>', visits: 'map<date, frozen<set<inet>>>',
    });
  });

  it('page_views: a counter table', async () => {
    const schema = await readTableSchema(session, KS, 'page_views');
    expect(schema.isCounter).toBe(true);
    expect(schema.cells.map((c) => `${c.name} ${c.kind} ${c.typeText}`)).toEqual(['clicks regular counter', 'views regular counter']);
  });

  it('names a missing table or keyspace and the flag to fix', async () => {
    await expect(readTableSchema(session, KS, 'nope')).rejects.toThrow(`table ${KS}.nope does not exist on the source cluster: check --table`);
    await expect(readTableSchema(session, 'no_such_ks', 'x')).rejects.toThrow('keyspace no_such_ks does not exist on the source cluster: check --keyspace');
  });
});
