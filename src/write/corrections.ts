import type { Statement } from '../connect/session.js';
import type { CellDifference, RowDifference } from '../diff/compare-rows.js';
import type { Candidate } from '../diff/range-compare.js';
import { type RawRow, type ReadPlan, tableName } from '../read/select.js';
import { bigintBytes, joinCollection, splitCollection } from '../read/serialized.js';
import { isMultiCell, quoteIdentifier } from '../schema/cql-type.js';
import { primaryKeyOf, type TableSchema } from '../schema/table-schema.js';
import { counterStatement } from './counters.js';
import { type Mutation, MutationBuilder, type TargetTable } from './mutations.js';

export interface CorrectionOptions {
  autocorrect: 'missing' | 'mismatched' | 'all' | undefined;
  deleteExtra: boolean;
  /** The run's stamp: deletions are written at it, so that a newer write wins. */
  stamp: bigint;
}

/**
 * What autocorrect writes for one confirmed difference. Pure. The source row is written with its own
 * per-cell writetimes and TTLs (so a newer target value wins), except cells that hold our own job-start
 * stamp, which are written just above it; a source null over an older target value is deleted at the run's
 * stamp; extra rows are deleted at that stamp too.
 */
export class CorrectionPlanner {
  private readonly builder: MutationBuilder;
  private readonly table: string;
  private readonly keyNames: string[];

  constructor(
    private readonly source: TableSchema,
    private readonly plan: ReadPlan,
    private readonly target: TargetTable,
    private readonly options: CorrectionOptions,
  ) {
    this.builder = new MutationBuilder(source, plan, { writetime: 'preserve', stamp: options.stamp, ttl: 'preserve', guardLists: true }, target);
    this.table = tableName(target);
    this.keyNames = primaryKeyOf(source).map((c) => quoteIdentifier(target.renames.get(c.name) ?? c.name));
  }

  /** The statements that correct the difference, or null when autocorrect leaves it. */
  corrections(candidate: Candidate, difference: RowDifference, sourceRow: RawRow | null, targetRow: RawRow | null): Mutation[] | null {
    const mode = this.options.autocorrect;
    if (difference.kind === 'extra') return this.options.deleteExtra ? [this.deleteRow(candidate.keys)] : null;
    if (!mode || (mode !== 'all' && mode !== difference.kind) || difference.targetNewer || sourceRow === null) return null;
    const partition = candidate.entity === 'partition';
    if (this.source.isCounter) {
      const statement = counterStatement(this.source, this.plan, this.target, sourceRow, targetRow, partition);
      return statement ? [statement] : null;
    }
    const row = partition ? this.staticsOnly(sourceRow) : raiseStaleStamps(sourceRow, difference.cells);
    const deletes = difference.cells.filter((c) => c.fix.action === 'delete');
    // A missing row may be the first of its partition in the target: its statics go with it.
    const withStatics = partition || difference.kind === 'missing';
    return [...this.builder.rowMutations(row, withStatics), ...(deletes.length > 0 ? [this.deleteCells(candidate.keys, deletes)] : [])];
  }

  /** Counter tables take no custom timestamp, not even on a delete. */
  private deleteRow(keys: Buffer[]): Statement {
    if (this.source.isCounter) return { query: `DELETE FROM ${this.table} WHERE ${this.where(keys)}`, params: keys };
    return { query: `DELETE FROM ${this.table} USING TIMESTAMP ? WHERE ${this.where(keys)}`, params: [bigintBytes(this.options.stamp), ...keys] };
  }

  private deleteCells(keys: Buffer[], cells: CellDifference[]): Statement {
    const columns = cells.map((c) => quoteIdentifier(this.target.renames.get(c.slot.column.name) ?? c.slot.column.name));
    return { query: `DELETE ${columns.join(', ')} FROM ${this.table} USING TIMESTAMP ? WHERE ${this.where(keys)}`, params: [bigintBytes(this.options.stamp), ...keys] };
  }

  private where(keys: Buffer[]): string {
    return this.keyNames
      .slice(0, keys.length)
      .map((name) => `${name} = ?`)
      .join(' AND ');
  }

  /** The row reduced to its partition's static cells: written on the partition key alone. */
  private staticsOnly(row: RawRow): RawRow {
    const out = [...row];
    for (const slot of this.plan.keySlots.slice(this.source.partitionKey.length)) out[slot] = null;
    for (const slot of this.plan.cells) if (slot.column.kind !== 'static') out[slot.value] = null;
    return out;
  }
}

/** Cells whose target value carries one of our own job-start stamps are rewritten just above it. */
function raiseStaleStamps(row: RawRow, cells: CellDifference[]): RawRow {
  const out = [...row];
  for (const { slot, fix } of cells) {
    if (fix.action !== 'write-above' || slot.writetime === null) continue;
    const above = bigintBytes(fix.stamp + 1n);
    const current = row[slot.writetime];
    out[slot.writetime] = isMultiCell(slot.column.type) && current ? joinCollection(splitCollection(current).map(() => above)) : above;
  }
  return out;
}
