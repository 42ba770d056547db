import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { RateLimiter } from 'limiter';
import pLimit from 'p-limit';
import { type JobOptions, redactOptions, WHOLE_KEYSPACE } from '../config/options.js';
import { withBothClusters } from '../connect/both-clusters.js';
import type { Session } from '../connect/session.js';
import { OWN_WINDOW_MICROS } from '../diff/own-stamps.js';
import { ExitCode, exitCodeOf, InputError, InterruptedError, MigrateError, messageOf, TooManyRejectedRowsError } from '../errors.js';
import { writeFailedRanges, type FailedRange, readRangesFile, type RangesFile } from '../report/failed-ranges.js';
import { logEvent } from '../report/log.js';
import { LatencyGovernor } from '../connect/latency-governor.js';
import { JobMetrics } from '../report/metrics.js';
import { serveMetrics } from '../report/metrics-server.js';
import { writeHtmlReport } from '../report/html-report.js';
import { startProgress } from '../report/progress.js';
import { Counters, type Summary, writeSummary } from '../report/summary.js';
import { planRanges } from '../ring/read-ring.js';
import { checkCoverage, parseRangeId, rangeId, shardOf, type TokenRange } from '../ring/token-range.js';
import { buildReadPlan, rowValues } from '../read/select.js';
import { checkPartitioners, type ClusterHashing, tokenFromBytes } from '../ring/partitioner.js';
import { checkCompatibility } from '../schema/compatibility.js';
import { readTableSchema } from '../schema/read-schema.js';
import type { Column, TableSchema } from '../schema/table-schema.js';
import { CassandraStore } from '../state/cassandra-store.js';
import type { LedgerStore, RunLedger, RunView } from '../state/ledger.js';
import type { RunRecord } from '../state/run-state.js';
import { inProcess } from './range-runner.js';
import { WorkerPool } from './worker-pool.js';
import { LocalStore } from '../state/local-store.js';

export type Command = 'copy' | 'validate';

/** Everything a job's range worker needs, wired once per run. */
export interface JobContext {
  command: Command;
  options: JobOptions;
  source: Session;
  target: Session;
  sourceSchema: TableSchema;
  targetSchema: TableSchema;
  /** The source cell columns the job moves or compares (after --exclude). */
  cells: Column[];
  /** The target column of each of `cells`, in the same order (after --rename). */
  targetCells: Column[];
  /** The clusters (by identity) and tables of the job: what copy and validate runs of one migration share. */
  tablePair: string;
  /** The run's plan and the ranges finished when this process began. */
  state: RunView;
  /** Every run in the run store when this run began (earlier runs of this table pair tell validate what we wrote). */
  knownRuns: RunRecord[];
  /** The job-start stamp (skew margin included) or the explicit --writetime; recorded in the run. */
  stamp: bigint;
  /** Approximations the run had to make, reported once each in the summary. */
  notes: Set<string>;
  signal: AbortSignal;
  /** Caps the requests in flight to either cluster, across all range workers. */
  inFlight: ReturnType<typeof pLimit>;
  /** Waits until `rows` more rows may be read (--rate-limit); resolves at once without a limit. */
  throttle(rows: number): Promise<void>;
}

/** The ranges of `mine` an earlier process finished (those not in `todo`). */
function finishedBefore(mine: readonly string[], todo: readonly string[]): Set<string> {
  const toDo = new Set(todo);
  return new Set(mine.filter((id) => !toDo.has(id)));
}

/** Where the run's reports go: --report-dir, or the run's own folder in the state. */
export const reportDirOf = (ctx: Pick<JobContext, 'options' | 'state'>): string => ctx.options.reportDir ?? ctx.state.dir;

/** Works through one token range, adding what it does to `counts` as it goes (progress reads them live). */
export type RangeWorker = (range: TokenRange, counts: Counters) => Promise<void>;

/** What is known of a job before its run is recorded: enough to refuse bad input. */
export type JobPlan = Pick<JobContext, 'options' | 'source' | 'target' | 'sourceSchema' | 'targetSchema' | 'cells'>;

export interface JobDefinition {
  command: Command;
  /** Refuses input this command cannot run with (InputError), before the lock is taken or a run recorded. */
  check?(plan: JobPlan): void;
  /** Called once per run on this machine, before any process prepares (validate starts its CSV here). */
  begin?(ctx: JobContext): Promise<void>;
  /** Called in each process that works on ranges, once connections and schemas are ready. */
  prepare(ctx: JobContext): Promise<RangeWorker>;
  /** Called in each process that prepared, after its last range. */
  finish?(ctx: JobContext): Promise<void>;
  /** The exit code of a run that was neither interrupted nor failed a range, from the whole run's counts. */
  outcome?(counts: Counters): ExitCode;
}

export interface JobResult {
  summary: Summary;
  reportDir: string;
  exitCode: ExitCode;
}

/** The one pipeline: connect, schema, lock, ranges, a bounded pool of range workers, state, report. */
export function runJob(definition: JobDefinition, options: JobOptions): Promise<JobResult> {
  return withInterrupts((abort) => withMetrics(definition.command, options, (metrics) => runSessions(definition, options, abort, metrics)));
}

/**
 * The run's metrics: served on --metrics-port while it runs; when it ends, written to --metrics-file and
 * pushed to --pushgateway (a failed push is a warning: the run's own outcome stands).
 */
export async function withMetrics<T extends { exitCode: ExitCode }>(command: Command, options: JobOptions, work: (metrics: JobMetrics) => Promise<T>): Promise<T> {
  const metrics = new JobMetrics();
  const server = options.metricsPort === undefined ? undefined : await serveMetrics(options.metricsPort, metrics);
  let exitCode: ExitCode = ExitCode.internal;
  try {
    const result = await work(metrics);
    exitCode = result.exitCode;
    return result;
  } catch (error) {
    exitCode = exitCodeOf(error);
    throw error;
  } finally {
    metrics.ended(exitCode);
    await server?.close();
    if (options.metricsFile) {
      await metrics.writeFile(options.metricsFile).catch((error: Error) =>
        logEvent('metrics-file-failed', { path: options.metricsFile, error: error.message }, `migrate: could not write the metrics to ${options.metricsFile} (${error.message}): the run's outcome stands`),
      );
    }
    if (options.pushgateway) {
      const jobName = `cql_migrate_${command}_${options.keyspace}_${options.table === WHOLE_KEYSPACE ? 'keyspace' : options.table}`;
      await metrics.push(options.pushgateway, jobName, exitCode).catch((error: Error) =>
        logEvent('push-failed', { url: options.pushgateway, error: error.message.split('\n')[0] }, `migrate: could not push the metrics to ${options.pushgateway} (${error.message.split('\n')[0]}): the run's outcome stands`),
      );
    }
  }
}

/**
 * Signals are ours for the whole job, so that one arriving while the run state or the report is being
 * written never cuts the writing short: finished ranges stay recorded and the run ends with exit 4.
 */
export async function withInterrupts<T>(work: (abort: AbortController) => Promise<T>): Promise<T> {
  const abort = new AbortController();
  // Every request waiting out an outage listens on this signal: hundreds at once are expected.
  setMaxListeners(0, abort.signal);
  const onSignal = () => abort.abort(new InterruptedError('interrupted by a signal'));
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await work(abort);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    // A request still retrying now (the prefetched page of a range that failed) stops waiting.
    if (!abort.signal.aborted) abort.abort(new Error('the run ended'));
  }
}

async function runSessions(definition: JobDefinition, options: JobOptions, abort: AbortController, metrics: JobMetrics): Promise<JobResult> {
  // Read before connecting: a ranges file that cannot be used is bad input, found before anything is written.
  const fileRanges = options.rangesFile === undefined ? undefined : await readRangesFile(options.rangesFile);
  return withBothClusters(options, abort.signal, (source, target) => runConnected(definition, options, source, target, abort, { fileRanges, metrics }), metrics);
}

/** What a table's run may be given beyond its options. */
export interface TableRunExtras {
  fileRanges?: RangesFile | undefined;
  placement?: KeyspacePlacement | undefined;
  metrics?: JobMetrics | undefined;
}

/** Where a table's run lives when it is one table of a keyspace job, and what it shares with the others. */
export interface KeyspacePlacement {
  /** `KEYSPACE_RUN/TABLE`: the table's run folder inside the keyspace run's. */
  runId: string;
  /** The keyspace job's stamp: one for every table. */
  stamp: bigint;
  budget: Budget;
}

/** The requests-in-flight cap and the rate limit, shared by everything a job runs at once. */
export type Budget = Pick<JobContext, 'inFlight' | 'throttle'>;

export function budgetFor(options: Pick<JobOptions, 'maxInFlight' | 'rateLimit' | 'maxLatencyMs'>, metrics?: JobMetrics): Budget {
  const limit = options.rateLimit;
  const limiter = limit ? new RateLimiter({ tokensPerInterval: limit, interval: 'second' }) : undefined;
  const inFlight = pLimit(options.maxInFlight);
  if (options.maxLatencyMs !== undefined && metrics) governLatency(inFlight, options.maxLatencyMs, options.maxInFlight, metrics);
  return {
    inFlight,
    throttle: async (rows) => {
      if (!limiter || !limit) return;
      for (let left = rows; left > 0; left -= limit) await limiter.removeTokens(Math.min(left, limit));
    },
  };
}

/** --max-latency: the in-flight window follows the governor's verdict every second, until the run ends. */
function governLatency(inFlight: ReturnType<typeof pLimit>, maxLatencyMs: number, maxInFlight: number, metrics: JobMetrics): void {
  const governor = new LatencyGovernor(maxLatencyMs / 1000, maxInFlight);
  let busy = false;
  metrics.onRequest((seconds) => {
    governor.observe(seconds);
    busy ||= inFlight.activeCount >= inFlight.concurrency || inFlight.pendingCount > 0;
  });
  const timer = setInterval(() => {
    inFlight.concurrency = governor.tick(busy);
    busy = false;
  }, 1000);
  timer.unref();
  metrics.onEnd(() => clearInterval(timer));
  metrics.trackWindow(() => governor.current, () => governor.smallest);
}

/** One table's job on connected clusters: schema checks, lock, run state, ranges, report. */
export async function runConnected(
  definition: JobDefinition,
  options: JobOptions,
  source: Session,
  target: Session,
  abort: AbortController,
  { fileRanges, placement, metrics }: TableRunExtras = {},
): Promise<JobResult> {
  const table = await wireTable(definition, options, source, target);
  const store = await ledgerStore(options, target);
  const runId = await chooseRunId(definition.command, options, table.jobKey, store, fileRanges, placement);
  const release = await store.lock(table.jobKey, runId);
  try {
    const state = await openState(definition.command, options, table.jobKey, runId, store, source, fileRanges, placement);
    try {
      const only = fileRanges && new Set(fileRanges.ranges);
      const wired = { command: definition.command, options, source, target, ...table, state, knownRuns: await store.listRuns() };
      return await runRanges(definition, wired, state, abort, { only, metrics, budget: placement?.budget });
    } finally {
      await state.close();
    }
  } finally {
    await release().catch(() => undefined);
  }
}

/** What a table's job knows once both schemas are read and checked; a worker process wires the same. */
export type WiredTable = Pick<JobContext, 'sourceSchema' | 'targetSchema' | 'cells' | 'targetCells' | 'tablePair'> & { jobKey: string };

/** Schemas read and checked against the options: InputError for anything that cannot run. */
export async function wireTable(definition: JobDefinition, options: JobOptions, source: Session, target: Session): Promise<WiredTable> {
  // One after the other, so that a keyspace missing on both sides is always blamed on the source.
  const sourceSchema = await readTableSchema(source, options.keyspace, options.table);
  const targetSchema = await readTableSchema(target, options.targetKeyspace, options.targetTable);
  const cells = checkCompatibility(sourceSchema, targetSchema, { renames: options.renames, exclude: options.exclude, ignore: options.ignore });
  // Validate reads both sides by the source's token ranges: the target must hash keys alike, as seen, not as claimed.
  checkPartitioners(definition.command, { partitioner: source.partitioner }, { partitioner: target.partitioner, sample: definition.command === 'validate' ? await sampleToken(target, targetSchema) : undefined });
  if (source.identity === target.identity && options.keyspace === options.targetKeyspace && options.table === options.targetTable) {
    throw new InputError(`--source and --target are the same cluster and ${options.keyspace}.${options.table} is both the source and the target table: point --target at the other cluster, or give --target-keyspace/--target-table`);
  }
  const targetCells = cells.map((c) => targetSchema.cells.find((t) => t.name === (options.renames.get(c.name) ?? c.name)) as Column);
  definition.check?.({ options, source, target, sourceSchema, targetSchema, cells });
  // Keyed by what the clusters are, not how their contact points are spelled: one job, one lock, one state.
  const tablePair = `${source.identity}/${options.keyspace}.${options.table} -> ${target.identity}/${options.targetKeyspace}.${options.targetTable}`;
  const jobKey = `${definition.command} ${tablePair}${options.shard ? ` [shard ${options.shard.index}/${options.shard.count}]` : ''}`;
  return { sourceSchema, targetSchema, cells, targetCells, tablePair, jobKey };
}

/** One row's partition key and the token the cluster gives it, for the partitioner probe; none from an empty table. */
async function sampleToken(session: Session, schema: TableSchema): Promise<ClusterHashing['sample']> {
  const plan = buildReadPlan(schema, { writetimes: false, ttls: false, cells: [], withToken: true });
  const first = (await session.read(`SELECT ${plan.selectFrom} LIMIT 1`)).first();
  if (!first) return undefined;
  const row = rowValues(first as unknown as Record<string, unknown>, plan);
  return { partitionKey: plan.keySlots.slice(0, schema.partitionKey.length).map((slot) => row[slot] as Buffer), token: tokenFromBytes(row[plan.tokenSlot as number] as Buffer) };
}

/** A copy of what the job reads of its run, to send to worker processes. */
const viewOf = (state: RunLedger): RunView => ({ record: state.record, dir: state.dir, resumed: state.resumed, done: new Map(state.done) });

/** The run's ledger: the local state folder, or the target's ledger keyspace (created on first use). */
export async function ledgerStore(options: JobOptions, target: Session): Promise<LedgerStore> {
  if (options.state.kind === 'local') return new LocalStore(options.stateDir);
  const { keyspace } = options.state;
  const leaseMs = options.leaseSeconds * 1000;
  // A run to resume needs a ledger that exists: the target is not written to for a mistyped --state.
  if (options.resume === undefined) return CassandraStore.open(target, keyspace, options.stateDir, leaseMs);
  const existing = await CassandraStore.open(target, keyspace, options.stateDir, leaseMs, false);
  if (!existing) throw new InputError(`--resume: the target cluster has no ledger keyspace ${keyspace}, so no run to resume: check --state, or drop --resume to start one`);
  return existing;
}

/**
 * Which run this process works on: a keyspace job's table run, the run resumed, the run a ranges file came
 * from (its failed ranges are rerun inside it, at its stamp), the run named by --run-id, or a new one.
 */
async function chooseRunId(command: Command, options: JobOptions, jobKey: string, store: LedgerStore, fileRanges: RangesFile | undefined, placement: KeyspacePlacement | undefined): Promise<string> {
  if (placement) return placement.runId;
  if (options.resume === true) return store.latestRunOf(jobKey);
  if (options.resume !== undefined) return options.resume;
  if (fileRanges?.runId !== undefined && (await store.exists(fileRanges.runId))) return fileRanges.runId;
  return options.runId ?? newRunId(command, new Date().toISOString());
}

async function openState(
  command: Command,
  options: JobOptions,
  jobKey: string,
  runId: string,
  store: LedgerStore,
  source: Session,
  fileRanges: RangesFile | undefined,
  placement: KeyspacePlacement | undefined,
): Promise<RunLedger> {
  // A keyspace job's table run continues when it exists (its --resume is the keyspace job's, not the table's).
  const continuing = placement ? await store.exists(runId) : options.resume !== undefined || (fileRanges?.runId === runId && (await store.exists(runId)));
  if (continuing) return store.resume(jobKey, runId);
  const ranges =
    fileRanges?.ranges ??
    checkCoverage(await planRanges(source, options.keyspace, options.table, options.splits, options.shard?.count)).map(rangeId);
  // A keyspace job's tables share its stamp; a ranges file from a run recorded elsewhere carries that run's
  // stamp, so the rerun's rows land at the first run's stamp.
  const stamp = typeof options.writetime === 'bigint' ? options.writetime : (placement?.stamp ?? fileRanges?.jobStartMicros ?? jobStartStamp(options));
  return store.create({
    runId,
    command,
    jobKey,
    startedAt: new Date().toISOString(),
    jobStartMicros: stamp.toString(),
    writetimeMode: String(options.writetime),
    ownWindowMicros: OWN_WINDOW_MICROS.toString(),
    ranges,
    options: redactOptions(options),
  });
}

/** The explicit --writetime, or now less the skew margin: taken before the first read, so every live write the proxy makes later is newer. */
export const jobStartStamp = (options: Pick<JobOptions, 'writetime' | 'skewMarginSeconds'>): bigint =>
  typeof options.writetime === 'bigint' ? options.writetime : BigInt(Date.now()) * 1000n - BigInt(Math.round(options.skewMarginSeconds * 1e6));

export const newRunId = (command: string, startedAt: string): string =>
  `${command}-${startedAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(2).toString('hex')}`;

interface RangeRunExtras {
  /** A ranges file's ranges, the rest of the run being done already or left for later. */
  only: Set<string> | undefined;
  metrics: JobMetrics | undefined;
  /** A keyspace job's budget, shared by its tables. */
  budget: Budget | undefined;
}

async function runRanges(
  definition: JobDefinition,
  wired: Omit<JobContext, 'stamp' | 'notes' | 'signal' | keyof Budget>,
  state: RunLedger,
  abort: AbortController,
  { only, metrics, budget }: RangeRunExtras,
): Promise<JobResult> {
  const { options } = wired;
  const all = state.record.ranges;
  const mine = options.shard ? shardOf(all.map(parseRangeId), options.shard.index, options.shard.count).map(rangeId) : all;
  // Rows the target refused are retried when the run is continued (--resume, --ranges-file): their ranges
  // are done again. The shared ledger keeps a done range done, so there a new run retries them.
  if (state.resumed && options.state.kind === 'local') for (const [id, checkpoint] of state.done) if ((checkpoint.counts.rejected ?? 0) > 0) state.done.delete(id);
  const todo = mine.filter((id) => !state.done.has(id) && (only === undefined || only.has(id)));
  const processes = Math.min(options.workers, todo.length);
  // With worker processes, each keeps its own share of the budget (and its own --max-latency window).
  const ctx: JobContext = {
    ...wired,
    ...(budget ?? budgetFor(processes > 1 ? { ...options, maxLatencyMs: undefined } : options, metrics)),
    stamp: BigInt(state.record.jobStartMicros),
    notes: new Set(),
    signal: abort.signal,
  };
  // The whole run's counts: ranges an earlier (resumed) process finished, then this process's ranges.
  const finishedCounts = () => mine.reduce((sum, id) => sum.add(state.done.get(id)?.counts ?? {}), new Counters());
  let totals = finishedCounts();
  const inFlight = new Set<Counters>();
  const failed: FailedRange[] = [];
  const live = () => [...inFlight].reduce((sum, c) => sum.add(c), new Counters().add(totals));
  const runLabels = { command: definition.command, keyspace: options.keyspace, table: options.table, runId: state.record.runId };
  logEvent('run-start', { ...runLabels, stamp: state.record.jobStartMicros, ranges: mine.length, rangesToDo: todo.length, workers: Math.max(1, processes), options: redactOptions(options) });
  await definition.begin?.(ctx);
  const ranges = processes > 1 ? await WorkerPool.start(processes, { command: definition.command, options, view: viewOf(state), knownRuns: wired.knownRuns }, abort.signal, metrics) : await inProcess(definition, ctx);
  metrics?.track({
    labels: { command: definition.command, keyspace: options.keyspace, table: options.table, run_id: state.record.runId },
    counts: live,
    ranges: () => ({ total: mine.length, done: mine.filter((id) => state.done.has(id)).length, failed: failed.length }),
    inFlight: () => ranges.inFlight(),
    stamp: ctx.stamp,
  });
  const progress = startProgress(`${definition.command} ${options.keyspace}.${options.table}`, mine, finishedBefore(mine, todo), () => live().rowsRead, options.quiet, options.maxLatencyMs === undefined ? undefined : () => ranges.window());
  try {
    // `concurrency` loops each take the next range from the ledger (a shared run's ledger hands out the
    // ranges no other worker holds, and waits while others hold the rest) until none is left. With worker
    // processes, the pool gives each range to the one with the fewest.
    await Promise.all(
      Array.from({ length: Math.min(options.concurrency, Math.max(1, todo.length)) }, async () => {
        for (let id = await state.next(todo, abort.signal); id !== undefined && !abort.signal.aborted; id = await state.next(todo, abort.signal)) {
          const counts = new Counters();
          inFlight.add(counts);
          try {
            const started = Date.now();
            for (const note of await ranges.run(id, counts)) ctx.notes.add(note);
            // Only finished ranges count: a failed range is done again from its start, and counted then.
            if (await state.recordDone({ range: id, counts: { ...counts }, finishedAt: new Date().toISOString(), seconds: (Date.now() - started) / 1000 })) totals.add(counts);
            progress.rangeFinished(id);
            const rejected = live().rejected;
            if (options.maxErrors > 0 && rejected > options.maxErrors && !abort.signal.aborted) {
              abort.abort(new TooManyRejectedRowsError(`the target refused ${rejected} rows, more than --max-errors ${options.maxErrors} (see rejected.csv): fix what it refuses, or raise --max-errors, then rerun with --resume`));
            }
          } catch (error) {
            if (!abort.signal.aborted) {
              const failure = { range: id, error: messageOf(error).split('\n')[0] as string };
              failed.push(failure);
              logEvent('range-failed', { ...runLabels, ...failure });
              await state.recordFailed(id, failure.error).catch(() => undefined);
            }
          } finally {
            inFlight.delete(counts);
          }
        }
      }),
    );
  } finally {
    progress.stop();
    await ranges.close();
  }
  // The whole run: what every worker recorded (a shared run's other workers included), and the ranges
  // they failed that nobody finished since.
  const { failed: failedElsewhere } = await state.refresh();
  for (const [range, error] of failedElsewhere) if (!state.done.has(range) && !failed.some((f) => f.range === range)) failed.push({ range, error });
  totals = finishedCounts();

  const stoppedBy: unknown = abort.signal.aborted ? abort.signal.reason : undefined;
  const summary: Summary = {
    command: definition.command,
    runId: state.record.runId,
    keyspace: options.keyspace,
    table: options.table,
    targetKeyspace: options.targetKeyspace,
    targetTable: options.targetTable,
    startedAt: state.record.startedAt,
    finishedAt: new Date().toISOString(),
    writetimeMode: state.record.writetimeMode,
    jobStartMicros: state.record.jobStartMicros,
    rangesTotal: mine.length,
    rangesDone: mine.filter((id) => state.done.has(id)).length,
    rangesFailed: failed.length,
    rowsRead: totals.rowsRead,
    rowsWritten: totals.rowsWritten,
    rowsCompared: totals.rowsCompared,
    missing: totals.missing,
    mismatched: totals.mismatched,
    extra: totals.extra,
    targetNewer: totals.targetNewer,
    corrected: totals.corrected,
    deleted: totals.deleted,
    listElementsInTarget: totals.listElementsInTarget,
    listsLeftToValidate: totals.listsLeftToValidate,
    rejected: totals.rejected,
    errors: [...failed.map((f) => `range ${f.range}: ${f.error}`), ...(stoppedBy instanceof TooManyRejectedRowsError ? [stoppedBy.message] : [])],
    notes: [...ctx.notes],
  };
  const reportDir = options.reportDir ?? state.dir;
  await writeSummary(reportDir, summary);
  // Ranges with refused rows are listed too, so that --ranges-file retries them.
  const refusedIn = mine.flatMap((range) => {
    const refused = state.done.get(range)?.counts.rejected ?? 0;
    return refused > 0 ? [{ range, error: `${refused} rows refused by the target (rejected.csv)` }] : [];
  });
  await writeFailedRanges(reportDir, [...failed, ...refusedIn], state.record);
  const failures = new Map(failed.map((f) => [f.range, f.error]));
  await writeHtmlReport(reportDir, summary, mine.map((range) => ({ range, checkpoint: state.done.get(range), error: failures.get(range) })));
  const exitCode = stoppedBy instanceof MigrateError ? stoppedBy.exitCode : abort.signal.aborted ? ExitCode.interrupted : failed.length > 0 ? ExitCode.failedRanges : definition.outcome ? definition.outcome(totals) : ExitCode.ok;
  const { errors: _errors, notes: _notes, ...counts } = summary;
  logEvent('run-end', { ...runLabels, exitCode, ...counts, reportDir });
  return { summary, reportDir, exitCode };
}
