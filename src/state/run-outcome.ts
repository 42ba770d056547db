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

/** A table run as `migrate status` shows it: its outcome so far, and who works on it now. */
export interface RunProgress extends RunOutcome {
  jobKey: string;
  jobStartMicros: string;
  /** Ranges that failed and were not finished since. */
  rangesFailed: number;
  /** Ranges a live worker holds now (a shared run). */
  rangesClaimed: number;
  /** The workers holding live claims now (a shared run). */
  workers: string[];
  rowsRead: number;
}

/** What the store knows of a run beyond its checkpoints: ranges given up with an error, and live claims. */
export interface RunActivity {
  failed: Iterable<string>;
  /** The owner of each range a worker holds under a lease that has not run out. */
  liveClaims: readonly string[];
}

export function progressOf(run: RunRecord, checkpoints: readonly RangeCheckpoint[], activity: RunActivity): RunProgress {
  const done = new Set(checkpoints.map((c) => c.range));
  return {
    ...outcomeOf(run, checkpoints),
    jobKey: run.jobKey,
    jobStartMicros: run.jobStartMicros,
    rangesFailed: new Set([...activity.failed].filter((range) => !done.has(range))).size,
    rangesClaimed: activity.liveClaims.length,
    workers: [...new Set(activity.liveClaims)],
    rowsRead: checkpoints.reduce((sum, c) => sum + (c.counts.rowsRead ?? 0), 0),
  };
}

/** The runs `migrate status RUN_ID` asks for: that run, or a keyspace run's table runs (ID/TABLE). */
export const isRunOf = (runId: string | undefined, run: Pick<RunRecord, 'runId'>): boolean => runId === undefined || run.runId === runId || run.runId.startsWith(`${runId}/`);
