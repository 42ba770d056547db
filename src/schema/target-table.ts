import { quoteIdentifier } from './cql-type.js';

/**
 * Where the rows go: the target table, and each source column's name there with `--rename` applied. Built
 * once when a table is wired; every statement builder and the compatibility check ask it for names.
 */
export class TargetTable {
  /** `"keyspace"."table"` as CQL writes it. */
  readonly qualifiedName: string;
  private readonly quoted = new Map<string, string>();

  constructor(
    readonly keyspace: string,
    readonly table: string,
    /** Source column name -> target column name; absent names are the same. */
    readonly renames: ReadonlyMap<string, string> = new Map(),
  ) {
    this.qualifiedName = `${quoteIdentifier(keyspace)}.${quoteIdentifier(table)}`;
  }

  /** The target column a source column is written to. */
  nameOf(sourceColumn: string): string {
    return this.renames.get(sourceColumn) ?? sourceColumn;
  }

  /** nameOf, quoted for CQL (asked row after row, so kept). */
  columnName(sourceColumn: string): string {
    let name = this.quoted.get(sourceColumn);
    if (name === undefined) {
      name = quoteIdentifier(this.nameOf(sourceColumn));
      this.quoted.set(sourceColumn, name);
    }
    return name;
  }
}
