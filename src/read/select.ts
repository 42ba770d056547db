import { RAW_ALIAS_PREFIX, type RawRow } from '../connect/raw-cells.js';
import { isMultiCell, quoteIdentifier } from '../schema/cql-type.js';
import { type Column, primaryKeyOf, type TableSchema } from '../schema/table-schema.js';

/** Where one cell column's value, writetime and TTL sit in a read row. */
export interface CellSlot {
  column: Column;
  value: number;
  writetime: number | null;
  ttl: number | null;
}

/** A SELECT whose every column is read as raw bytes, and where each column lands. Pure. */
export interface ReadPlan {
  /** Partition key then clustering columns, each as an index into the row. */
  keySlots: number[];
  cells: CellSlot[];
  /** The alias of each row index: rows come back keyed by these. */
  aliases: string[];
  /** `<columns> FROM ks.t`: callers add the WHERE clause. */
  selectFrom: string;
  /** `token(pk1, pk2)` */
  tokenOf: string;
  /** Where each row's token sits, when the plan reads it (`withToken`). */
  tokenSlot: number | null;
}

export interface ReadOptions {
  writetimes: boolean;
  ttls: boolean;
  /** The cell columns to read (after --exclude); default all. */
  cells?: Column[];
  /** Read WRITETIME/TTL of non-frozen collections and UDTs (per-element lists; Cassandra 5.0+). Default true. */
  multiCellTimes?: boolean;
  /** Also read each row's token. */
  withToken?: boolean;
  /**
   * Read the element writetimes of non-frozen lists even without `writetimes`: the copy tells history
   * elements from those that came through the proxy by them.
   */
  listWritetimes?: boolean;
}

const isNonFrozenList = (c: Column) => c.type.kind === 'list' && !c.type.frozen;
const isCounter = (c: Column) => c.type.kind === 'native' && c.type.name === 'counter';

export function buildReadPlan(schema: TableSchema, options: ReadOptions): ReadPlan {
  const expressions: string[] = [];
  const add = (expression: string) => expressions.push(expression) - 1;
  const keySlots = primaryKeyOf(schema).map((c) => add(quoteIdentifier(c.name)));
  const cells = (options.cells ?? schema.cells).map((column): CellSlot => {
    const name = quoteIdentifier(column.name);
    const timed = !isCounter(column) && (options.multiCellTimes !== false || !isMultiCell(column.type));
    return {
      column,
      value: add(name),
      writetime: (options.writetimes || (options.listWritetimes === true && isNonFrozenList(column))) && timed ? add(`WRITETIME(${name})`) : null,
      ttl: options.ttls && timed ? add(`TTL(${name})`) : null,
    };
  });
  const tokenOf = `token(${schema.partitionKey.map((c) => quoteIdentifier(c.name)).join(', ')})`;
  const tokenSlot = options.withToken ? add(tokenOf) : null;
  const aliases = expressions.map((_, i) => `${RAW_ALIAS_PREFIX}${i}`);
  return {
    keySlots,
    cells,
    aliases,
    selectFrom: `${expressions.map((e, i) => `${e} AS "${aliases[i]}"`).join(', ')} FROM ${tableName(schema)}`,
    tokenOf,
    tokenSlot,
  };
}

export const tableName = (schema: Pick<TableSchema, 'keyspace' | 'table'>): string =>
  `${quoteIdentifier(schema.keyspace)}.${quoteIdentifier(schema.table)}`;

/** `SELECT ... WHERE token(pk) > ? AND token(pk) <= ?` */
export const rangeQuery = (plan: ReadPlan): string =>
  `SELECT ${plan.selectFrom} WHERE ${plan.tokenOf} > ? AND ${plan.tokenOf} <= ?`;

/** `SELECT ... WHERE pk1 = ? AND ... AND ck = ?` (the whole primary key). */
export const keyQuery = (plan: ReadPlan, schema: TableSchema): string =>
  `SELECT ${plan.selectFrom} WHERE ${primaryKeyOf(schema).map((c) => `${quoteIdentifier(c.name)} = ?`).join(' AND ')}`;

/** `SELECT ... WHERE pk1 = ? AND ...` (the partition key: static-only rows are read this way). */
export const partitionQuery = (plan: ReadPlan, schema: TableSchema): string =>
  `SELECT ${plan.selectFrom} WHERE ${schema.partitionKey.map((c) => `${quoteIdentifier(c.name)} = ?`).join(' AND ')}`;

export { type RawRow, rawRowSlices, rawRowsOf } from '../connect/raw-cells.js';

/**
 * For each row of a page, whether it opens a partition: rows come in token order, partition by partition,
 * so a row opens one when its partition key differs from the row before (`previous`: the last row of the
 * page before).
 */
export function partitionStarts(page: RawRow[], previous: RawRow | null, plan: ReadPlan, partitionKeyCount: number): boolean[] {
  let last = previous;
  return page.map((row) => {
    const opens = last === null || !samePartition(row, last, plan.keySlots, partitionKeyCount);
    last = row;
    return opens;
  });
}

function samePartition(a: RawRow, b: RawRow, keySlots: number[], partitionKeyCount: number): boolean {
  for (let i = 0; i < partitionKeyCount; i++) {
    const slot = keySlots[i] as number;
    if (!(a[slot] as Buffer).equals(b[slot] as Buffer)) return false;
  }
  return true;
}
