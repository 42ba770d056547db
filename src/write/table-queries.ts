import type { QueryTexts } from './cell-groups.js';

/**
 * The statement texts of one target table. The same few statements come back row after row: the same
 * string object each time is cheap for the driver's prepared-statement cache to look up (its hash is
 * computed once).
 */
export class TableQueries implements QueryTexts {
  private readonly queries = new Map<string, string>();

  constructor(
    private readonly table: string,
    private readonly keyColumns: string[],
    private readonly partitionKeyCount: number,
  ) {}

  insertQuery(columns: string[]): string {
    const key = `i${columns.join(',')}`;
    let query = this.queries.get(key);
    if (query === undefined) {
      const all = [...this.keyColumns, ...columns];
      query = `INSERT INTO ${this.table} (${all.join(', ')}) VALUES (${all.map(() => '?').join(', ')}) USING TIMESTAMP ? AND TTL ?`;
      this.queries.set(key, query);
    }
    return query;
  }

  updateQuery(assignments: string[], partitionOnly: boolean): string {
    const key = `${partitionOnly ? 'p' : 'u'}${assignments.join(',')}`;
    let query = this.queries.get(key);
    if (query === undefined) {
      query = `UPDATE ${this.table} USING TIMESTAMP ? AND TTL ? SET ${assignments.join(', ')} WHERE ${this.where(partitionOnly)}`;
      this.queries.set(key, query);
    }
    return query;
  }

  /** The row marker alone: an INSERT of the key columns. */
  markerQuery(): string {
    return this.insertQuery([]);
  }

  where(partitionOnly: boolean): string {
    const columns = partitionOnly ? this.keyColumns.slice(0, this.partitionKeyCount) : this.keyColumns;
    return columns.map((c) => `${c} = ?`).join(' AND ');
  }
}
