import type { RunProgress } from './run-outcome.js';
import type { KeyspaceRunRecord, RangeCheckpoint, RunRecord } from './run-record.js';

/**
 * One run as a process works on it: its plan (stamp, ranges), the ranges finished so far, and claims on
 * the ranges left. Two stores keep it: the local state folder (one process) and a keyspace in the target
 * cluster (any number of processes on any machines, claiming ranges with leases).
 */
export interface RunLedger {
  readonly record: RunRecord;
  /** This process's folder for the run's reports (a shared run has one on each machine). */
  readonly dir: string;
  /** Finished ranges, by id: those finished before this process started, its own, and (after refresh) others'. */
  readonly done: Map<string, RangeCheckpoint>;
  /** Whether another process worked on this run before or beside this one. */
  readonly resumed: boolean;
  /** The next range of `candidates` this process holds, or undefined when none is left to claim or wait for. */
  next(candidates: readonly string[], signal: AbortSignal): Promise<string | undefined>;
  /** Records a finished range; false when another worker took it over (this process's lease lapsed): its result stands. */
  recordDone(checkpoint: RangeCheckpoint): Promise<boolean>;
  /** Gives a range up with its error (status counts it), so that a rerun (or another live process) does it again. */
  recordFailed(range: string, error: string): Promise<void>;
  /** Reads back what every process has recorded: the whole run's results, and ranges others failed. */
  refresh(): Promise<{ failed: Map<string, string> }>;
  /** Stops renewing leases; ranges still held are left to expire (a shared run) or simply not done. */
  close(): Promise<void>;
}

/** The runs a store holds, as `migrate status` and `migrate ready` read them. */
export interface RunHistory {
  /** The place, for messages ("in .migrate", "in keyspace cql_migrate of the target cluster"). */
  readonly where: string;
  /** Every table run of the store, oldest first. */
  listRuns(): Promise<RunRecord[]>;
  /** What each table run did and who works on it now, oldest first: every run, or one run id's (a keyspace run's tables too). */
  progress(runId?: string): Promise<RunProgress[]>;
}

/**
 * The job's lock, held for one run: `lost` aborts when another run of the job took it (a lease that ran
 * out while this process could not renew it), so the run stops rather than work beside the other one.
 */
export interface JobLock {
  readonly lost: AbortSignal;
  release(): Promise<void>;
}

/** Where runs, claims and locks are kept: the local state folder, or a keyspace of the target cluster. */
export interface LedgerStore extends RunHistory {
  /** The latest run of the job (`--resume` without an id). */
  latestRunOf(jobKey: string): Promise<string>;
  exists(runId: string): Promise<boolean>;
  /** A new run. The local store refuses an id it has; the shared store joins the run of that id (same job). */
  create(record: RunRecord): Promise<RunLedger>;
  resume(jobKey: string, runId: string): Promise<RunLedger>;
  /** A keyspace job's run. The local store refuses an id it has; the shared store joins the run of that id. */
  createKeyspaceRun(record: KeyspaceRunRecord): Promise<KeyspaceRunRecord>;
  /** A keyspace job's run to continue: the given id, or the latest run of the job. */
  resumeKeyspaceRun(jobKey: string, runId: string | true): Promise<KeyspaceRunRecord>;
  /** The job's lock for `runId`: another run of the job is refused while it is held. */
  lock(jobKey: string, runId: string): Promise<JobLock>;
}

/** What a job reads of its run: the plan, where its reports go, and what was finished when it began. */
export type RunView = Pick<RunLedger, 'record' | 'dir' | 'resumed' | 'done'>;
