import { join } from 'node:path';
import pLimit from 'p-limit';
import { type JobOptions, parseJobOptions, redactOptions, type TableChoice } from '../config/options.js';
import { withBothClusters } from '../connect/both-clusters.js';
import type { Session } from '../connect/session.js';
import { ExitCode, exitCodeOf, InputError, messageOf } from '../errors.js';
import { type KeyspaceSummary, type TableOutcome, writeKeyspaceReport } from '../report/keyspace-report.js';
import { DEFAULT_CLEAN_RUNS, DEFAULT_MAX_AGE_MS, judgeReadiness } from '../report/readiness.js';
import { formatSummary, writeSummary } from '../report/summary.js';
import type { LedgerStore } from '../state/ledger.js';
import type { KeyspaceRunRecord } from '../state/run-state.js';
import { type Budget, budgetFor, type Command, type JobDefinition, jobStartStamp, ledgerStore, newRunId, runConnected, withInterrupts, withMetrics } from './pipeline.js';

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
export function runKeyspaceJob(definitionFor: () => JobDefinition, shared: JobOptions, raw: Record<string, unknown>, env: NodeJS.ProcessEnv): Promise<KeyspaceResult> {
  const command = definitionFor().command;
  // Each named table's own options are checked before connecting: bad input stops the job before it writes.
  for (const choice of shared.tables ?? []) tableOptions(raw, choice, env);
  return withInterrupts((abort) =>
    withMetrics(command, shared, (metrics) => withBothClusters(shared, abort.signal, async (source, target) => {
      const jobKey = `${command} ${source.identity}/${shared.keyspace}.* -> ${target.identity}/${shared.targetKeyspace}.*`;
      const store = await ledgerStore(shared, target);
      const resumed = shared.resume === undefined ? undefined : await store.resumeKeyspaceRun(jobKey, shared.resume);
      const runId = resumed?.runId ?? shared.runId ?? newRunId(command, new Date().toISOString());
      const release = await store.lock(jobKey, runId);
      try {
        const run = resumed ?? (await newKeyspaceRun(command, shared, jobKey, runId, store, await chooseTables(source, shared)));
        const choices = run.tables.map((name) => shared.tables?.find((c) => c.name === name) ?? { name, overrides: {} });
        const budget = budgetFor(shared, metrics);
        const outcomes: Record<string, TableOutcome> = {};
        const pool = pLimit(shared.tableConcurrency);
        await Promise.all(
          choices.map((choice) =>
            pool(async () => {
              if (abort.signal.aborted) {
                outcomes[choice.name] = { exitCode: ExitCode.interrupted, error: 'not started: the job was interrupted' };
                return;
              }
              try {
                const options = { ...tableOptions(raw, choice, env), ...tableShare(shared, choice) };
                if (shared.reportDir) options.reportDir = join(shared.reportDir, choice.name);
                const placement = { runId: `${run.runId}/${choice.name}`, stamp: BigInt(run.jobStartMicros), budget: tableBudget(budget, choice) };
                const result = await runConnected(definitionFor(), options, source, target, abort, { placement, metrics });
                outcomes[choice.name] = { exitCode: result.exitCode, summary: result.summary, reportDir: result.reportDir };
              } catch (error) {
                outcomes[choice.name] = { exitCode: exitCodeOf(error), error: messageOf(error).split('\n')[0] as string };
              }
            }),
          ),
        );
        const worst = Math.max(ExitCode.ok, ...Object.values(outcomes).map((o) => o.exitCode)) as ExitCode;
        const exitCode = abort.signal.aborted ? ExitCode.interrupted : worst;
        const summary: KeyspaceSummary = {
          command,
          runId: run.runId,
          keyspace: shared.keyspace,
          targetKeyspace: shared.targetKeyspace,
          startedAt: run.startedAt,
          finishedAt: new Date().toISOString(),
          jobStartMicros: run.jobStartMicros,
          exitCode,
          tables: Object.fromEntries(run.tables.map((t) => [t, outcomes[t] as TableOutcome])),
        };
        const reportDir = shared.reportDir ?? join(shared.stateDir, 'runs', run.runId);
        await writeSummary(reportDir, summary);
        // After a keyspace validate, the cut-over verdict from every run recorded so far (migrate ready's defaults).
        const readiness = command === 'validate' ? judgeReadiness(shared.keyspace, undefined, await store.outcomes(), { cleanRuns: DEFAULT_CLEAN_RUNS, maxAgeMs: DEFAULT_MAX_AGE_MS, now: Date.now() }) : null;
        if (readiness) metrics.readiness(shared.keyspace, readiness);
        await writeKeyspaceReport(reportDir, summary, readiness);
        return { summary, reportDir, exitCode };
      } finally {
        await release().catch(() => undefined);
      }
    }, metrics)),
  );
}

/**
 * What a table's worker processes may use (they cannot draw on this process's budget): the job's in-flight
 * cap and rate limit split between the tables that run at once, narrowed by the table's own rate limit, so
 * that the tables together stay within the job's budget. In this process the shared budget is used itself.
 */
function tableShare(shared: JobOptions, choice: TableChoice): Pick<JobOptions, 'maxInFlight' | 'rateLimit'> {
  const atOnce = Math.max(1, shared.tableConcurrency);
  const share = shared.rateLimit === undefined ? undefined : Math.max(1, Math.floor(shared.rateLimit / atOnce));
  const own = choice.overrides['rate-limit'] === undefined ? undefined : Number(choice.overrides['rate-limit']);
  const rateLimit = share === undefined ? own : own === undefined ? share : Math.min(share, own);
  return { maxInFlight: Math.max(1, Math.ceil(shared.maxInFlight / atOnce)), rateLimit };
}

/** The job's budget, and a table's own rate limit on top when its config entry sets one. */
function tableBudget(shared: Budget, choice: TableChoice): Budget {
  const own = choice.overrides['rate-limit'];
  if (own === undefined) return shared;
  const cap = budgetFor({ maxInFlight: 1, rateLimit: Number(own), maxLatencyMs: undefined });
  return {
    inFlight: shared.inFlight,
    throttle: async (rows) => {
      await cap.throttle(rows);
      await shared.throttle(rows);
    },
  };
}

/** A table's options: the job's, then its own from the config file's `tables:` entry. */
function tableOptions(raw: Record<string, unknown>, choice: TableChoice, env: NodeJS.ProcessEnv): JobOptions {
  const { tables: _tables, 'exclude-tables': _excluded, ...common } = raw;
  return parseJobOptions({ ...common, 'target-table': choice.name, ...choice.overrides, table: choice.name }, env);
}

/** The source keyspace's tables (views are not tables: the target builds its own), as chosen. */
async function chooseTables(source: Session, options: JobOptions): Promise<string[]> {
  const rows = await source.read('SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?', [options.keyspace]);
  const all = rows.rows.map((r) => r.get('table_name') as string).sort();
  if (all.length === 0) throw new InputError(`keyspace ${options.keyspace} has no tables on the source cluster: check --keyspace`);
  const unknown = [...(options.tables ?? []).map((c) => c.name), ...options.excludeTables].filter((t) => !all.includes(t));
  if (unknown.length > 0) throw new InputError(`${unknown.join(', ')}: not a table of ${options.keyspace} on the source (its tables: ${all.join(', ')}); fix --tables or --exclude-tables`);
  const chosen = (options.tables?.map((c) => c.name) ?? all).filter((t) => !options.excludeTables.includes(t));
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
    keyspace: options.keyspace,
    targetKeyspace: options.targetKeyspace,
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
