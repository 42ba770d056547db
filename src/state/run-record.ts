import type { RowTally } from '../report/summary.js';

/** What a run records when it starts; `--resume` reads it back. */
export interface RunRecord {
  runId: string;
  command: 'copy' | 'validate';
  /** Identifies the job (command, clusters, tables) across runs: resume and locks key on it. */
  jobKey: string;
  startedAt: string;
  /** The stamp the copy writes (job-start or explicit), skew margin included; null in preserve mode. */
  jobStartMicros: string;
  writetimeMode: string;
  /**
   * The window above jobStartMicros that holds every stamp this job writes (DESIGN.md, "The one rule"):
   * a later validate recognises a target cell in it as ours. Absent in records from before it existed.
   */
  ownWindowMicros?: string;
  /** The work units, by range id, so a resumed run splits the ring the same way. */
  ranges: string[];
  /** The source table (absent in records from before it was recorded: read from their options then). */
  keyspace?: string;
  table?: string;
  options: Record<string, unknown>;
}

/** A keyspace job's run: its tables' runs are folders inside it (`runs/ID/TABLE`), one stamp for all. */
export interface KeyspaceRunRecord {
  kind: 'keyspace';
  runId: string;
  command: 'copy' | 'validate';
  jobKey: string;
  startedAt: string;
  jobStartMicros: string;
  keyspace: string;
  targetKeyspace: string;
  tables: string[];
  options: Record<string, unknown>;
}

export interface RangeCheckpoint {
  range: string;
  /** What the range counted (rows read and written, differences...). */
  counts: Partial<RowTally>;
  finishedAt: string;
  /** How long the range took (absent in checkpoints from before it was recorded). */
  seconds?: number;
}

