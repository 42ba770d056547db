import type { RangeCheckpoint, RunRecord } from './run-record.js';

/** What a table run did, read back from its record and the checkpoints of its finished ranges. Pure. */
export interface RunOutcome {
  runId: string;
  command: 'copy' | 'validate';
  /** The source table. */
  keyspace: string;
  table: string;
  startedAt: string;
  /** When its last range finished; null while ranges remain. */
  finishedAt: string | null;
  rangesTotal: number;
  rangesDone: number;
  missing: number;
  mismatched: number;
  extra: number;
  targetNewer: number;
  rejected: number;
  /** Differences still there after the run's corrections (target-newer aside). */
  remaining: number;
  /** The exit code of a run whose every range is done (0, 1, or 5 for refused rows); null otherwise. */
  exitCode: number | null;
}

export function outcomeOf(run: RunRecord, checkpoints: readonly RangeCheckpoint[]): RunOutcome {
  const sum = (key: 'missing' | 'mismatched' | 'extra' | 'targetNewer' | 'rejected' | 'remaining') => checkpoints.reduce((total, c) => total + (c.counts[key] ?? 0), 0);
  const complete = checkpoints.length >= run.ranges.length;
  const [rejected, remaining] = [sum('rejected'), sum('remaining')];
  return {
    runId: run.runId,
    command: run.command,
    keyspace: run.keyspace ?? String(run.options.keyspace ?? ''),
    table: run.table ?? String(run.options.table ?? ''),
    startedAt: run.startedAt,
    finishedAt: complete ? (checkpoints.map((c) => c.finishedAt).sort().at(-1) ?? run.startedAt) : null,
    rangesTotal: run.ranges.length,
    rangesDone: checkpoints.length,
    missing: sum('missing'),
    mismatched: sum('mismatched'),
    extra: sum('extra'),
    targetNewer: sum('targetNewer'),
    rejected,
    remaining,
    exitCode: complete ? (rejected > 0 ? 5 : remaining > 0 ? 1 : 0) : null,
  };
}
