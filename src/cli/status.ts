import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StatusOptions } from '../config/command-options.js';
import { ExitCode, InputError } from '../errors.js';
import { outcomeOf, type RunOutcome } from '../state/run-outcome.js';
import { listRuns, readCheckpoints, type RunRecord } from '../state/run-state.js';
import type { Io } from './io.js';

/** One run's line in `migrate status`: its outcome (exit code and counts, once every range is done) and progress. */
export interface RunStatus extends RunOutcome {
  job: string;
  rangesFailed: number;
  /** Ranges a live worker holds now (a shared run). */
  rangesClaimed: number;
  /** The workers holding live claims now (a shared run). */
  workers: string[];
  jobStartMicros: string;
  rowsRead: number;
}

/**
 * `migrate status [RUN_ID]`: the runs of the local state folder (a keyspace job's, table by table) or of
 * the target's ledger keyspace, their ranges done and their outcome.
 */
export async function status(options: StatusOptions, io: Io): Promise<number> {
  const where = whereRunsAre(options);
  const rows = await collectRuns(options);
  if (options.run.runId !== undefined && rows.length === 0) {
    throw new InputError(`run ${options.run.runId} was not found in ${where}: run "migrate status" with the same --state${options.run.state.kind === 'local' ? '-dir' : ''} to list runs`);
  }
  if (options.output.json) io.out(JSON.stringify(options.run.runId !== undefined && rows.length === 1 && rows[0]?.runId === options.run.runId ? rows[0] : rows));
  else if (rows.length === 0) io.out(`no runs in ${where}`);
  else
    for (const r of rows) {
      const state =
        r.rangesDone === r.rangesTotal
          ? 'complete'
          : r.rangesClaimed > 0
            ? `running: ${r.rangesClaimed} ranges held by ${r.workers.length} workers (${r.workers.join(', ')})`
            : r.finishedAt || r.rangesFailed > 0
              ? `stopped, ${r.rangesFailed} ranges failed`
              : 'running or interrupted';
      io.out(`${r.runId}  ${r.command}  ${r.rangesDone}/${r.rangesTotal} ranges  ${r.rowsRead} rows  ${state}${outcomeText(r)}  started ${r.startedAt}\n  ${r.job}`);
    }
  return ExitCode.ok;
}

/** " (exit 1: 0 missing, 500 mismatched, 0 extra, 0 target-newer)" for a finished run. */
function outcomeText(r: RunStatus): string {
  if (r.exitCode === null) return '';
  if (r.command === 'validate') return ` (exit ${r.exitCode}: ${r.missing} missing, ${r.mismatched} mismatched, ${r.extra} extra, ${r.targetNewer} target-newer)`;
  return ` (exit ${r.exitCode}${r.rejected > 0 ? `: ${r.rejected} rows refused` : ''})`;
}

export const whereRunsAre = (options: StatusOptions): string => (options.run.state.kind === 'local' ? options.run.stateDir : `keyspace ${options.run.state.keyspace} of the target cluster`);

/** Every table run of the store (or those of one run id), with what each did. */
export function collectRuns(options: StatusOptions): Promise<RunStatus[]> {
  return options.run.state.kind === 'local' ? localStatus(options.run.stateDir, options.run.runId) : sharedStatus(options);
}

const matching = (runs: RunRecord[], runId: string | undefined) => runs.filter((r) => runId === undefined || r.runId === runId || r.runId.startsWith(`${runId}/`));

const rowsReadOf = (checkpoints: Iterable<{ counts: { rowsRead?: number } }>) => [...checkpoints].reduce((sum, c) => sum + (c.counts.rowsRead ?? 0), 0);

async function localStatus(stateDir: string, runId: string | undefined): Promise<RunStatus[]> {
  // A keyspace job's id names its tables' runs too (ID/TABLE).
  return Promise.all(
    matching(await listRuns(stateDir), runId).map(async (run) => {
      const dir = join(stateDir, 'runs', run.runId);
      const done = await readCheckpoints(dir);
      const summary = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8').catch(() => 'null')) as Record<string, unknown> | null;
      return {
        ...identity(run),
        ...outcomeOf(run, [...done.values()]),
        finishedAt: (summary?.finishedAt as string | undefined) ?? null,
        rangesFailed: (summary?.rangesFailed as number | undefined) ?? 0,
        rangesClaimed: 0,
        workers: [],
        rowsRead: rowsReadOf(done.values()),
      };
    }),
  );
}

/** A shared run's status is read from its ledger rows: any machine that reaches the target sees the whole run. */
async function sharedStatus(options: StatusOptions): Promise<RunStatus[]> {
  if (options.run.state.kind !== 'cassandra') return [];
  const { keyspace } = options.run.state;
  const { target: cluster, ...requests } = options.clusters;
  const [{ withTarget }, { CassandraStore }] = await Promise.all([import('../connect/both-clusters.js'), import('../state/cassandra-store.js')]);
  return withTarget({ ...cluster, contactPoints: cluster.contactPoints ?? '' }, requests, async (target) => {
    const store = await CassandraStore.open(target, keyspace, options.run.stateDir, 30_000, false);
    if (!store) return [];
    return Promise.all(
      matching(await store.listRuns(), options.run.runId).map(async (run) => {
        const rows = await store.rangeRows(run.runId);
        const now = Date.now();
        const done = rows.filter((r) => r.state === 'done' && r.checkpoint);
        const claimed = rows.filter((r) => r.state === 'claimed' && (r.leaseUntil ?? 0) >= now);
        const finished = done.map((r) => r.checkpoint?.finishedAt ?? '').sort();
        return {
          ...identity(run),
          ...outcomeOf(run, done.map((r) => r.checkpoint as NonNullable<typeof r.checkpoint>)),
          finishedAt: done.length === run.ranges.length ? (finished.at(-1) ?? null) : null,
          rangesFailed: rows.filter((r) => r.state === 'failed').length,
          rangesClaimed: claimed.length,
          workers: [...new Set(claimed.map((r) => r.owner ?? ''))],
          rowsRead: rowsReadOf(done.map((r) => r.checkpoint as NonNullable<typeof r.checkpoint>)),
        };
      }),
    );
  });
}

const identity = (run: RunRecord) => ({ job: run.jobKey, jobStartMicros: run.jobStartMicros });
