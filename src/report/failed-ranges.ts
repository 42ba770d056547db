import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { format, parseString } from 'fast-csv';
import { InputError } from '../errors.js';
import { parseRangeId } from '../ring/token-range.js';
import type { RunRecord } from '../state/run-state.js';

export interface FailedRange {
  range: string;
  error: string;
}

/** What a `--ranges-file` gives: its ranges, and the run they failed in when the file names it. */
export interface RangesFile {
  ranges: string[];
  runId: string | undefined;
  jobStartMicros: bigint | undefined;
}

/**
 * failed-ranges.csv (`range,error,run_id,job_start_micros`): the input of a later `--ranges-file`, which
 * reruns the ranges inside the run they failed in, at its stamp.
 */
export async function writeFailedRanges(dir: string, failed: FailedRange[], run: Pick<RunRecord, 'runId' | 'jobStartMicros'>): Promise<string> {
  const path = join(dir, 'failed-ranges.csv');
  await new Promise<void>((resolve, reject) => {
    const out = createWriteStream(path);
    const csv = format({ headers: ['range', 'error', 'run_id', 'job_start_micros'], alwaysWriteHeaders: true, includeEndRowDelimiter: true });
    csv.pipe(out).on('finish', resolve).on('error', reject);
    for (const f of failed) csv.write([f.range, f.error, run.runId, run.jobStartMicros]);
    csv.end();
  });
  return path;
}

/** Reads a failed-ranges.csv (or any CSV with a `range` column of START:END). */
export async function readRangesFile(path: string): Promise<RangesFile> {
  const text = await readFile(path, 'utf8').catch(() => {
    throw new InputError(`--ranges-file ${path} cannot be read: give the failed-ranges.csv of an earlier run`);
  });
  const rows = await new Promise<Record<string, string>[]>((resolve, reject) => {
    const out: Record<string, string>[] = [];
    parseString(text, { headers: true })
      .on('error', reject)
      .on('data', (row: Record<string, string>) => out.push(row))
      .on('end', () => resolve(out));
  });
  if (rows.length === 0) throw new InputError(`--ranges-file ${path} lists no ranges: nothing to rerun (the run it came from had no failed ranges)`);
  const ranges = rows.map((row, i) => {
    try {
      const range = parseRangeId(row.range ?? '');
      return `${range.start}:${range.end}`;
    } catch (error) {
      throw new InputError(`--ranges-file ${path} line ${i + 2}: ${(error as Error).message}`);
    }
  });
  const runIds = new Set(rows.map((row) => row.run_id || undefined));
  if (runIds.size > 1) throw new InputError(`--ranges-file ${path} mixes ranges of several runs: rerun each run's failed-ranges.csv on its own`);
  const stamp = rows[0]?.job_start_micros;
  return { ranges, runId: rows[0]?.run_id || undefined, jobStartMicros: stamp && /^\d+$/.test(stamp) ? BigInt(stamp) : undefined };
}
