import { describe, expect, it } from 'vitest';
import type { RowDifference } from '../../../src/diff/compare-rows.js';
import type { Candidate } from '../../../src/diff/range-compare.js';
import { buildReadPlan, type RawRow } from '../../../src/read/select.js';
import { OwnStamps } from '../../../src/diff/own-stamps.js';
import { CorrectionPlanner } from '../../../src/write/corrections.js';
import { big, int, schemaOf, text } from '../../support/schemas.js';
import { TargetTable } from '../../../src/schema/target-table.js';

const schema = schemaOf([
  ['pk', 'partition_key', 'int', 0],
  ['ck', 'clustering', 'int', 0],
  ['s', 'static', 'text'],
  ['v', 'regular', 'text'],
]);
const plan = buildReadPlan(schema, { writetimes: true, ttls: true });
const target = new TargetTable('ks', 't', new Map<string, string>());
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
const S = 1_000_000n;
const own = OwnStamps.fromRuns([{ stamp: S, windowMicros: 1_000_000n }], 0);
const planner = (autocorrect: 'missing' | 'mismatched' | 'all' | undefined, deleteExtra = false) =>
  new CorrectionPlanner(schema, plan, target, { autocorrect, deleteExtra, own, runStamp: 9_000_000n });

describe('CorrectionPlanner', () => {
  it('delete-extra: a target-only row is deleted at the newest writetime it holds, never at the run stamp', () => {
    const extra: RowDifference = { kind: 'extra', cells: [], targetNewer: false };
    expect(planner('all').corrections({ ...rowKey, kind: 'extra' }, extra, null, row('x', S))).toBeNull();
    expect(planner(undefined, true).corrections({ ...rowKey, kind: 'extra' }, extra, null, row('x', S + 40n))).toEqual([
      { query: 'DELETE FROM ks.t USING TIMESTAMP ? WHERE pk = ? AND ck = ?', params: [big(S + 40n), int(1), int(2)] },
    ]);
    // a row of key columns only carries the copy's row marker: deleted at the copy's stamp
    expect(planner(undefined, true).corrections({ ...rowKey, kind: 'extra' }, extra, null, row(null, 0n))?.[0]?.params[0]).toEqual(big(S));
  });

  it('delete-extra then a late write: the row comes back above our tombstone', () => {
    // the row was deleted at S (its newest writetime); a late live write at S - 10 is hidden by that tombstone
    const missing: RowDifference = { kind: 'missing', cells: [], targetNewer: false };
    const m = planner('all').corrections({ ...rowKey, kind: 'missing' }, missing, row('late', S - 10n), null);
    expect(m?.map((x) => x.params.at(-2))).toEqual([big(own.level!)]);
  });

  it('follows --autocorrect=missing|mismatched and never touches a target-newer row', () => {
    const mismatched: RowDifference = { kind: 'mismatched', cells: [{ slot: v, fix: { action: 'write', stamp: 10n, ttl: 0 } }], targetNewer: false };
    expect(planner('missing').corrections(rowKey, mismatched, row('a', 10n), row('b', 5n))).toBeNull();
    expect(planner('mismatched').corrections(rowKey, mismatched, row('a', 10n), row('b', 5n))).toEqual([
      { query: 'UPDATE ks.t USING TIMESTAMP ? AND TTL ? SET v = ? WHERE pk = ? AND ck = ?', params: [big(10n), int(0), text('a'), int(1), int(2)] },
    ]);
    const newer: RowDifference = { kind: 'mismatched', cells: [{ slot: v, fix: { action: 'keep' } }], targetNewer: true };
    expect(planner('all').corrections(rowKey, newer, row('a', 10n), row('b', 50n))).toBeNull();
  });

  it('a missing row is written with its statics', () => {
    const missing: RowDifference = { kind: 'missing', cells: [], targetNewer: false };
    const m = planner('all').corrections({ ...rowKey, kind: 'missing' }, missing, row('a', 10n, 'st'), null);
    expect(m?.map((x) => x.query)).toEqual(['INSERT INTO ks.t (pk, ck, s, v) VALUES (?, ?, ?, ?) USING TIMESTAMP ? AND TTL ?']);
  });

  it('a source null is a cell deletion at the stamp compareDetail chose', () => {
    const gone: RowDifference = { kind: 'mismatched', cells: [{ slot: v, fix: { action: 'delete', stamp: 7n } }], targetNewer: false };
    expect(planner('all').corrections(rowKey, gone, row(null, 0n), row('b', 7n))).toEqual([
      { query: 'DELETE v FROM ks.t USING TIMESTAMP ? WHERE pk = ? AND ck = ?', params: [big(7n), int(1), int(2)] },
    ]);
  });

  it('a static difference is written on the partition key alone', () => {
    const stale: RowDifference = { kind: 'mismatched', cells: [{ slot: s, fix: { action: 'write', stamp: own.level!, ttl: 0 } }], targetNewer: false };
    expect(planner('all').corrections({ kind: 'mismatched', entity: 'partition', keys: [int(1)] }, stale, row(null, 0n, 'late'), row(null, 0n, 'old'))).toEqual([
      { query: 'UPDATE ks.t USING TIMESTAMP ? AND TTL ? SET s = ? WHERE pk = ?', params: [big(own.level!), int(0), text('late'), int(1)] },
    ]);
  });
});
