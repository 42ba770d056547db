import { type JobOptions, redactOptions } from '../config/job-options.js';
import { rangesInFlight } from '../config/run-options.js';
import { withBothClusters } from '../connect/both-clusters.js';
import type { Session } from '../connect/session.js';
import { OWN_WINDOW_MICROS } from '../diff/own-stamps.js';
import { TooManyRejectedRowsError } from '../errors.js';
import { type FailedRange, readRangesFile, type RangesFile } from '../report/failed-ranges.js';
import { logEvent } from '../report/log.js';
import type { JobMetrics } from '../report/metrics.js';
import { startProgress } from '../report/progress.js';
import { type RunResults, summaryOf, writeRunReports } from '../report/run-report.js';
import { RowTally } from '../report/summary.js';
import { planRanges } from '../ring/read-ring.js';
import { checkCoverage, parseRangeId, rangeId, shardOf } from '../ring/token-range.js';
import { tokenSpaceOf } from '../ring/token-space.js';
import { openLedgerStore } from '../state/choose-store.js';
import type { LedgerStore, RunLedger, RunView } from '../state/ledger.js';
import { type Budget, liveBudget } from './budget.js';
import type { JobContext, JobDefinition, JobResult, KeyspacePlacement } from './job-definition.js';
import { inProcess, type RangeRunner } from './range-runner.js';
import { chooseRunId, continues, jobStartStamp, newRunId, type RunChoice, stampOf } from './run-plan.js';
import { exitCodeOfRun } from './run-end.js';
import { runRanges } from './scheduler.js';
import { WorkerPool } from './worker-pool.js';
import { wireTable } from './wire-table.js';

/** What a table's run may be given beyond its options. */
export interface TableRunExtras {
  fileRanges?: RangesFile | undefined;
  placement?: KeyspacePlacement | undefined;
  metrics?: JobMetrics | undefined;
}

/** The one pipeline for a table: connect, read and check both schemas, lock, plan the run, run its ranges, report. */
export async function runTableJob(definition: JobDefinition, options: JobOptions, abort: AbortController, metrics: JobMetrics): Promise<JobResult> {
  // Read before connecting: a ranges file that cannot be used is bad input, found before anything is written.
  const fileRanges = options.run.rangesFile === undefined ? undefined : await readRangesFile(options.run.rangesFile);
  return withBothClusters(options.clusters, abort.signal, (source, target) => runConnected(definition, options, source, target, abort, { fileRanges, metrics }), metrics);
}

/** One table's job on connected clusters (alone, or as one table of a keyspace job). */
export async function runConnected(definition: JobDefinition, options: JobOptions, source: Session, target: Session, abort: AbortController, extras: TableRunExtras = {}): Promise<JobResult> {
  const table = await wireTable(definition, options, source, target);
  const store = await openLedgerStore(options.run, target);
  const choice = await whatTheStoreKnows(definition.command, options, table.jobKey, store, extras);
  const runId = chooseRunId(choice);
  return withJobLock(store, table.jobKey, runId, abort, async () => {
    const ledger = await openRun(definition.command, options, table.jobKey, runId, store, source, choice);
    try {
      const wired = { command: definition.command, options, source, target, ...table, state: ledger, knownRuns: await store.listRuns() };
      const only = extras.fileRanges && new Set(extras.fileRanges.ranges);
      return await runTable(definition, wired, ledger, abort, { only, metrics: extras.metrics, budget: extras.placement?.budget });
    } finally {
      await ledger.close();
    }
  });
}

/** Work under the job's lock; a lock lost to another run stops the run (its finished ranges recorded, exit 3). */
export async function withJobLock<T>(store: LedgerStore, jobKey: string, runId: string, abort: AbortController, work: () => Promise<T>): Promise<T> {
  const lock = await store.lock(jobKey, runId);
  const stop = () => abort.abort(lock.lost.reason);
  lock.lost.addEventListener('abort', stop, { once: true });
  try {
    return await work();
  } finally {
    lock.lost.removeEventListener('abort', stop);
    await lock.release().catch(() => undefined);
  }
}

/** The store's answers the run plan needs: the latest run (a bare --resume), and which named runs exist. */
async function whatTheStoreKnows(command: string, options: JobOptions, jobKey: string, store: LedgerStore, extras: TableRunExtras): Promise<RunChoice> {
  const { placement, fileRanges } = extras;
  const named = [placement?.runId, fileRanges?.runId].filter((id): id is string => id !== undefined);
  const stored = new Set<string>();
  for (const id of named) if (await store.exists(id)) stored.add(id);
  const latestRun = !placement && options.run.resume === true ? await store.latestRunOf(jobKey) : undefined;
  return { options: options.run, placement, fileRanges, latestRun, stored, freshRunId: newRunId(command, new Date().toISOString()) };
}

/** The chosen run, continued or recorded new with its ranges and stamp. */
async function openRun(command: JobDefinition['command'], options: JobOptions, jobKey: string, runId: string, store: LedgerStore, source: Session, choice: RunChoice): Promise<RunLedger> {
  if (continues(choice, runId)) return store.resume(jobKey, runId);
  const { keyspace, table } = options.selection;
  const ranges = choice.fileRanges?.ranges ?? checkCoverage(await planRanges(source, keyspace, table, options.run.splits, options.run.shard?.count), tokenSpaceOf(source.partitioner)).map(rangeId);
  return store.create({
    runId,
    command,
    jobKey,
    startedAt: new Date().toISOString(),
    jobStartMicros: stampOf(choice, options.write, jobStartStamp(options)).toString(),
    writetimeMode: String(options.write.writetime),
    ownWindowMicros: OWN_WINDOW_MICROS.toString(),
    ranges,
    keyspace,
    table,
    options: redactOptions(options),
  });
}

interface RangeRunExtras {
  /** A ranges file's ranges, the rest of the run being done already or left for later. */
  only: Set<string> | undefined;
  metrics: JobMetrics | undefined;
  /** A keyspace job's budget, shared by its tables. */
  budget: Budget | undefined;
}

type Wired = Omit<JobContext, 'stamp' | 'notes' | 'signal' | keyof Budget>;

/** The ranges this process answers for (its shard's), and those of them left to do. */
function rangesToDo(ledger: RunLedger, options: JobOptions, only: Set<string> | undefined): { mine: string[]; todo: string[] } {
  const all = ledger.record.ranges;
  const { shard } = options.run;
  const mine = shard ? shardOf(all.map(parseRangeId), shard.index, shard.count).map(rangeId) : all;
  // Rows the target refused are retried when the run is continued (--resume, --ranges-file): their ranges
  // are done again. The shared ledger keeps a done range done, so there a new run retries them.
  if (ledger.resumed && options.run.state.kind === 'local') for (const [id, checkpoint] of ledger.done) if ((checkpoint.counts.rejected ?? 0) > 0) ledger.done.delete(id);
  return { mine, todo: mine.filter((id) => !ledger.done.has(id) && (only === undefined || only.has(id))) };
}

/** A table run's ranges through the scheduler, then its reports and exit code. */
async function runTable(definition: JobDefinition, wired: Wired, ledger: RunLedger, abort: AbortController, { only, metrics, budget }: RangeRunExtras): Promise<JobResult> {
  const { options } = wired;
  const { mine, todo } = rangesToDo(ledger, options, only);
  const processes = Math.min(options.run.workers, todo.length);
  // With worker processes, each keeps its own share of the budget (and its own --max-latency window).
  const spec = processes > 1 ? { ...options.throughput, maxLatencyMs: undefined } : options.throughput;
  const ctx: JobContext = { ...wired, ...(budget ?? liveBudget(spec, metrics)), stamp: BigInt(ledger.record.jobStartMicros), notes: new Set(), signal: abort.signal };
  const tally = new RunTally(mine, ledger);
  const runLabels = { command: definition.command, keyspace: options.selection.keyspace, table: options.selection.table, runId: ledger.record.runId };
  logEvent('run-start', { ...runLabels, target: ctx.target.profile.label, stamp: ledger.record.jobStartMicros, ranges: mine.length, rangesToDo: todo.length, workers: Math.max(1, processes), options: redactOptions(options) });
  await definition.begin?.(ctx);
  const runner: RangeRunner = processes > 1 ? await WorkerPool.start(processes, { command: definition.command, options, view: viewOf(ledger), knownRuns: wired.knownRuns }, abort.signal, metrics) : await inProcess(definition, ctx);
  metrics?.track({
    labels: { command: definition.command, keyspace: options.selection.keyspace, table: options.selection.table, run_id: ledger.record.runId },
    counts: () => tally.live(),
    ranges: () => ({ total: mine.length, done: tally.doneCount(), failed: tally.failed.length }),
    inFlight: () => runner.inFlight(),
    stamp: ctx.stamp,
  });
  const progress = startProgress(`${definition.command} ${options.selection.keyspace}.${options.selection.table}`, mine, finishedBefore(mine, todo), () => tally.live().rowsRead, options.output.quiet, options.throughput.maxLatencyMs === undefined ? undefined : () => runner.window());
  try {
    await runRanges(ledger, runner, todo, rangesInFlight(options.throughput, definition.command, processes), abort.signal, {
      started: (counts) => tally.inFlight.add(counts),
      ended: (counts) => tally.inFlight.delete(counts),
      failed: (failure) => {
        tally.failed.push(failure);
        logEvent('range-failed', { ...runLabels, ...failure });
      },
      finished: (range, counts, notes, recorded) => {
        for (const note of notes) ctx.notes.add(note);
        // Only finished ranges count: a failed range is done again from its start, and counted then. Out of
        // the running ones first, or live() would count this range twice (and stop a run short of --max-errors).
        tally.inFlight.delete(counts);
        if (recorded) tally.totals.add(counts);
        progress.rangeFinished(range);
        stopPastMaxErrors(tally.live().rejected, options.write.maxErrors, abort);
      },
    });
  } finally {
    progress.stop();
    await runner.close();
  }
  if (!abort.signal.aborted && tally.doneCount() === mine.length) await definition.end?.(ctx);
  return endRun(definition, ctx, ledger, tally, abort.signal, runLabels);
}

/** --max-errors: past N refused rows the run stops (exit 5), its finished ranges recorded. */
function stopPastMaxErrors(rejected: number, maxErrors: number, abort: AbortController): void {
  if (maxErrors === 0 || rejected <= maxErrors || abort.signal.aborted) return;
  abort.abort(new TooManyRejectedRowsError(`the target refused ${rejected} rows, more than --max-errors ${maxErrors} (see rejected.csv): fix what it refuses, or raise --max-errors, then rerun with --resume`));
}

/** The whole run's results (a shared run's other workers included), its reports, and its exit code. */
async function endRun(definition: JobDefinition, ctx: Pick<JobContext, 'options' | 'notes' | 'target'>, ledger: RunLedger, tally: RunTally, signal: AbortSignal, runLabels: Record<string, string>): Promise<JobResult> {
  const { options, notes } = ctx;
  // The ranges other workers failed that nobody finished since count as failed too.
  const { failed: failedElsewhere } = await ledger.refresh();
  for (const [range, error] of failedElsewhere) if (!ledger.done.has(range) && !tally.failed.some((f) => f.range === range)) tally.failed.push({ range, error });
  const totals = tally.finished();
  const stoppedBy: unknown = signal.aborted ? signal.reason : undefined;
  const results: RunResults = {
    ledger,
    ranges: tally.mine,
    totals,
    failed: tally.failed,
    errors: [...tally.failed.map((f) => `range ${f.range}: ${f.error}`), ...(stoppedBy instanceof TooManyRejectedRowsError ? [stoppedBy.message] : [])],
    notes: [...notes],
  };
  const { keyspace, table, targetKeyspace, targetTable } = options.selection;
  const summary = summaryOf({ command: definition.command, keyspace, table, targetKeyspace, targetTable, targetProfile: ctx.target.profile.label }, results);
  const reportDir = options.output.reportDir ?? ledger.dir;
  await writeRunReports(reportDir, summary, results);
  const exitCode = exitCodeOfRun(signal.aborted ? { kind: 'stopped', reason: stoppedBy } : tally.failed.length > 0 ? { kind: 'ranges-failed' } : { kind: 'finished', verdict: definition.outcome?.(totals) });
  const { errors: _errors, notes: _notes, ...counts } = summary;
  logEvent('run-end', { ...runLabels, exitCode, ...counts, reportDir });
  return { summary, reportDir, exitCode };
}

/** What the run has counted: ranges finished before and by this process, ranges running now, ranges failed. */
class RunTally {
  totals: RowTally;
  readonly inFlight = new Set<RowTally>();
  readonly failed: FailedRange[] = [];

  constructor(
    readonly mine: readonly string[],
    private readonly ledger: RunLedger,
  ) {
    this.totals = this.finished();
  }

  /** The whole run's counts as recorded: ranges an earlier (resumed) process finished, then this process's. */
  finished(): RowTally {
    return this.mine.reduce((sum, id) => sum.add(this.ledger.done.get(id)?.counts ?? {}), new RowTally());
  }

  live(): RowTally {
    return [...this.inFlight].reduce((sum, c) => sum.add(c), new RowTally().add(this.totals));
  }

  doneCount(): number {
    return this.mine.filter((id) => this.ledger.done.has(id)).length;
  }
}

/** The ranges of `mine` an earlier process finished (those not in `todo`). */
function finishedBefore(mine: readonly string[], todo: readonly string[]): Set<string> {
  const toDo = new Set(todo);
  return new Set(mine.filter((id) => !toDo.has(id)));
}

/** A copy of what the job reads of its run, to send to worker processes. */
const viewOf = (state: RunLedger): RunView => ({ record: state.record, dir: state.dir, resumed: state.resumed, done: new Map(state.done) });
