import { type FileHandle, open, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseString, writeToString } from 'fast-csv';
import { makeFolder } from '../state/make-folder.js';

/**
 * A run's CSV of rows found in its ranges, the range last on each line: differences.csv
 * (`kind,<primary key columns...>,columns,note,range`) and rejected.csv (`<primary key columns...>,columns,
 * error,range`). Lines are appended as they are found and are on disk before their range is recorded done.
 * A killed run leaves whole lines (at worst one cut short at the end); a resumed run keeps the lines of the
 * ranges recorded done and drops the rest, which it does again, so every row is listed once.
 */
export class RangeCsv {
  private constructor(
    readonly path: string,
    private readonly file: FileHandle,
  ) {}

  /**
   * Starts the run's file (once, before any process appends): the header, and when continuing a run
   * (`keepRanges`), the lines of the ranges it finished.
   */
  static async start(dir: string, name: string, header: string[], keepRanges: ReadonlySet<string> | undefined): Promise<void> {
    await makeFolder(dir);
    const path = join(dir, name);
    const headerLine = await writeToString([[...header, 'range']], { includeEndRowDelimiter: true });
    const kept = keepRanges ? await linesOfRanges(path, keepRanges) : [];
    await writeFile(`${path}.partial`, headerLine + kept.join(''));
    await rename(`${path}.partial`, path);
  }

  /** The started file, for one process to append its ranges' lines (several processes may). */
  static async append(dir: string, name: string): Promise<RangeCsv> {
    const path = join(dir, name);
    return new RangeCsv(path, await open(path, 'a'));
  }

  async write(range: string, fields: string[]): Promise<void> {
    // One write of one whole line to a file opened for append: lines from concurrent ranges, and from
    // other worker processes, never interleave.
    await this.file.write(await writeToString([[...fields, range]], { includeEndRowDelimiter: true }));
  }

  async close(): Promise<void> {
    await this.file.close();
  }
}

/** The whole lines of an earlier part of the run that belong to `ranges`, as written. */
async function linesOfRanges(path: string, ranges: ReadonlySet<string>): Promise<string[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  // A line cut short by a kill has no line end: it is dropped (its range was not recorded done).
  const whole = text.slice(0, text.lastIndexOf('\n') + 1);
  const rows = await new Promise<string[][]>((resolve, reject) => {
    const out: string[][] = [];
    parseString<string[], string[]>(whole, { headers: false })
      .on('error', reject)
      .on('data', (row: string[]) => out.push(row))
      .on('end', () => resolve(out));
  });
  const lines = await Promise.all(rows.slice(1).filter((row) => ranges.has(row.at(-1) ?? '')).map((row) => writeToString([row], { includeEndRowDelimiter: true })));
  return lines;
}

/** differences.csv: what validate found, one line per difference. */
export const DifferencesCsv = {
  start: (dir: string, keyColumns: string[], keepRanges: ReadonlySet<string> | undefined) => RangeCsv.start(dir, 'differences.csv', ['kind', ...keyColumns, 'columns', 'note'], keepRanges),
  append: (dir: string) => RangeCsv.append(dir, 'differences.csv'),
};

/** rejected.csv: the rows the target refused (copy --max-errors), with the server's message. */
export const RejectedCsv = {
  start: (dir: string, keyColumns: string[], keepRanges: ReadonlySet<string> | undefined) => RangeCsv.start(dir, 'rejected.csv', [...keyColumns, 'columns', 'error'], keepRanges),
  append: (dir: string) => RangeCsv.append(dir, 'rejected.csv'),
};
