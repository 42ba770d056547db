import { describe, expect, it } from 'vitest';
import type { RowDifference } from '../../../src/diff/compare-rows.js';
import type { Candidate } from '../../../src/diff/range-compare.js';
import { buildReadPlan, type RawRow } from '../../../src/read/select.js';
import { CorrectionPlanner } from '../../../src/write/corrections.js';
import { big, int, schemaOf, text } from '../../support/schemas.js';

const schema = schemaOf([
  ['pk', 'partition_key', 'int', 0],
  ['ck', 'clustering', 'int', 0],
  ['s', 'static', 'text'],
  ['v', 'regular', 'text'],
]);
const plan = buildReadPlan(schema, { writetimes: true, ttls: true });
const target = { keyspace: 'ks', table: 't', renames: new Map<string, string>() };
const v = plan.cells.find((c) => c.column.name === 'v')!;
const s = plan.cells.find((c) => c.column.name === 's')!;
const row = (value: string | null, wt: bigint, staticValue: string | null = null): RawRow => {
  const out: RawRow = new Array(plan.aliases.length).fill(null);
  out[plan.keySlots[0]!] = int(1);
  out[plan.keySlots[1]!] = int(2);
  out[v.value] = value === null ? null : text(value);
  out[v.writetime!] = value === null ? null : big(wt);
  out[s.value] = staticValue === null ? null : text(staticValue);
  out[s.writetime!] = staticValue === null ? null : big(wt);
  return out;
};
const rowKey: Candidate = { kind: 'mismatched', entity: 'row', keys: [int(1), int(2)] };
const planner = (autocorrect: 'missing' | 'mismatched' | 'all' | undefined, deleteExtra = false) =>
  new CorrectionPlanner(schema, plan, target, { autocorrect, deleteExtra, stamp: 5000n });

describe('CorrectionPlanner', () => {
  it('extra rows are deleted at the run stamp only with --delete-extra', () => {
    const extra: RowDifference = { kind: 'extra', cells: [], targetNewer: false };
    expect(planner('all').corrections({ ...rowKey, kind: 'extra' }, extra, null, row('x', 1n))).toBeNull();
    expect(planner(undefined, true).corrections({ ...rowKey, kind: 'extra' }, extra, null, row('x', 1n))).toEqual([
      { query: 'DELETE FROM ks.t USING TIMESTAMP ? WHERE pk = ? AND ck = ?', params: [big(5000n), int(1), int(2)] },
    ]);
  });

  it('follows --autocorrect=missing|mismatched and never touches a target-newer row', () => {
    const mismatched: RowDifference = { kind: 'mismatched', cells: [{ slot: v, fix: { action: 'write' } }], targetNewer: false };
    expect(planner('missing').corrections(rowKey, mismatched, row('a', 10n), row('b', 5n))).toBeNull();
    expect(planner('mismatched').corrections(rowKey, mismatched, row('a', 10n), row('b', 5n))).toEqual([
      { query: 'INSERT INTO ks.t (pk, ck, v) VALUES (?, ?, ?) USING TIMESTAMP ? AND TTL ?', params: [int(1), int(2), text('a'), big(10n), int(0)] },
    ]);
    const newer: RowDifference = { kind: 'mismatched', cells: [{ slot: v, fix: { action: 'keep' } }], targetNewer: true };
    expect(planner('all').corrections(rowKey, newer, row('a', 10n), row('b', 50n))).toBeNull();
  });

  it('a missing row is written with its statics; a cell holding our own stamp is replaced just above it', () => {
    const missing: RowDifference = { kind: 'missing', cells: [], targetNewer: false };
    const m = planner('all').corrections({ ...rowKey, kind: 'missing' }, missing, row('a', 10n, 'st'), null);
    expect(m?.map((x) => x.query)).toEqual(['INSERT INTO ks.t (pk, ck, s, v) VALUES (?, ?, ?, ?) USING TIMESTAMP ? AND TTL ?']);
    const stale: RowDifference = { kind: 'mismatched', cells: [{ slot: v, fix: { action: 'write-above', stamp: 900n } }], targetNewer: false };
    expect(planner('all').corrections(rowKey, stale, row('a', 10n), row('b', 900n))?.[0]?.params).toEqual([int(1), int(2), text('a'), big(901n), int(0)]);
  });

  it('a source null over an older target value is a cell deletion at the run stamp', () => {
    const gone: RowDifference = { kind: 'mismatched', cells: [{ slot: v, fix: { action: 'delete' } }], targetNewer: false };
    expect(planner('all').corrections(rowKey, gone, row(null, 0n), row('b', 7n))?.at(-1)).toEqual({
      query: 'DELETE v FROM ks.t USING TIMESTAMP ? WHERE pk = ? AND ck = ?',
      params: [big(5000n), int(1), int(2)],
    });
  });
});
