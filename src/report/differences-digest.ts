import { createReadStream } from 'node:fs';
import { parse } from 'fast-csv';

/** What a table page shows of its differences.csv: how many rows differ in each column, and the first few. */
export interface DifferencesDigest {
  /** Column -> differing rows (a row counts once per column it differs in), most first. */
  byColumn: [column: string, rows: number][];
  /** The header of differences.csv and its first lines. */
  header: string[];
  sample: string[][];
}

const SAMPLE_SIZE = 20;

/** Streams differences.csv (it may hold millions of lines); null when the run wrote none. */
export async function digestDifferences(path: string): Promise<DifferencesDigest | null> {
  const counts = new Map<string, number>();
  const sample: string[][] = [];
  let header: string[] | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      createReadStream(path)
        .on('error', reject)
        .pipe(parse<string[], string[]>({ headers: false }))
        .on('error', reject)
        .on('data', (row: string[]) => {
          if (!header) {
            header = row;
            return;
          }
          const columns = row[header.indexOf('columns')] ?? '';
          for (const column of columns.split(' ').filter(Boolean)) counts.set(column, (counts.get(column) ?? 0) + 1);
          if (sample.length < SAMPLE_SIZE) sample.push(row);
        })
        .on('end', () => resolve());
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  return { byColumn: [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])), header: header ?? [], sample };
}
