import { describe, expect, it } from 'vitest';
import { planSchema, renameKeyspace, type SchemaElement, type SchemaPlanInput, shapeDifferences } from '../../../src/schema/schema-plan.js';
import { buildTableSchema } from '../../../src/schema/table-schema.js';

const source: SchemaElement[] = [
  { type: 'keyspace', name: 'shop', statement: "CREATE KEYSPACE shop WITH replication = {'class': 'NetworkTopologyStrategy', 'dc_east': '3', 'dc_west': '2'}  AND durable_writes = true;" },
  { type: 'type', name: 'address', statement: 'CREATE TYPE shop.address (\n    street text,\n    city text\n);' },
  { type: 'table', name: 'users', statement: "CREATE TABLE shop.users (\n    id uuid PRIMARY KEY,\n    home address\n) WITH comment = 'copied from shop.users by hand'\n    AND dclocal_read_repair_chance = 0.1\n    AND gc_grace_seconds = 3600;" },
  { type: 'index', name: 'users_by_home', statement: 'CREATE INDEX users_by_home ON shop.users (home);' },
  { type: 'materialized_view', name: 'users_by_x', statement: 'CREATE MATERIALIZED VIEW shop.users_by_x AS\n    SELECT * FROM shop.users\n    WHERE home IS NOT NULL AND id IS NOT NULL\n    PRIMARY KEY (home, id);' },
  { type: 'function', name: 'f', statement: 'CREATE FUNCTION shop.f ...' },
];
const input = (over: Partial<SchemaPlanInput> = {}): SchemaPlanInput => ({
  sourceKeyspace: 'shop', targetKeyspace: 'shop2', source, target: null, targetDcs: new Map([['dc1', 3], ['dc2', 1]]), replication: undefined, targetReleaseMajor: 5, ...over,
});

describe('planSchema', () => {
  it('creates an absent keyspace with the source factor in each target DC (capped at its nodes), then types, tables, indexes and views in order', () => {
    const plan = planSchema(input());
    expect(plan.statements[0]).toBe("CREATE KEYSPACE shop2 WITH replication = {'class': 'NetworkTopologyStrategy', 'dc1': '3', 'dc2': '1'} AND durable_writes = true;");
    expect(plan.statements.slice(1).map((s) => s.split(/[\s(]/).slice(0, 3).join(' '))).toEqual(['CREATE TYPE shop2.address', 'CREATE TABLE shop2.users', 'CREATE INDEX users_by_home', 'CREATE MATERIALIZED VIEW']);
    // the keyspace is renamed where it qualifies a name, never inside a string
    expect(plan.statements[2]).toContain("comment = 'copied from shop.users by hand'");
    expect(plan.statements[4]).toContain('SELECT * FROM shop2.users');
    // an option the target refuses is left out, and said so
    expect(plan.statements[2]).not.toContain('dclocal_read_repair_chance');
    expect(plan.statements[2]).toContain('AND gc_grace_seconds = 3600;');
    expect(plan.notes).toEqual([
      'replication factor 3 of the source is 1 in target data centre dc2: it has 1 node',
      'table users: option dclocal_read_repair_chance left out (removed in Cassandra 4.0; the target does not accept it)',
      'function f is not created: create it by hand if the application needs it',
    ]);
  });

  it('takes --replication as given', () => {
    expect(planSchema(input({ replication: { class: 'SimpleStrategy', replication_factor: 1 } })).statements[0]).toBe(
      "CREATE KEYSPACE shop2 WITH replication = {'class': 'SimpleStrategy', 'replication_factor': '1'} AND durable_writes = true;",
    );
  });

  it('has nothing to do when the target has everything, and reports a type with other fields', () => {
    const target = source.filter((e) => e.type !== 'function').map((e) => ({ ...e, statement: renameKeyspace(e.statement, 'shop', 'shop2') }));
    expect(planSchema(input({ target }))).toMatchObject({ statements: [], conflicts: [] });
    const otherType = target.map((e) => (e.type === 'type' ? { ...e, statement: 'CREATE TYPE shop2.address (street text);' } : e));
    expect(planSchema(input({ target: otherType })).conflicts).toEqual([
      'type shop2.address differs: the source has CREATE TYPE shop2.address ( street text, city text );, the target CREATE TYPE shop2.address (street text);',
    ]);
  });
});

describe('shapeDifferences', () => {
  const table = (rows: [string, string, number, string, string][]) =>
    buildTableSchema('ks', 't', rows.map(([column_name, kind, position, type, clustering_order]) => ({ column_name, kind, position, type, clustering_order })), [], 0);
  it('names columns missing or of another type, role or order; extra target columns are fine', () => {
    const src = table([['id', 'partition_key', 0, 'int', 'none'], ['at', 'clustering', 0, 'timestamp', 'desc'], ['v', 'regular', -1, 'text', 'none'], ['w', 'regular', -1, 'int', 'none']]);
    const tgt = table([['id', 'partition_key', 0, 'int', 'none'], ['at', 'clustering', 0, 'timestamp', 'asc'], ['v', 'regular', -1, 'blob', 'none'], ['extra', 'regular', -1, 'int', 'none']]);
    expect(shapeDifferences(src, tgt)).toEqual([
      'at is timestamp clustering desc in the source, timestamp clustering asc in the target',
      'v is text regular in the source, blob regular in the target',
      'w missing',
    ]);
    expect(shapeDifferences(src, src)).toEqual([]);
  });
});
