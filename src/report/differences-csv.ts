import { createWriteStream, existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import { format, type CsvFormatterStream, type FormatterRow } from 'fast-csv';

/**
 * differences.csv, streamed: `kind,<primary key columns...>,columns,note`, one line per difference as it
 * is confirmed, never held in memory as a whole.
 */
export class DifferencesCsv {
  private constructor(
    readonly path: string,
    private readonly csv: CsvFormatterStream<FormatterRow, FormatterRow>,
    private readonly finished: Promise<unknown>,
  ) {}

  static async open(dir: string, keyColumns: string[], append: boolean): Promise<DifferencesCsv> {
    await mkdir(dir, { recursive: true });
    const path = join(dir, 'differences.csv');
    const continuing = append && existsSync(path);
    const out = createWriteStream(path, { flags: continuing ? 'a' : 'w' });
    const headers = ['kind', ...keyColumns, 'columns', 'note'];
    const csv = format({ headers, includeEndRowDelimiter: true, ...(continuing ? { writeHeaders: false } : { alwaysWriteHeaders: true }) });
    csv.pipe(out);
    return new DifferencesCsv(path, csv, once(out, 'finish'));
  }

  async write(line: string[]): Promise<void> {
    if (!this.csv.write(line)) await once(this.csv, 'drain');
  }

  async close(): Promise<void> {
    this.csv.end();
    await this.finished;
  }
}
