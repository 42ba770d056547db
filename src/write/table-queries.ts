import type { QueryTexts } from './cell-groups.js';
import { type ListTexts, listTexts } from './list-writes.js';

/** A text made for a list of column names or assignments, and that list (its strings, compared by identity). */
interface Made {
  parts: readonly string[];
  query: string;
}

const sameParts = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((part, i) => part === b[i]);

/**
 * The statement texts of one target table. The same few statements come back row after row: the same
 * string object each time is cheap for the driver's prepared-statement cache to look up (its hash is
 * computed once).
 */
export class TableQueries implements QueryTexts {
  private readonly queries = new Map<string, string>();
  /** The last text of each kind: rows of a table nearly always take the same one, found without a key. */
  private readonly last = new Map<string, Made>();
  private readonly wheres: [string, string];
  private readonly lists = new Map<string, [ListTexts, ListTexts]>();

  constructor(
    private readonly table: string,
    private readonly keyColumns: string[],
    partitionKeyCount: number,
  ) {
    const where = (columns: string[]) => columns.map((c) => `${c} = ?`).join(' AND ');
    this.wheres = [where(keyColumns), where(keyColumns.slice(0, partitionKeyCount))];
  }

  insertQuery(columns: string[]): string {
    return this.made('i', columns, () => {
      const all = [...this.keyColumns, ...columns];
      return `INSERT INTO ${this.table} (${all.join(', ')}) VALUES (${all.map(() => '?').join(', ')}) USING TIMESTAMP ? AND TTL ?`;
    });
  }

  updateQuery(assignments: string[], partitionOnly: boolean): string {
    return this.made(partitionOnly ? 'p' : 'u', assignments, () => `UPDATE ${this.table} USING TIMESTAMP ? AND TTL ? SET ${assignments.join(', ')} WHERE ${this.where(partitionOnly)}`);
  }

  /** The statement texts of a list column of the row (or, `partitionOnly`, a static list). */
  listTexts(column: string, partitionOnly: boolean): ListTexts {
    let both = this.lists.get(column);
    if (both === undefined) this.lists.set(column, (both = [listTexts(this.table, column, this.where(false)), listTexts(this.table, column, this.where(true))]));
    return both[partitionOnly ? 1 : 0];
  }

  private made(kind: string, parts: string[], make: () => string): string {
    const last = this.last.get(kind);
    if (last !== undefined && sameParts(last.parts, parts)) return last.query;
    const key = `${kind}${parts.join(',')}`;
    let query = this.queries.get(key);
    if (query === undefined) this.queries.set(key, (query = make()));
    this.last.set(kind, { parts: [...parts], query });
    return query;
  }

  /** The row marker alone: an INSERT of the key columns. */
  markerQuery(): string {
    return this.insertQuery([]);
  }

  where(partitionOnly: boolean): string {
    return this.wheres[partitionOnly ? 1 : 0];
  }
}
