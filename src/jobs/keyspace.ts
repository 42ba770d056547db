import { join } from 'node:path';
import pLimit from 'p-limit';
import { type JobOptions, optionsForTable, redactOptions, WHOLE_KEYSPACE } from '../config/job-options.js';
import { withBothClusters } from '../connect/both-clusters.js';
import type { Session } from '../connect/session.js';
import { ExitCode, exitCodeOf, InputError, messageOf } from '../errors.js';
import { type KeyspaceSummary, type TableOutcome, writeKeyspaceReport } from '../report/keyspace-report.js';
import { DEFAULT_CLEAN_RUNS, DEFAULT_MAX_AGE_MS, judgeReadiness } from '../report/readiness.js';
import { formatSummary, writeSummary } from '../report/summary.js';
import type { LedgerStore } from '../state/ledger.js';
import type { KeyspaceRunRecord } from '../state/run-state.js';
import type { JobMetrics } from '../report/metrics.js';
import { openLedgerStore } from '../state/choose-store.js';
import { liveBudget, narrowedTo, shareOf, withOwnRate } from './budget.js';
import type { Command, JobDefinition } from './job-definition.js';
import { runConnected, withJobLock } from './pipeline.js';
import { jobStartStamp, newRunId } from './run-plan.js';
import { encodeJobKey } from '../state/job-key.js';

export type { KeyspaceSummary, TableOutcome } from '../report/keyspace-report.js';

export interface KeyspaceResult {
  summary: KeyspaceSummary;
  reportDir: string;
  exitCode: ExitCode;
}

/**
 * Every table of a keyspace (or those chosen) as one job: one lock, one run id and stamp, one requests and
 * rate budget, tables one after another (or --table-concurrency at once). A table that fails or differs
 * does not stop the others. Each table's run is a folder inside the keyspace run, so `--resume` skips the
 * tables (and ranges) already done.
 */
export async function runKeyspaceJob(definitionFor: () => JobDefinition, shared: JobOptions, entries: ReadonlyMap<string, JobOptions>, abort: AbortController, metrics: JobMetrics): Promise<KeyspaceResult> {
  const command = definitionFor().command;
  return withBothClusters(
    shared.clusters,
    abort.signal,
    async (source, target) => {
      const { keyspace, targetKeyspace } = shared.selection;
      const jobKey = encodeJobKey({ command, source: { cluster: source.identity, keyspace, table: WHOLE_KEYSPACE }, target: { cluster: target.identity, keyspace: targetKeyspace, table: WHOLE_KEYSPACE } });
      const store = await openLedgerStore(shared.run, target);
      const resumed = shared.run.resume === undefined ? undefined : await store.resumeKeyspaceRun(jobKey, shared.run.resume);
      const runId = resumed?.runId ?? shared.run.runId ?? newRunId(command, new Date().toISOString());
      return withJobLock(store, jobKey, runId, abort, async () => {
        const run = resumed ?? (await newKeyspaceRun(command, shared, jobKey, runId, store, await chooseTables(source, shared)));
        const outcomes = await runTables(definitionFor, shared, entries, run, { source, target, abort, metrics });
        return endKeyspaceRun(command, shared, run, outcomes, store, abort.signal, metrics);
      });
    },
    metrics,
  );
}

interface Connected {
  source: Session;
  target: Session;
  abort: AbortController;
  metrics: JobMetrics;
}

/** The run's tables, --table-concurrency at once, on one budget; a table that fails or differs does not stop the others. */
async function runTables(definitionFor: () => JobDefinition, shared: JobOptions, entries: ReadonlyMap<string, JobOptions>, run: KeyspaceRunRecord, { source, target, abort, metrics }: Connected): Promise<Record<string, TableOutcome>> {
  const budget = liveBudget(shared.throughput, metrics);
  const atOnce = shared.run.tableConcurrency;
  const outcomes: Record<string, TableOutcome> = {};
  const pool = pLimit(atOnce);
  await Promise.all(
    run.tables.map((name) =>
      pool(async () => {
        if (abort.signal.aborted) {
          outcomes[name] = { exitCode: ExitCode.interrupted, error: 'not started: the job was interrupted' };
          return;
        }
        try {
          const own = optionsForTable(shared, entries, name);
          const ownRate = entries.has(name) ? own.throughput.rateLimit : undefined;
          // What the table's worker processes may use (they cannot draw on this process's budget): the job's
          // share for the tables that run at once, narrowed by the table's own rate limit.
          const { maxInFlight, rateLimit } = narrowedTo(shareOf(shared.throughput, atOnce), ownRate);
          const options = { ...own, throughput: { ...own.throughput, maxInFlight, rateLimit } };
          if (shared.output.reportDir) options.output = { ...options.output, reportDir: join(shared.output.reportDir, name) };
          const placement = { runId: `${run.runId}/${name}`, stamp: BigInt(run.jobStartMicros), budget: withOwnRate(budget, ownRate) };
          const result = await runConnected(definitionFor(), options, source, target, abort, { placement, metrics });
          outcomes[name] = { exitCode: result.exitCode, summary: result.summary, reportDir: result.reportDir };
        } catch (error) {
          outcomes[name] = { exitCode: exitCodeOf(error), error: messageOf(error).split('\n')[0] as string };
        }
      }),
    ),
  );
  return outcomes;
}

/** The keyspace job's summary and report; after a keyspace validate, the cut-over verdict from every run recorded so far. */
async function endKeyspaceRun(command: Command, shared: JobOptions, run: KeyspaceRunRecord, outcomes: Record<string, TableOutcome>, store: LedgerStore, signal: AbortSignal, metrics: JobMetrics): Promise<KeyspaceResult> {
  const worst = Math.max(ExitCode.ok, ...Object.values(outcomes).map((o) => o.exitCode)) as ExitCode;
  const exitCode = signal.aborted ? ExitCode.interrupted : worst;
  const summary: KeyspaceSummary = {
    command,
    runId: run.runId,
    keyspace: shared.selection.keyspace,
    targetKeyspace: shared.selection.targetKeyspace,
    startedAt: run.startedAt,
    finishedAt: new Date().toISOString(),
    jobStartMicros: run.jobStartMicros,
    exitCode,
    tables: Object.fromEntries(run.tables.map((t) => [t, outcomes[t] as TableOutcome])),
  };
  const reportDir = shared.output.reportDir ?? join(shared.run.stateDir, 'runs', run.runId);
  await writeSummary(reportDir, summary);
  // migrate ready's defaults.
  const readiness = command === 'validate' ? judgeReadiness(shared.selection.keyspace, undefined, await store.progress(), { cleanRuns: DEFAULT_CLEAN_RUNS, maxAgeMs: DEFAULT_MAX_AGE_MS, now: Date.now() }) : null;
  if (readiness) metrics.readiness(shared.selection.keyspace, readiness);
  await writeKeyspaceReport(reportDir, summary, readiness);
  return { summary, reportDir, exitCode };
}

/** The source keyspace's tables (views are not tables: the target builds its own), as chosen. */
async function chooseTables(source: Session, options: JobOptions): Promise<string[]> {
  const rows = await source.read('SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?', [options.selection.keyspace]);
  const all = rows.rows.map((r) => r.get('table_name') as string).sort();
  if (all.length === 0) throw new InputError(`keyspace ${options.selection.keyspace} has no tables on the source cluster: check --keyspace`);
  const unknown = [...(options.selection.tables ?? []).map((c) => c.name), ...options.selection.excludeTables].filter((t) => !all.includes(t));
  if (unknown.length > 0) throw new InputError(`${unknown.join(', ')}: not a table of ${options.selection.keyspace} on the source (its tables: ${all.join(', ')}); fix --tables or --exclude-tables`);
  const chosen = (options.selection.tables?.map((c) => c.name) ?? all).filter((t) => !options.selection.excludeTables.includes(t));
  if (chosen.length === 0) throw new InputError('--exclude-tables leaves no table to run: name fewer');
  return chosen;
}

/** A new keyspace run, or (a shared store) the run of that id another process created first. */
function newKeyspaceRun(command: Command, options: JobOptions, jobKey: string, runId: string, store: LedgerStore, tables: string[]): Promise<KeyspaceRunRecord> {
  return store.createKeyspaceRun({
    kind: 'keyspace',
    runId,
    command,
    jobKey,
    startedAt: new Date().toISOString(),
    jobStartMicros: jobStartStamp(options).toString(),
    keyspace: options.selection.keyspace,
    targetKeyspace: options.selection.targetKeyspace,
    tables,
    options: redactOptions(options),
  });
}

/** Each table's summary in a few lines, then the job's outcome. */
export function formatKeyspaceSummary({ summary, reportDir }: KeyspaceResult): string {
  const lines = Object.entries(summary.tables).map(([table, outcome]) =>
    outcome.summary ? formatSummary(outcome.summary, outcome.reportDir ?? reportDir) : `${summary.command} ${summary.keyspace}.${table}: ${outcome.error} (exit ${outcome.exitCode})`,
  );
  const tables = Object.values(summary.tables);
  lines.push(`${summary.command} of keyspace ${summary.keyspace} (run ${summary.runId}): ${tables.filter((t) => t.exitCode === ExitCode.ok).length}/${tables.length} tables exit 0; exit ${summary.exitCode}; report: ${reportDir}`);
  return lines.join('\n');
}
