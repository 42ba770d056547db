import { describe, expect, it } from 'vitest';
import { buildReadPlan, type RawRow } from '../../../src/read/select.js';
import { joinCollection } from '../../../src/read/serialized.js';
import { MutationBuilder, type WriteMode } from '../../../src/write/mutations.js';
import { counterStatement } from '../../../src/write/counters.js';
import { big, int, schemaOf, text } from '../../support/schemas.js';
import { TargetTable } from '../../../src/schema/target-table.js';

const schema = schemaOf(
  [
    ['pk', 'partition_key', 'int', 0],
    ['ck', 'clustering', 'text', 0],
    ['s', 'static', 'text'],
    ['a', 'regular', 'text'],
    ['b', 'regular', 'int'],
    ['tags', 'regular', 'set<text>'],
    ['l', 'regular', 'list<int>'],
    ['u', 'regular', 'addr'],
  ],
  [{ name: 'addr', fields: [{ name: 'city', typeText: 'text' }, { name: 'zip', typeText: 'int' }] }],
);
const target = new TargetTable('tks', 'tt', new Map([['a', 'a2']]));
const preserve: WriteMode = { writetime: 'preserve', stamp: 1000n, ttl: 'preserve', guardLists: true, liveSince: null };
const plan = buildReadPlan(schema, { writetimes: true, ttls: true });
const slot = (name: string) => plan.cells.find((c) => c.column.name === name)!;

/** A raw row in plan order: pk, ck, then per cell value, writetime, ttl. */
function row(cells: Record<string, [Buffer | null, Buffer | null, Buffer | null]>, ck: Buffer | null = text('c1')): RawRow {
  const out: RawRow = new Array(plan.aliases.length).fill(null);
  out[plan.keySlots[0]!] = int(7);
  out[plan.keySlots[1]!] = ck;
  for (const [name, [value, wt, ttl]] of Object.entries(cells)) {
    const s = slot(name);
    out[s.value] = value;
    out[s.writetime!] = wt;
    out[s.ttl!] = ttl;
  }
  return out;
}

describe('MutationBuilder', () => {
  it('groups cells by (writetime, ttl) and names target columns; the oldest group is an INSERT carrying the row marker', () => {
    const b = new MutationBuilder(schema, plan, preserve, target);
    const m = b.rowMutations(row({ a: [text('x'), big(5n), null], b: [int(1), big(8n), int(60)], s: [text('st'), big(9n), int(100)] }), false);
    expect(m).toEqual([
      { query: 'INSERT INTO tks.tt (pk, ck, a2) VALUES (?, ?, ?) USING TIMESTAMP ? AND TTL ?', params: [int(7), text('c1'), text('x'), big(5n), int(0)] },
      { query: 'UPDATE tks.tt USING TIMESTAMP ? AND TTL ? SET b = ? WHERE pk = ? AND ck = ?', params: [big(8n), int(60), int(1), int(7), text('c1')] },
    ]);
  });

  it('writes statics only with the first row of a partition, on the partition key alone; their TTL never ends the row', () => {
    const b = new MutationBuilder(schema, plan, preserve, target);
    expect(b.rowMutations(row({ s: [text('st'), big(9n), int(100)] }), true)).toEqual([
      { query: 'UPDATE tks.tt USING TIMESTAMP ? AND TTL ? SET s = ? WHERE pk = ?', params: [big(9n), int(100), text('st'), int(7)] },
      { query: 'INSERT INTO tks.tt (pk, ck) VALUES (?, ?) USING TIMESTAMP ? AND TTL ?', params: [int(7), text('c1'), big(1000n), int(0)] },
    ]);
    expect(b.rowMutations(row({ s: [text('st'), big(9n), int(100)] }), false)).toHaveLength(1);
  });

  it('a partition holding only its static row: statics, no row marker', () => {
    const b = new MutationBuilder(schema, plan, preserve, target);
    const m = b.rowMutations(row({ s: [text('st'), big(9n), null] }, null), true);
    expect(m.map((x) => x.query)).toEqual(['UPDATE tks.tt USING TIMESTAMP ? AND TTL ? SET s = ? WHERE pk = ?']);
  });

  it('nulls are left unset: a row of key columns only gets just its marker, at the stamp', () => {
    const b = new MutationBuilder(schema, plan, preserve, target);
    expect(b.rowMutations(row({}), true)).toEqual([{ query: 'INSERT INTO tks.tt (pk, ck) VALUES (?, ?) USING TIMESTAMP ? AND TTL ?', params: [int(7), text('c1'), big(1000n), int(0)] }]);
  });

  it('set elements keep their own writetimes and TTLs; the oldest group replaces, later groups add', () => {
    const b = new MutationBuilder(schema, plan, preserve, target);
    const tags = joinCollection([text('a'), text('b'), text('c')]);
    const m = b.rowMutations(row({ tags: [tags, joinCollection([big(8n), big(3n), big(8n)]), joinCollection([int(50), int(0), int(50)])] }), false);
    expect(m).toEqual([
      { query: 'INSERT INTO tks.tt (pk, ck, tags) VALUES (?, ?, ?) USING TIMESTAMP ? AND TTL ?', params: [int(7), text('c1'), joinCollection([text('b')]), big(3n), int(0)] },
      { query: 'UPDATE tks.tt USING TIMESTAMP ? AND TTL ? SET tags = tags + ? WHERE pk = ? AND ck = ?', params: [big(8n), int(50), joinCollection([text('a'), text('c')]), int(7), text('c1')] },
    ]);
  });

  it('lists: history elements cleared below their oldest stamp, then prepended in runs of equal stamp, guarded on a rerun', () => {
    const b = new MutationBuilder(schema, plan, preserve, target);
    const m = b.rowMutations(row({ l: [joinCollection([int(1), int(2), int(3)]), joinCollection([big(4n), big(4n), big(6n)]), joinCollection([int(0), int(0), int(0)])] }), false);
    const lists = m.filter((x) => x.listGuard);
    expect(lists.map((x) => [x.query, x.params])).toEqual([
      ['DELETE l FROM tks.tt USING TIMESTAMP ? WHERE pk = ? AND ck = ?', [big(3n), int(7), text('c1')]],
      // the later run first: each prepend sorts before the one sent before it
      ['UPDATE tks.tt USING TIMESTAMP ? AND TTL ? SET l = ? + l WHERE pk = ? AND ck = ?', [big(6n), int(0), joinCollection([int(3)]), int(7), text('c1')]],
      ['UPDATE tks.tt USING TIMESTAMP ? AND TTL ? SET l = ? + l WHERE pk = ? AND ck = ?', [big(4n), int(0), joinCollection([int(1), int(2)]), int(7), text('c1')]],
    ]);
    expect(lists[0]!.listGuard).toMatchObject({ stamps: new Set([4n, 6n]), params: [int(7), text('c1')] });
    expect(lists[0]!.listGuard!.query).toMatch(/^SELECT WRITETIME\(l\) AS ".0" FROM tks\.tt WHERE pk = \? AND ck = \?$/);
  });

  it('job-start mode: a list element appended through the proxy (newer than the stamp) is not written again', () => {
    const b = new MutationBuilder(schema, plan, { writetime: 'stamp', stamp: 1000n, ttl: 'preserve', guardLists: false, liveSince: null }, target);
    // source l = [1, 2, 3]: 1 and 2 are history, 3 was appended live at 5000 and is in the target already
    const m = b.rowMutations(row({ l: [joinCollection([int(1), int(2), int(3)]), joinCollection([big(10n), big(20n), big(5000n)]), null] }), false);
    expect(m.filter((x) => /\bl\b/.test(x.query)).map((x) => [x.query, x.params])).toEqual([
      ['DELETE l FROM tks.tt USING TIMESTAMP ? WHERE pk = ? AND ck = ?', [big(999n), int(7), text('c1')]],
      ['UPDATE tks.tt USING TIMESTAMP ? AND TTL ? SET l = ? + l WHERE pk = ? AND ck = ?', [big(1000n), int(0), joinCollection([int(1), int(2)]), int(7), text('c1')]],
    ]);
    expect(m.every((x) => !x.listGuard)).toBe(true);
  });

  it('job-start mode: a list of history only is written as read (its own bytes, one prepend), a list with TTLs element by element', () => {
    const b = new MutationBuilder(schema, plan, { writetime: 'stamp', stamp: 1000n, ttl: 'preserve', guardLists: true, liveSince: null }, target);
    const list = joinCollection([int(1), int(2), int(3)]);
    const history = b.rowMutations(row({ l: [list, joinCollection([big(10n), big(20n), big(1000n)]), joinCollection([null, null, null])] }), false);
    const written = history.filter((x) => /\bl\b/.test(x.query));
    expect(written.map((x) => [x.query, x.params])).toEqual([
      ['DELETE l FROM tks.tt USING TIMESTAMP ? WHERE pk = ? AND ck = ?', [big(999n), int(7), text('c1')]],
      ['UPDATE tks.tt USING TIMESTAMP ? AND TTL ? SET l = ? + l WHERE pk = ? AND ck = ?', [big(1000n), int(0), list, int(7), text('c1')]],
    ]);
    expect(written[1]!.params[2]).toBe(list);
    expect(written.map((x) => x.listGuard?.stamps)).toEqual([new Set([1000n]), new Set([1000n])]);
    // the list keeps the row alive without a TTL: the marker (with the row's other cells) has none
    expect(history.find((x) => x.query.startsWith('INSERT'))?.params.at(-1)).toEqual(int(0));

    const expiring = b.rowMutations(row({ l: [list, joinCollection([big(10n), big(20n), big(30n)]), joinCollection([int(60), int(60), null])] }), false);
    expect(expiring.filter((x) => x.query.includes('SET l = ? + l')).map((x) => x.params.slice(0, 3))).toEqual([
      [big(1000n), int(0), joinCollection([int(3)])],
      [big(1000n), int(60), joinCollection([int(1), int(2)])],
    ]);
  });

  it('job-start mode, first run: a history list is cleared by `l = null` in the row\'s INSERT (a tombstone at stamp - 1), else by its own DELETE', () => {
    const b = new MutationBuilder(schema, plan, { writetime: 'stamp', stamp: 1000n, ttl: 'preserve', guardLists: false, liveSince: null }, target);
    const list = joinCollection([int(1), int(2)]);
    const history = joinCollection([big(10n), big(20n)]);
    const noTtls = joinCollection([null, null]);
    expect(b.rowMutations(row({ a: [text('x'), big(5n), null], l: [list, history, noTtls] }), false)).toEqual([
      { query: 'UPDATE tks.tt USING TIMESTAMP ? AND TTL ? SET l = ? + l WHERE pk = ? AND ck = ?', params: [big(1000n), int(0), list, int(7), text('c1')] },
      { query: 'INSERT INTO tks.tt (pk, ck, a2, l) VALUES (?, ?, ?, ?) USING TIMESTAMP ? AND TTL ?', params: [int(7), text('c1'), text('x'), null, big(1000n), int(0)] },
    ]);
    // No other cell at the stamp without a TTL: the tombstone is a DELETE, the marker its own INSERT.
    expect(b.rowMutations(row({ b: [int(1), big(5n), int(60)], l: [list, history, noTtls] }), false).map((m) => [m.query, m.params])).toEqual([
      ['UPDATE tks.tt USING TIMESTAMP ? AND TTL ? SET l = ? + l WHERE pk = ? AND ck = ?', [big(1000n), int(0), list, int(7), text('c1')]],
      ['DELETE l FROM tks.tt USING TIMESTAMP ? WHERE pk = ? AND ck = ?', [big(999n), int(7), text('c1')]],
      ['INSERT INTO tks.tt (pk, ck, b) VALUES (?, ?, ?) USING TIMESTAMP ? AND TTL ?', [int(7), text('c1'), int(1), big(1000n), int(60)]],
    ]);
  });

  it('preserve mode with --live-since leaves out elements written since the proxy went live', () => {
    const b = new MutationBuilder(schema, plan, { ...preserve, guardLists: false, liveSince: 100n }, target);
    const m = b.rowMutations(row({ l: [joinCollection([int(1), int(3)]), joinCollection([big(10n), big(500n)]), joinCollection([int(0), int(0)])] }), false);
    expect(m.filter((x) => x.query.includes('SET l = ? + l')).map((x) => x.params[2])).toEqual([joinCollection([int(1)])]);
  });

  it('non-frozen UDTs are written field by field', () => {
    const b = new MutationBuilder(schema, plan, preserve, target);
    const u = Buffer.concat([int(4), text('Lyon'), int(-1)]);
    const [m] = b.rowMutations(row({ u: [u, joinCollection([big(2n), big(2n)]), joinCollection([int(0), int(0)])] }), false);
    expect(m).toEqual({ query: 'UPDATE tks.tt USING TIMESTAMP ? AND TTL ? SET u.city = ? WHERE pk = ? AND ck = ?', params: [big(2n), int(0), text('Lyon'), int(7), text('c1')] });
  });

  it('job-start mode stamps every cell alike; --ttl none drops TTLs', () => {
    const b = new MutationBuilder(schema, plan, { writetime: 'stamp', stamp: 1000n, ttl: 'none', guardLists: false, liveSince: null }, target);
    const m = b.rowMutations(row({ a: [text('x'), big(5n), int(30)], b: [int(1), big(6n), null] }), false);
    expect(m).toEqual([{ query: 'INSERT INTO tks.tt (pk, ck, a2, b) VALUES (?, ?, ?, ?) USING TIMESTAMP ? AND TTL ?', params: [int(7), text('c1'), text('x'), int(1), big(1000n), int(0)] }]);
  });
});

describe('counterStatement', () => {
  const counters = schemaOf([
    ['page', 'partition_key', 'text', 0],
    ['views', 'regular', 'counter'],
    ['clicks', 'regular', 'counter'],
  ]);
  const cplan = buildReadPlan(counters, { writetimes: false, ttls: false });
  const crow = (views: bigint | null, clicks: bigint | null): RawRow => [text('/p'), clicks === null ? null : big(clicks), views === null ? null : big(views)];
  const t = new TargetTable('ks', 'pv', new Map<string, string>());

  it('adds the difference between source and target', () => {
    expect(counterStatement(counters, cplan, t, crow(10n, 3n), crow(4n, 3n), false)).toEqual({
      query: 'UPDATE ks.pv SET views = views + ? WHERE page = ?',
      params: [big(6n), text('/p')],
    });
  });
  it('adds nothing when the target already matches (a rerun does not double)', () => {
    expect(counterStatement(counters, cplan, t, crow(10n, 3n), crow(10n, 3n), false)).toBeNull();
  });
  it('creates a counter at 0 that the target lacks', () => {
    expect(counterStatement(counters, cplan, t, crow(0n, null), null, false)?.params).toEqual([big(0n), text('/p')]);
  });
});
