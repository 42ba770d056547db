import { describe, expect, it } from 'vitest';
import { compareDetail, type StampContext } from '../../../src/diff/compare-rows.js';
import { OwnStamps } from '../../../src/diff/own-stamps.js';
import type { CompareOptions } from '../../../src/diff/row-digest.js';
import { buildReadPlan, type RawRow } from '../../../src/read/select.js';
import { joinCollection } from '../../../src/read/serialized.js';
import { big, int, schemaOf, text } from '../../support/schemas.js';

const schema = schemaOf([
  ['pk', 'partition_key', 'int', 0],
  ['ck', 'clustering', 'int', 0],
  ['st', 'static', 'text'],
  ['v', 'regular', 'text'],
  ['tags', 'regular', 'set<text>'],
  ['l', 'regular', 'list<int>'],
]);
const plan = buildReadPlan(schema, { writetimes: true, ttls: true });
const slot = (name: string) => plan.cells.find((c) => c.column.name === name)!;
const options: CompareOptions = { ignore: [], compareWritetime: false, compareTtl: false, ttlToleranceSeconds: 60, floatTolerance: 0 };

/** The copy stamped S; live writes with real clocks are far above S + 1 s, and this run started at RUN. */
const S = 1_000_000_000n;
const RUN = S + 600_000_000n;
const own = OwnStamps.fromRuns([{ stamp: S, windowMicros: 1_000_000n }], 0);
const stamps: StampContext = { own, runStamp: RUN };
const LEVEL = own.level!;

type Cell = [value: Buffer | null, writetime: Buffer | null];
function row(cells: Record<string, Cell>): RawRow {
  const out: RawRow = new Array(plan.aliases.length).fill(null);
  out[plan.keySlots[0]!] = int(1);
  out[plan.keySlots[1]!] = int(2);
  for (const [name, [value, wt]] of Object.entries(cells)) {
    out[slot(name).value] = value;
    out[slot(name).writetime!] = wt;
  }
  return out;
}
const list = (...xs: number[]) => joinCollection(xs.map(int));
const stampsOf = (...xs: bigint[]) => joinCollection(xs.map(big));
const set = (...xs: string[]) => joinCollection(xs.map(text));

describe('compareDetail: what autocorrect does with each cell', () => {
  it('classifies one-sided rows, and equal rows are null', () => {
    expect(compareDetail(plan, row({ v: [text('a'), big(1n)] }), row({ v: [text('a'), big(S)] }), 'row', options, stamps)).toBeNull();
    expect(compareDetail(plan, row({ v: [text('a'), big(1n)] }), null, 'row', options, stamps)?.kind).toBe('missing');
    expect(compareDetail(plan, null, row({ v: [text('a'), big(1n)] }), 'row', options, stamps)?.kind).toBe('extra');
  });

  it('a target-only row as new as this run, not of our stamps, is a live write in flight: target-newer, left', () => {
    const extra = (v: bigint, entity: 'row' | 'partition' = 'row') => compareDetail(plan, null, row({ v: [text('x'), big(v)], st: [text('s'), big(S)] }), entity, options, stamps);
    expect(extra(RUN + 5n)).toMatchObject({ kind: 'extra', targetNewer: true });
    expect(extra(RUN - 5n)).toMatchObject({ kind: 'extra', targetNewer: false });
    // a copy stamped inside the skew margin (its stamp above the run stamp) wrote ours to delete
    const late = OwnStamps.fromRuns([{ stamp: RUN + 10n, windowMicros: 1_000_000n }], 0);
    const ours = compareDetail(plan, null, row({ v: [text('x'), big(RUN + 10n)] }), 'row', options, { own: late, runStamp: RUN });
    expect(ours).toMatchObject({ kind: 'extra', targetNewer: false });
    // a partition's statics are judged by the static cells alone
    expect(extra(RUN + 5n, 'partition')).toMatchObject({ kind: 'extra', targetNewer: false });
  });

  it('a newer value we did not write is a live write: kept, target-newer', () => {
    const d = compareDetail(plan, row({ v: [text('a'), big(100n)] }), row({ v: [text('b'), big(RUN + 5n)] }), 'row', options, stamps);
    expect(d).toMatchObject({ kind: 'mismatched', targetNewer: true, cells: [{ fix: { action: 'keep' } }] });
  });

  it('an older target value is rewritten at the source writetime', () => {
    const d = compareDetail(plan, row({ v: [text('a'), big(S + 90_000_000n)] }), row({ v: [text('b'), big(S)] }), 'row', options, stamps);
    expect(d?.cells[0]?.fix).toEqual({ action: 'write', stamp: S + 90_000_000n, ttl: 0 });
  });

  it('two late writes to one cell: each time the cell carries one of our stamps, it is rewritten above it', () => {
    // a late live write (clock behind by more than the margin) lost to the copy's stamp
    const first = compareDetail(plan, row({ v: [text('late1'), big(S - 5n)] }), row({ v: [text('history'), big(S)] }), 'row', options, stamps);
    expect(first).toMatchObject({ targetNewer: false, cells: [{ fix: { action: 'write', stamp: LEVEL } }] });
    // the next run recognises the stamp the first correction wrote, and writes above it
    const next = OwnStamps.fromRuns([{ stamp: S, windowMicros: 1_000_000n }], 1);
    const second = compareDetail(plan, row({ v: [text('late2'), big(S - 2n)] }), row({ v: [text('late1'), big(LEVEL)] }), 'row', options, { own: next, runStamp: RUN });
    expect(second).toMatchObject({ targetNewer: false, cells: [{ fix: { action: 'write', stamp: next.level } }] });
    expect(next.level! > LEVEL).toBe(true);
  });

  it('a late static write over our stamp is rewritten too (statics compared once per partition)', () => {
    const d = compareDetail(plan, row({ st: [text('late'), big(S - 9n)] }), row({ st: [text('history'), big(S)] }), 'partition', options, stamps);
    expect(d?.cells.map((c) => [c.slot.column.name, c.fix])).toEqual([['st', { action: 'write', stamp: LEVEL, ttl: 0 }]]);
  });

  it('a late set replacement: our stale elements are deleted at their own stamp, the new ones written above our tombstone', () => {
    const source = row({ tags: [set('x'), stampsOf(S - 7n)] });
    const target = row({ tags: [set('a', 'b'), stampsOf(S, S)] });
    const d = compareDetail(plan, source, target, 'row', options, stamps);
    expect(d?.cells[0]?.fix).toEqual({
      action: 'elements',
      fixes: [
        { element: { key: text('x'), value: text('x'), stamp: S - 7n, ttl: 0 }, fix: { action: 'write', stamp: LEVEL, ttl: 0 } },
        { element: { key: text('a'), value: text('a'), stamp: S, ttl: 0 }, fix: { action: 'delete', stamp: S } },
        { element: { key: text('b'), value: text('b'), stamp: S, ttl: 0 }, fix: { action: 'delete', stamp: S } },
      ],
    });
  });

  it('a set element added live that the source lacks is kept (target-newer); one older than the run is deleted at its stamp', () => {
    const live = compareDetail(plan, row({ tags: [set('a'), stampsOf(S)] }), row({ tags: [set('a', 'z'), stampsOf(S, RUN + 1n)] }), 'row', options, stamps);
    expect(live?.targetNewer).toBe(true);
    const stale = compareDetail(plan, row({ tags: [set('a'), stampsOf(S)] }), row({ tags: [set('a', 'z'), stampsOf(S, RUN - 1n)] }), 'row', options, stamps);
    expect(stale?.cells[0]?.fix).toMatchObject({ action: 'elements', fixes: [{ fix: { action: 'delete', stamp: RUN - 1n } }] });
  });

  it('a list appended live before the copy reached it: the live element stays, the history is removed by value and prepended in source order', () => {
    // source [1, 2, 3]: 1 and 2 history, 3 appended live at T; the target holds [3 (live), 1, 2 (ours)]
    const T = S + 70_000_000n;
    const d = compareDetail(plan, row({ l: [list(1, 2, 3), stampsOf(10n, 20n, T)] }), row({ l: [list(3, 1, 2), stampsOf(T, S, S)] }), 'row', options, stamps);
    expect(d).toMatchObject({ targetNewer: false });
    expect(d?.cells[0]?.fix).toEqual({
      action: 'list',
      rebuild: {
        discards: [
          { value: int(1), stamp: S },
          { value: int(2), stamp: S },
        ],
        prepend: [
          { value: int(1), stamp: LEVEL, ttl: 0 },
          { value: int(2), stamp: LEVEL, ttl: 0 },
        ],
      },
    });
  });

  it('a list with duplicated history before a live append keeps the live tail; both copies go (one removal by value) and one comes back', () => {
    const T = S + 70_000_000n;
    const d = compareDetail(plan, row({ l: [list(1, 3), stampsOf(10n, T)] }), row({ l: [list(1, 1, 3), stampsOf(S, S, T)] }), 'row', options, stamps);
    expect(d?.cells[0]?.fix).toEqual({ action: 'list', rebuild: { discards: [{ value: int(1), stamp: S }], prepend: [{ value: int(1), stamp: LEVEL, ttl: 0 }] } });
  });

  it('a list holding a live element the source has not seen is left alone (target-newer)', () => {
    const d = compareDetail(plan, row({ l: [list(1), stampsOf(10n)] }), row({ l: [list(1, 9), stampsOf(S, RUN + 3n)] }), 'row', options, stamps);
    expect(d?.targetNewer).toBe(true);
  });

  it('a source null: our cell is deleted at its own stamp, a foreign one older than the run too, a newer one kept', () => {
    const fix = (wt: bigint) => compareDetail(plan, row({}), row({ v: [text('b'), big(wt)] }), 'row', options, stamps)?.cells[0]?.fix;
    expect(fix(S)).toEqual({ action: 'delete', stamp: S });
    expect(fix(200n)).toEqual({ action: 'delete', stamp: 200n });
    expect(fix(RUN + 1n)).toEqual({ action: 'keep' });
  });

  it('a cell the target lacks is written at its writetime raised to our level (a tombstone of ours may hide it)', () => {
    expect(compareDetail(plan, row({ v: [text('a'), big(S - 3n)] }), row({}), 'row', options, stamps)?.cells[0]?.fix).toEqual({ action: 'write', stamp: LEVEL, ttl: 0 });
    expect(compareDetail(plan, row({ v: [text('a'), big(RUN)] }), row({}), 'row', options, stamps)?.cells[0]?.fix).toMatchObject({ action: 'write', stamp: RUN });
  });
});

describe('OwnStamps', () => {
  it('recognises the window above each copy stamp, and each validate run writes one step above the runs before it', () => {
    const a = OwnStamps.fromRuns([{ stamp: S, windowMicros: 1_000_000n }], 0);
    const b = OwnStamps.fromRuns([{ stamp: S, windowMicros: 1_000_000n }], 1);
    expect([a.isOurs(S - 1n), a.isOurs(S), a.isOurs(S + 999_999n), a.isOurs(S + 1_000_000n)]).toEqual([false, true, true, false]);
    expect(a.level! > S && b.level! > a.level! && a.isOurs(b.level!)).toBe(true);
    expect([a.fill(5n), a.fill(RUN)]).toEqual([a.level, RUN]);
    expect(OwnStamps.none().fill(5n)).toBe(5n);
  });
});
