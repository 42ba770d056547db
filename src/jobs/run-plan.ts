import { randomBytes } from 'node:crypto';
import type { JobOptions } from '../config/job-options.js';
import type { RangesFile } from '../report/failed-ranges.js';

/**
 * Which run a process works on, whether it continues it or creates it, and at what stamp: decided from the
 * options and what the run store knows, with no I/O of its own.
 */
export interface RunChoice {
  options: Pick<JobOptions['run'], 'resume' | 'runId'>;
  /** A keyspace job's table run: its run id inside the keyspace run's, and the keyspace run's stamp. */
  placement?: { runId: string; stamp: bigint } | undefined;
  /** A ranges file: the run it came from (if recorded) and that run's stamp. */
  fileRanges?: RangesFile | undefined;
  /** The latest run of the job, when `--resume` names none. */
  latestRun?: string | undefined;
  /** Which of the runs named above (placement, ranges file) the store holds. */
  stored: ReadonlySet<string>;
  /** The id a new run gets. */
  freshRunId: string;
}

/**
 * A keyspace job's table run, the run resumed, the run a ranges file came from (its failed ranges are rerun
 * inside it, at its stamp), the run named by --run-id, or a new one.
 */
export function chooseRunId(choice: RunChoice): string {
  const { options, placement, fileRanges, latestRun, stored } = choice;
  if (placement) return placement.runId;
  if (options.resume === true) return latestRun as string;
  if (options.resume !== undefined) return options.resume;
  if (fileRanges?.runId !== undefined && stored.has(fileRanges.runId)) return fileRanges.runId;
  return options.runId ?? choice.freshRunId;
}

/**
 * Whether the chosen run is continued: a keyspace job's table run when it exists (its --resume is the
 * keyspace job's, not the table's), a resumed run, or the stored run a ranges file came from.
 */
export function continues(choice: RunChoice, runId: string): boolean {
  if (choice.placement) return choice.stored.has(runId);
  return choice.options.resume !== undefined || (choice.fileRanges?.runId === runId && choice.stored.has(runId));
}

/**
 * A new run's stamp: the explicit --writetime; else a keyspace job's (its tables share it), or the stamp of
 * the run a ranges file came from (the rerun's rows land at the first run's stamp), or the job start.
 */
export function stampOf(choice: Pick<RunChoice, 'placement' | 'fileRanges'>, write: Pick<JobOptions['write'], 'writetime'>, jobStart: bigint): bigint {
  if (typeof write.writetime === 'bigint') return write.writetime;
  return choice.placement?.stamp ?? choice.fileRanges?.jobStartMicros ?? jobStart;
}

/** The explicit --writetime, or now less the skew margin: taken before the first read, so every live write the proxy makes later is newer. */
export const jobStartStamp = (options: Pick<JobOptions, 'write' | 'run'>, nowMs = Date.now()): bigint =>
  typeof options.write.writetime === 'bigint' ? options.write.writetime : BigInt(nowMs) * 1000n - BigInt(Math.round(options.run.skewMarginSeconds * 1e6));

export const newRunId = (command: string, startedAt: string): string =>
  `${command}-${startedAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(2).toString('hex')}`;
