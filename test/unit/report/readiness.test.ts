import { describe, expect, it } from 'vitest';
import { judgeReadiness } from '../../../src/report/readiness.js';
import type { RunOutcome } from '../../../src/state/run-outcome.js';

const HOUR = 3_600_000;
const now = Date.parse('2026-12-02T12:00:00Z');
const at = (hoursAgo: number) => new Date(now - hoursAgo * HOUR).toISOString();
let n = 0;
const run = (table: string, command: 'copy' | 'validate', hoursAgo: number, found: Partial<RunOutcome> = {}): RunOutcome => ({
  runId: `r${n++}`,
  command,
  keyspace: 'shop',
  table,
  startedAt: at(hoursAgo + 0.1),
  finishedAt: at(hoursAgo),
  rangesTotal: 16,
  rangesDone: 16,
  missing: 0,
  mismatched: 0,
  extra: 0,
  targetNewer: 0,
  rejected: 0,
  remaining: 0,
  exitCode: 0,
  ...found,
});
const rules = { cleanRuns: 3, maxAgeMs: 24 * HOUR, now };
const cleanHistory = (table: string) => [run(table, 'copy', 30), run(table, 'validate', 20), run(table, 'validate', 10), run(table, 'validate', 2, { targetNewer: 4 })];

describe('migrate ready: the verdict from recorded runs', () => {
  it('a complete copy and three clean, recent validate runs: ready (target-newer rows allowed)', () => {
    const verdict = judgeReadiness('shop', undefined, [...cleanHistory('orders'), ...cleanHistory('users')], rules);
    expect(verdict).toMatchObject({ ready: true, tables: [{ table: 'shop.orders', ready: true, reasons: [], trend: [0, 0, 0] }, { table: 'shop.users', ready: true }] });
    expect(verdict.tables[0]?.lastCleanAt).toBe(at(2));
  });

  it('differences found by the last run: not ready, named, with the trend', () => {
    const runs = [...cleanHistory('orders'), ...cleanHistory('users'), run('users', 'validate', 1, { mismatched: 2, remaining: 2, exitCode: 1 })];
    const verdict = judgeReadiness('shop', undefined, runs, rules);
    expect(verdict.ready).toBe(false);
    expect(verdict.tables.find((t) => t.table === 'shop.users')).toMatchObject({ ready: false, reasons: ['differences in the last run (0 missing, 2 mismatched, 0 extra)'], trend: [0, 0, 0, 2], lastCleanAt: at(2) });
    expect(verdict.tables.find((t) => t.table === 'shop.orders')?.ready).toBe(true);
  });

  it('corrected and validated clean three times more: ready again; two clean runs are not enough', () => {
    // the last of the clean history was 2 h ago; then an autocorrect run that found (and fixed) two rows
    const drifted = [...cleanHistory('users'), run('users', 'validate', 1.8, { mismatched: 2, exitCode: 0 })];
    expect(judgeReadiness('shop', 'users', [...drifted, run('users', 'validate', 1.6), run('users', 'validate', 1.4)], rules).tables[0]?.reasons).toEqual(['differences in one of the last 3 runs']);
    expect(judgeReadiness('shop', 'users', [...drifted, run('users', 'validate', 1.6), run('users', 'validate', 1.4), run('users', 'validate', 1.2)], rules).ready).toBe(true);
  });

  it('a table never validated, one never copied, a copy with refused rows, a run that did not cover every range, an old last run', () => {
    const judge = (runs: RunOutcome[]) => judgeReadiness('shop', 'orders', runs, rules).tables[0]?.reasons;
    expect(judge([run('orders', 'copy', 30)])).toEqual(['never validated']);
    expect(judge([run('orders', 'validate', 3), run('orders', 'validate', 2), run('orders', 'validate', 1)])).toEqual(['never copied']);
    expect(judge([run('orders', 'copy', 30, { rejected: 3, exitCode: 5 }), run('orders', 'validate', 3), run('orders', 'validate', 2), run('orders', 'validate', 1)])).toEqual(['no copy run completed (ranges left, or rows refused)']);
    expect(judge([run('orders', 'copy', 30), run('orders', 'validate', 1, { rangesDone: 10, exitCode: null, finishedAt: null })])).toEqual(['no validate run covered every range']);
    expect(judge([run('orders', 'copy', 90), run('orders', 'validate', 80), run('orders', 'validate', 70), run('orders', 'validate', 60)])).toEqual(['the last validate run is 60 h old (more than 24 h)']);
  });
});
