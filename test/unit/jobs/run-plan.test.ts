import { describe, expect, it } from 'vitest';
import { chooseRunId, continues, jobStartStamp, newRunId, type RunChoice, stampOf } from '../../../src/jobs/run-plan.js';

const base: RunChoice = { options: { resume: undefined, runId: undefined }, stored: new Set(), freshRunId: 'copy-20261203T060000Z-ab12' };
const fileOf = (runId: string | undefined) => ({ ranges: ['(1,2]'], runId, jobStartMicros: 1_600_000_000_000_000n });

describe('the run plan', () => {
  it('a plain run is new, under its --run-id or a fresh id', () => {
    expect(chooseRunId(base)).toBe('copy-20261203T060000Z-ab12');
    expect(continues(base, chooseRunId(base))).toBe(false);
    const named = { ...base, options: { resume: undefined, runId: 'nightly-1' } };
    expect(chooseRunId(named)).toBe('nightly-1');
    expect(continues(named, 'nightly-1')).toBe(false);
  });

  it('--resume continues the run it names, or the job\'s latest', () => {
    const latest = { ...base, options: { resume: true as const, runId: undefined }, latestRun: 'copy-older' };
    expect(chooseRunId(latest)).toBe('copy-older');
    expect(continues(latest, 'copy-older')).toBe(true);
    const named = { ...base, options: { resume: 'copy-named', runId: 'ignored' } };
    expect(chooseRunId(named)).toBe('copy-named');
    expect(continues(named, 'copy-named')).toBe(true);
  });

  it('a ranges file reruns its ranges inside the run it came from when that run is here, else in a new run at its stamp', () => {
    const here = { ...base, fileRanges: fileOf('copy-failed'), stored: new Set(['copy-failed']) };
    expect(chooseRunId(here)).toBe('copy-failed');
    expect(continues(here, 'copy-failed')).toBe(true);
    const elsewhere = { ...base, fileRanges: fileOf('copy-failed') };
    expect(chooseRunId(elsewhere)).toBe(base.freshRunId);
    expect(continues(elsewhere, base.freshRunId)).toBe(false);
    expect(stampOf(elsewhere, { writetime: 'job-start' }, 1_700_000_000_000_000n)).toBe(1_600_000_000_000_000n);
  });

  it('a keyspace job\'s table runs inside the keyspace run, continued when it exists, at the keyspace run\'s stamp', () => {
    const placement = { runId: 'ks-run/orders', stamp: 1_650_000_000_000_000n };
    const first = { ...base, options: { resume: true as const, runId: undefined }, placement };
    expect(chooseRunId(first)).toBe('ks-run/orders');
    expect(continues(first, 'ks-run/orders')).toBe(false);
    expect(continues({ ...first, stored: new Set(['ks-run/orders']) }, 'ks-run/orders')).toBe(true);
    expect(stampOf(first, { writetime: 'job-start' }, 1_700_000_000_000_000n)).toBe(1_650_000_000_000_000n);
  });

  it('an explicit --writetime wins over every stamp; the job start is now less the skew margin', () => {
    const placement = { runId: 'ks-run/orders', stamp: 1_650_000_000_000_000n };
    expect(stampOf({ placement, fileRanges: fileOf('x') }, { writetime: 42n }, 1n)).toBe(42n);
    expect(jobStartStamp({ write: { writetime: 'job-start' }, run: { skewMarginSeconds: 2.5 } } as never, 1_700_000_000_000)).toBe(1_700_000_000_000_000n - 2_500_000n);
    expect(jobStartStamp({ write: { writetime: 7n }, run: { skewMarginSeconds: 2.5 } } as never, 1_700_000_000_000)).toBe(7n);
  });

  it('a new run id names the command and the start, in letters a folder name takes', () => {
    expect(newRunId('validate', '2026-12-03T06:04:11.123Z')).toMatch(/^validate-20261203T060411Z-[0-9a-f]{4}$/);
  });
});
