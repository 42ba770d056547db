import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { format, parseString } from 'fast-csv';
import { InputError } from '../errors.js';
import { parseRangeId } from '../ring/token-range.js';

export interface FailedRange {
  range: string;
  error: string;
}

/** failed-ranges.csv (`range,error`): the input of a later `--ranges-file`. */
export async function writeFailedRanges(dir: string, failed: FailedRange[]): Promise<string> {
  const path = join(dir, 'failed-ranges.csv');
  await new Promise<void>((resolve, reject) => {
    const out = createWriteStream(path);
    const csv = format({ headers: ['range', 'error'], alwaysWriteHeaders: true, includeEndRowDelimiter: true });
    csv.pipe(out).on('finish', resolve).on('error', reject);
    for (const f of failed) csv.write([f.range, f.error]);
    csv.end();
  });
  return path;
}

/** Reads the ranges of a failed-ranges.csv (or any CSV with a `range` column of START:END). */
export async function readRangesFile(path: string): Promise<string[]> {
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
  return rows.map((row, i) => {
    try {
      const range = parseRangeId(row.range ?? '');
      return `${range.start}:${range.end}`;
    } catch (error) {
      throw new InputError(`--ranges-file ${path} line ${i + 2}: ${(error as Error).message}`);
    }
  });
}
