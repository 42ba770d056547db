import type { Statement } from '../connect/session.js';
import { type CellDifference, type ElementFix, newestEntityStamp, type RowDifference } from '../diff/compare-rows.js';
import type { OwnStamps } from '../diff/own-stamps.js';
import type { Candidate } from '../diff/range-compare.js';
import type { CellSlot, RawRow, ReadPlan } from '../read/select.js';
import { bigintBytes, intBytes, joinCollection, readBigint, splitCollection } from '../read/serialized.js';
import { isMultiCell, quoteIdentifier } from '../schema/cql-type.js';
import { primaryKeyOf, type TableSchema } from '../schema/table-schema.js';
import { listRepairStatements, listTexts } from './list-writes.js';
import type { TargetTable } from '../schema/target-table.js';
import { type Mutation, MutationBuilder } from './mutations.js';

export interface CorrectionOptions {
  autocorrect: 'missing' | 'mismatched' | 'all' | undefined;
  deleteExtra: boolean;
  /** What we wrote before, and the stamp this run writes above it. */
  own: OwnStamps;
  /** This run's start minus the skew margin: deletions of what carries no readable writetime use it. */
  runStamp: bigint;
}

/**
 * What autocorrect writes for one confirmed difference (counters aside: see readSettledCounters). Pure.
 * A missing row is written whole, each cell at its source writetime raised to our level (one of our own
 * tombstones may hide it); a mismatched row cell by cell, element by element, as compareDetail decided;
 * an extra row or partition is deleted at the newest writetime it holds in the target, the smallest
 * tombstone that removes it, so a later write always wins; unless it is a live write in flight
 * (targetNewer), which the same stamp arriving at the source next would otherwise lose to that tombstone.
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
    const stamp = options.own.level ?? options.runStamp;
    this.builder = new MutationBuilder(source, plan, { writetime: 'preserve', stamp, ttl: 'preserve', guardLists: false, liveSince: null }, target);
    this.table = target.qualifiedName;
    this.keyNames = primaryKeyOf(source).map((c) => this.columnName(c.name));
  }

  /** The statements that correct the difference, or null when autocorrect leaves it. */
  corrections(candidate: Candidate, difference: RowDifference, sourceRow: RawRow | null, targetRow: RawRow | null): Mutation[] | null {
    const mode = this.options.autocorrect;
    if (difference.kind === 'extra') return this.options.deleteExtra && targetRow && !difference.targetNewer ? [this.deleteExtra(candidate, targetRow)] : null;
    if (!mode || (mode !== 'all' && mode !== difference.kind) || difference.targetNewer || sourceRow === null) return null;
    const partition = candidate.entity === 'partition';
    if (difference.kind === 'missing') {
      const row = this.filled(sourceRow);
      // A missing row may be the first of its partition in the target: its statics go with it.
      return this.builder.rowMutations(partition ? this.staticsOnly(row) : row, true);
    }
    return difference.cells.flatMap((cell) => this.cellStatements(candidate.keys, cell, sourceRow));
  }

  private cellStatements(keys: Buffer[], { slot, fix }: CellDifference, sourceRow: RawRow): Statement[] {
    const column = this.columnName(slot.column.name);
    const where = this.where(keys);
    switch (fix.action) {
      case 'keep':
      case 'defer':
        return [];
      case 'write':
        return [{ query: `UPDATE ${this.table} USING TIMESTAMP ? AND TTL ? SET ${column} = ? WHERE ${where}`, params: [bigintBytes(fix.stamp), intBytes(fix.ttl), sourceRow[slot.value], ...keys] }];
      case 'delete':
        return [{ query: `DELETE ${column} FROM ${this.table} USING TIMESTAMP ? WHERE ${where}`, params: [bigintBytes(fix.stamp), ...keys] }];
      case 'elements':
        return fix.fixes.map((f) => this.elementStatement(slot, column, where, keys, f));
      case 'list': {
        const place = { texts: listTexts(this.table, column, where), keys };
        return listRepairStatements(place, fix.rebuild);
      }
    }
  }

  private elementStatement(slot: CellSlot, column: string, where: string, keys: Buffer[], { element, fix }: ElementFix): Statement {
    const type = slot.column.type;
    const stamp = bigintBytes(fix.stamp);
    if (type.kind === 'udt') {
      const field = `${column}.${quoteIdentifier(type.fields?.[element.key.readInt32BE(0)]?.name as string)}`;
      // A null field value is the field's tombstone.
      return fix.action === 'write'
        ? { query: `UPDATE ${this.table} USING TIMESTAMP ? AND TTL ? SET ${field} = ? WHERE ${where}`, params: [stamp, intBytes(fix.ttl), element.value, ...keys] }
        : { query: `UPDATE ${this.table} USING TIMESTAMP ? SET ${field} = ? WHERE ${where}`, params: [stamp, null, ...keys] };
    }
    if (fix.action === 'write') {
      const item = type.kind === 'map' ? joinCollection([element.key, element.value], true) : joinCollection([element.key]);
      return { query: `UPDATE ${this.table} USING TIMESTAMP ? AND TTL ? SET ${column} = ${column} + ? WHERE ${where}`, params: [stamp, intBytes(fix.ttl), item, ...keys] };
    }
    if (type.kind === 'map') return { query: `DELETE ${column}[?] FROM ${this.table} USING TIMESTAMP ? WHERE ${where}`, params: [element.key, stamp, ...keys] };
    return { query: `UPDATE ${this.table} USING TIMESTAMP ? SET ${column} = ${column} - ? WHERE ${where}`, params: [stamp, joinCollection([element.key]), ...keys] };
  }

  /**
   * A target-only row (or partition's statics) is deleted at the newest writetime it holds. A row of key
   * columns only shows none: its row marker carries our copy's stamp (DESIGN.md, row markers), or, without
   * one, this run's stamp. Counter tables take no custom timestamp, not even on a delete.
   */
  private deleteExtra(candidate: Candidate, targetRow: RawRow): Statement {
    const partition = candidate.entity === 'partition';
    const keys = candidate.keys;
    if (this.source.isCounter) return { query: `DELETE FROM ${this.table} WHERE ${this.where(keys)}`, params: keys };
    const slots = this.plan.cells.filter((slot) => (slot.column.kind === 'static') === partition);
    const newest = newestEntityStamp(this.plan, targetRow, candidate.entity) ?? this.latestCopyStamp();
    const columns = partition ? `${slots.map((s) => this.columnName(s.column.name)).join(', ')} ` : '';
    return { query: `DELETE ${columns}FROM ${this.table} USING TIMESTAMP ? WHERE ${this.where(keys)}`, params: [bigintBytes(newest), ...keys] };
  }

  private latestCopyStamp(): bigint {
    const froms = this.options.own.windows.map((w) => w.from);
    return froms.length > 0 ? froms.reduce((a, b) => (b > a ? b : a)) : this.options.runStamp;
  }

  /** The source row with every writetime raised to at least our level (OwnStamps.fill), element by element. */
  private filled(row: RawRow): RawRow {
    const out = [...row];
    const fill = (bytes: Buffer | null) => (bytes ? bigintBytes(this.options.own.fill(readBigint(bytes))) : null);
    for (const slot of this.plan.cells) {
      if (slot.writetime === null) continue;
      const stamps = row[slot.writetime] ?? null;
      if (stamps === null) continue;
      out[slot.writetime] = isMultiCell(slot.column.type) ? joinCollection(splitCollection(stamps).map(fill)) : fill(stamps);
    }
    return out;
  }

  private columnName(name: string): string {
    return this.target.columnName(name);
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
