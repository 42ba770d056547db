import type { JobOptions } from '../config/job-options.js';
import type { Session } from '../connect/session.js';
import type { ExitCode } from '../errors.js';
import type { RowTally, Summary } from '../report/summary.js';
import type { TokenRange } from '../ring/token-range.js';
import type { Column, TableSchema } from '../schema/table-schema.js';
import type { RunView } from '../state/ledger.js';
import type { RunRecord } from '../state/run-state.js';
import type { Budget } from './budget.js';
import type { TargetTable } from '../schema/target-table.js';
import type { JobKey } from '../state/job-key.js';
import type { Comparison } from '../ring/partitioner.js';

/** What a job is: the command's definition, what its range workers are given, what it ends with. */
export type Command = 'copy' | 'validate';

/** Everything a job's range worker needs, wired once per run. */
export interface JobContext extends Budget {
  command: Command;
  options: JobOptions;
  source: Session;
  target: Session;
  sourceSchema: TableSchema;
  targetSchema: TableSchema;
  /** The target table and the source columns' names there (--rename applied). */
  targetTable: TargetTable;
  /** The source cell columns the job moves or compares (after --exclude). */
  cells: Column[];
  /** The target column of each of `cells`, in the same order (after --rename). */
  targetCells: Column[];
  /** validate: by the source's token ranges on both sides, or across partitioners (the target filed by source range). */
  comparison: Comparison;
  /** The job: command, clusters (by identity) and tables, shard; copy and validate runs of one migration share its table pair. */
  job: JobKey;
  /** The run's plan and the ranges finished when this process began. */
  state: RunView;
  /** Every run in the run store when this run began (earlier runs of this table pair tell validate what we wrote). */
  knownRuns: RunRecord[];
  /** The job-start stamp (skew margin included) or the explicit --writetime; recorded in the run. */
  stamp: bigint;
  /** Approximations the run had to make, reported once each in the summary. */
  notes: Set<string>;
  signal: AbortSignal;
}

/** Where the run's reports go: --report-dir, or the run's own folder in the state. */
export const reportDirOf = (ctx: Pick<JobContext, 'options' | 'state'>): string => ctx.options.output.reportDir ?? ctx.state.dir;

/** Works through one token range, adding what it does to `counts` as it goes (progress reads them live). */
export type RangeWorker = (range: TokenRange, counts: RowTally) => Promise<void>;

/** What is known of a job before its run is recorded: enough to refuse bad input. */
export type JobPlan = Pick<JobContext, 'options' | 'source' | 'target' | 'sourceSchema' | 'targetSchema' | 'cells' | 'comparison'>;

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
  /** Called once on this machine when every range of the run is done (validate drops its filing of the target). */
  end?(ctx: JobContext): Promise<void>;
  /** The exit code of a run that was neither interrupted nor failed a range, from the whole run's counts. */
  outcome?(counts: RowTally): ExitCode;
}

export interface JobResult {
  summary: Summary;
  reportDir: string;
  exitCode: ExitCode;
}

/** Where a table's run lives when it is one table of a keyspace job, and what it shares with the others. */
export interface KeyspacePlacement {
  /** `KEYSPACE_RUN/TABLE`: the table's run folder inside the keyspace run's. */
  runId: string;
  /** The keyspace job's stamp: one for every table. */
  stamp: bigint;
  budget: Budget;
}

/** What a table's job knows once both schemas are read and checked; a worker process wires the same. */
export type WiredTable = Pick<JobContext, 'sourceSchema' | 'targetSchema' | 'targetTable' | 'cells' | 'targetCells' | 'comparison' | 'job'> & { jobKey: string };

