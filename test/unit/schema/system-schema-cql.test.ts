import { describe, expect, it } from 'vitest';
import { keyspaceStatements, type KeyspaceRows } from '../../../src/schema/system-schema-cql.js';

// system_schema rows as Cassandra 3.11.19 holds them (read from the v3 test node), trimmed to a few columns.
const OPTIONS_3_11 = {
  bloom_filter_fp_chance: 0.01,
  caching: { keys: 'ALL', rows_per_partition: 'NONE' },
  comment: "it's",
  compaction: { class: 'org.apache.cassandra.db.compaction.SizeTieredCompactionStrategy', max_threshold: '32', min_threshold: '4' },
  compression: { chunk_length_in_kb: '64', class: 'org.apache.cassandra.io.compress.LZ4Compressor' },
  crc_check_chance: 1,
  dclocal_read_repair_chance: 0.1,
  default_time_to_live: 0,
  extensions: {},
  gc_grace_seconds: 864000,
  speculative_retry: '99PERCENTILE',
};
const col = (table: string, column_name: string, kind: string, type: string, position = -1, clustering_order = 'none') => ({ keyspace_name: 'Shop', table_name: table, column_name, kind, type, position, clustering_order });

const rows: KeyspaceRows = {
  keyspace: { keyspace_name: 'Shop', durable_writes: true, replication: { class: 'org.apache.cassandra.locator.NetworkTopologyStrategy', dc1: '3' } },
  // "line" uses "point": it must come after it, whatever the names' order.
  types: [
    { type_name: 'line', field_names: ['from', 'to'], field_types: ['frozen<point>', 'frozen<point>'] },
    { type_name: 'point', field_names: ['x', 'y'], field_types: ['double', 'double'] },
  ],
  tables: [
    { table_name: 'events', flags: ['compound'], id: 'x', ...OPTIONS_3_11 },
    { table_name: 'legacy', flags: ['dense'], ...OPTIONS_3_11 },
  ],
  columns: [
    col('events', 'day', 'partition_key', 'date', 0),
    col('events', 'Kind', 'partition_key', 'text', 1),
    col('events', 'at', 'clustering', 'timeuuid', 0, 'desc'),
    col('events', 'seq', 'clustering', 'int', 1, 'asc'),
    col('events', 'where', 'regular', 'frozen<line>'),
    col('events', 'owner', 'static', 'text'),
    col('by_owner', 'owner', 'partition_key', 'text', 0),
    col('by_owner', 'day', 'clustering', 'date', 0, 'asc'),
    col('by_owner', 'Kind', 'clustering', 'text', 1, 'asc'),
    col('by_owner', 'at', 'clustering', 'timeuuid', 2, 'desc'),
    col('by_owner', 'seq', 'clustering', 'int', 3, 'asc'),
  ],
  indexes: [{ table_name: 'events', index_name: 'events_where', kind: 'COMPOSITES', options: { target: 'values(tags)' } }],
  views: [{ view_name: 'by_owner', base_table_name: 'events', include_all_columns: false, where_clause: 'owner IS NOT NULL', ...OPTIONS_3_11, default_time_to_live: 0 }],
};

describe('CQL built from system_schema rows (sources that cannot DESCRIBE)', () => {
  const elements = keyspaceStatements(rows);
  const statement = (type: string, name: string) => elements.find((e) => e.type === type && e.name === name)?.statement;

  it('lists what DESCRIBE lists, in its order: keyspace, types after those they use, tables, indexes, views', () => {
    expect(elements.map((e) => `${e.type} ${e.name}`)).toEqual(['keyspace Shop', 'type point', 'type line', 'table events', 'table legacy', 'index events_where', 'materialized_view by_owner']);
    expect(statement('keyspace', 'Shop')).toBe(`CREATE KEYSPACE "Shop" WITH replication = {'class': 'org.apache.cassandra.locator.NetworkTopologyStrategy', 'dc1': '3'} AND durable_writes = true;`);
    expect(statement('type', 'line')).toBe('CREATE TYPE "Shop".line (\n    "from" frozen<point>,\n    "to" frozen<point>\n);');
  });

  it('a table: key columns in order, quoted names, statics, the clustering order and every option', () => {
    expect(statement('table', 'events')).toBe(
      [
        'CREATE TABLE "Shop".events (',
        '    day date,',
        '    "Kind" text,',
        '    at timeuuid,',
        '    seq int,',
        '    owner text static,',
        '    "where" frozen<line>,',
        '    PRIMARY KEY ((day, "Kind"), at, seq)',
        ') WITH CLUSTERING ORDER BY (at DESC, seq ASC)',
        '    AND bloom_filter_fp_chance = 0.01',
        "    AND caching = {'keys': 'ALL', 'rows_per_partition': 'NONE'}",
        "    AND comment = 'it''s'",
        "    AND compaction = {'class': 'org.apache.cassandra.db.compaction.SizeTieredCompactionStrategy', 'max_threshold': '32', 'min_threshold': '4'}",
        "    AND compression = {'chunk_length_in_kb': '64', 'class': 'org.apache.cassandra.io.compress.LZ4Compressor'}",
        '    AND crc_check_chance = 1.0',
        '    AND dclocal_read_repair_chance = 0.1',
        '    AND default_time_to_live = 0',
        '    AND gc_grace_seconds = 864000',
        "    AND speculative_retry = '99PERCENTILE';",
      ].join('\n'),
    );
  });

  it('a COMPACT STORAGE table is not created: the refusal names the fix', () => {
    const legacy = elements.find((e) => e.name === 'legacy');
    expect(legacy?.refusal).toBe('table "Shop".legacy uses COMPACT STORAGE, which Cassandra 4.0 and later do not have: run ALTER TABLE "Shop".legacy DROP COMPACT STORAGE on the source (Cassandra 3.11.x), then schema again');
  });

  it('an index on its target, a view with its columns and key, no default TTL', () => {
    expect(statement('index', 'events_where')).toBe('CREATE INDEX events_where ON "Shop".events (values(tags));');
    const view = statement('materialized_view', 'by_owner') as string;
    expect(view.split('\n').slice(0, 6)).toEqual([
      'CREATE MATERIALIZED VIEW "Shop".by_owner AS',
      '    SELECT "Kind", at, day, owner, seq',
      '    FROM "Shop".events',
      '    WHERE owner IS NOT NULL',
      '    PRIMARY KEY (owner, day, "Kind", at, seq)',
      ' WITH CLUSTERING ORDER BY (day ASC, "Kind" ASC, at DESC, seq ASC)',
    ]);
    expect(view).not.toMatch(/default_time_to_live/);
  });
});
