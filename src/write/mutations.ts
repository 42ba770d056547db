import type { CellSlot, RawRow, ReadPlan } from '../read/select.js';
import type { TargetTable } from '../schema/target-table.js';
import { type ListTally, type Mutation, type TargetLists, wholeAtStamp, type WriteMode } from './mutation-types.js';

export type { ListTally, Mutation, TargetLists, WriteMode } from './mutation-types.js';
import { bigintBytes, joinCollection, NO_TTL, readBigint, sameBytes, splitCollection, splitFields } from '../read/serialized.js';
import { isMultiCell, quoteIdentifier } from '../schema/cql-type.js';
import type { TableSchema } from '../schema/table-schema.js';
import { type Assignment, CellGroups, wholeColumn } from './cell-groups.js';
import { TableQueries } from './table-queries.js';
import type { ListPlace } from './list-writes.js';
import { ListMutations, liveBoundary, newerThan } from './list-mutations.js';

/**
 * Turns a source row (raw bytes, laid out by a ReadPlan) into the statements that write it to the target:
 * cells grouped by (writetime, ttl), one UPDATE per group, plus the row marker. Pure.
 */
export class MutationBuilder {
  private readonly table: string;
  private readonly queries: TableQueries;
  private readonly partitionKeyCount: number;
  private readonly hasClustering: boolean;
  private readonly targetName: (column: string) => string;
  private readonly stampBytes: Buffer;
  /** Per cell slot of the plan (same order): its target column's name and whole-column assignment. */
  private readonly slotNames: string[];
  private readonly slotAssignments: Assignment[];
  private readonly lists: ListMutations;

  constructor(
    source: TableSchema,
    private readonly plan: ReadPlan,
    private readonly mode: WriteMode,
    target: TargetTable,
  ) {
    this.table = target.qualifiedName;
    this.targetName = (column) => target.columnName(column);
    const keyColumns = plan.keySlots.map((_, i) => this.targetName(i < source.partitionKey.length ? (source.partitionKey[i]?.name as string) : (source.clustering[i - source.partitionKey.length]?.name as string)));
    this.partitionKeyCount = source.partitionKey.length;
    this.queries = new TableQueries(this.table, keyColumns, this.partitionKeyCount);
    this.hasClustering = source.clustering.length > 0;
    this.stampBytes = bigintBytes(mode.stamp);
    this.slotNames = plan.cells.map((slot) => this.targetName(slot.column.name));
    this.slotAssignments = this.slotNames.map(wholeColumn);
    this.lists = new ListMutations(mode, (row) => this.newestReadableStamp(row));
  }

  /**
   * Whether one of the row's non-frozen lists may hold elements the proxy wrote to the target already
   * (elements newer than the live boundary): then its target list is read, and only what it lacks written.
   */
  needsListCheck(row: RawRow): boolean {
    const boundary = liveBoundary(this.mode);
    if (boundary === null) return false;
    return this.plan.cells.some((slot) => isNonFrozenList(slot) && row[slot.value] && (boundary === undefined || newerThan(slot, row, boundary)));
  }

  /** The row's primary key values, in key order (clustering null for a static-only row). */
  keysOf(row: RawRow): (Buffer | null)[] {
    return this.plan.keySlots.map((slot) => row[slot] ?? null);
  }

  /** The source columns the row holds a value in. */
  cellsOf(row: RawRow): string[] {
    return this.plan.cells.filter((slot) => row[slot.value] !== null && row[slot.value] !== undefined).map((slot) => slot.column.name);
  }

  /** The non-frozen list slots of the plan, whose target elements needsListCheck() rows need. */
  listSlots(): CellSlot[] {
    return this.plan.cells.filter(isNonFrozenList);
  }

  /**
   * The statements for one row; static cells only when `withStatics` (once per partition). `targetLists`:
   * the target's lists of a row needsListCheck() named.
   */
  rowMutations(row: RawRow, withStatics: boolean, targetLists?: TargetLists, tally?: ListTally): Mutation[] {
    const keys = this.plan.keySlots.map((slot) => row[slot] ?? null);
    // A partition that holds only its static row comes back with null clustering columns.
    const staticOnly = this.hasClustering && keys[this.partitionKeyCount] === null;
    const keysFor = (partitionOnly: boolean) => (partitionOnly ? keys.slice(0, this.partitionKeyCount) : keys) as Buffer[];
    const groups = new CellGroups();
    const mutations: Mutation[] = [];
    const cells = this.plan.cells;
    const clears: { whole: Assignment; clear: Mutation }[] = [];
    for (let s = 0; s < cells.length; s++) {
      const slot = cells[s] as CellSlot;
      const isStatic = slot.column.kind === 'static';
      if (isStatic ? !withStatics : staticOnly) continue;
      const value = row[slot.value];
      if (value === null || value === undefined) continue; // unset: the copy writes no tombstones
      const name = this.slotNames[s] as string;
      const whole = this.slotAssignments[s] as Assignment;
      const type = slot.column.type;
      if ((type.kind === 'set' || type.kind === 'map') && !type.frozen) {
        this.assignElements(slot, row, value, type.kind === 'map', whole, isStatic, groups);
      } else if (type.kind === 'udt' && !type.frozen) {
        const fields = splitFields(value, type.fields?.length ?? 0);
        const stamps = this.elementStamps(slot, row, fields.length);
        const ttls = this.elementTtls(slot, row, fields.length);
        fields.forEach((field, i) => {
          if (field === null) return;
          const fieldName = quoteIdentifier(type.fields?.[i]?.name as string);
          groups.assign(stamps[i] ?? this.stampBytes, ttls[i] ?? NO_TTL, { text: `${name}.${fieldName} = ?` }, field, isStatic);
        });
      } else if (type.kind === 'list' && !type.frozen) {
        const partitionOnly = staticOnly || isStatic;
        const place: ListPlace = { texts: this.queries.listTexts(name, partitionOnly), keys: keysFor(partitionOnly) };
        const there = targetLists?.get(slot);
        const list = there === undefined ? this.lists.blind(slot, row, value, place) : this.lists.checked(slot, row, place, there, tally);
        mutations.push(...list.statements);
        if (list.clearBelowStamp) {
          if (partitionOnly) mutations.push(list.clearBelowStamp);
          else clears.push({ whole, clear: list.clearBelowStamp });
        }
        if (!isStatic) groups.countList(list.ttls);
      } else {
        groups.assign(this.cellStamp(slot, row), this.cellTtl(slot, row), whole, value, isStatic);
      }
    }

    for (const { whole, clear } of clears) if (!groups.clearListWithin(this.stampBytes, whole)) mutations.push(clear);
    mutations.push(...groups.statements(this.queries, keysFor, staticOnly, this.markerStamp));
    return mutations;
  }

  /** Set and map elements grouped by (writetime, ttl); the oldest group replaces the whole collection. */
  private assignElements(
    slot: CellSlot,
    row: RawRow,
    value: Buffer,
    isMap: boolean,
    whole: Assignment,
    isStatic: boolean,
    cellGroups: CellGroups,
  ): void {
    if (wholeAtStamp(this.mode, slot, row)) {
      cellGroups.assign(this.stampBytes, NO_TTL, whole, value, isStatic);
      return;
    }
    const items = splitCollection(value, isMap) as Buffer[];
    const width = isMap ? 2 : 1;
    const count = items.length / width;
    const stamps = this.elementStamps(slot, row, count);
    const ttls = this.elementTtls(slot, row, count);
    // A collection has one to a few (writetime, ttl) groups: searched in a list, by bytes.
    const groups: { stamp: Buffer; ttl: Buffer; micros: bigint; items: Buffer[] }[] = [];
    for (let i = 0; i < count; i++) {
      const stamp = stamps[i] ?? this.stampBytes;
      const ttl = ttls[i] ?? NO_TTL;
      let group = groups.find((g) => sameBytes(g.stamp, stamp) && sameBytes(g.ttl, ttl));
      if (!group) groups.push((group = { stamp, ttl, micros: readBigint(stamp), items: [] }));
      for (let k = i * width; k < i * width + width; k++) group.items.push(items[k] as Buffer);
    }
    const ordered = groups.sort((a, b) => (a.micros < b.micros ? -1 : 1));
    if (ordered.length === 1) {
      cellGroups.assign((ordered[0] as { stamp: Buffer }).stamp, (ordered[0] as { ttl: Buffer }).ttl, whole, value, isStatic);
      return;
    }
    ordered.forEach((group, i) => {
      // `c = ?` writes a collection tombstone just below its stamp, clearing older elements in the target;
      // only the oldest group may do so, or it would delete the elements of older groups.
      const name = whole.column as string;
      const assignment: Assignment = i === 0 ? whole : { text: `${name} = ${name} + ?` };
      cellGroups.assign(group.stamp, group.ttl, assignment, joinCollection(group.items, isMap), isStatic);
    });
  }

  /** The row marker's stamp: in preserve mode the oldest cell's writetime stands in for the row's (CQL cannot read it). */
  private readonly markerStamp = (oldestCell: bigint | null): Buffer => (this.mode.writetime === 'preserve' && oldestCell !== null ? bigintBytes(oldestCell) : this.stampBytes);

  private cellStamp(slot: CellSlot, row: RawRow): Buffer {
    if (this.mode.writetime !== 'preserve' || slot.writetime === null) return this.stampBytes;
    return row[slot.writetime] ?? this.stampBytes;
  }

  private cellTtl(slot: CellSlot, row: RawRow): Buffer {
    if (this.mode.ttl === 'none' || slot.ttl === null) return NO_TTL;
    return row[slot.ttl] ?? NO_TTL;
  }

  /**
   * Per-element writetimes of a multi-cell column (Cassandra 5.0 returns a list). A source that cannot give
   * them gets the row's newest readable writetime, or the stamp.
   */
  private elementStamps(slot: CellSlot, row: RawRow, count: number): Buffer[] {
    if (this.mode.writetime !== 'preserve') return new Array(count).fill(this.stampBytes);
    const list = slot.writetime === null ? null : row[slot.writetime];
    if (!list) return new Array(count).fill(this.newestReadableStamp(row));
    return splitCollection(list).map((s) => s ?? this.stampBytes);
  }

  private newestReadableStamp(row: RawRow): Buffer {
    let newest: Buffer | null = null;
    for (const slot of this.plan.cells) {
      if (slot.writetime === null || isMultiCell(slot.column.type)) continue;
      const stamp = row[slot.writetime];
      if (stamp && (newest === null || readBigint(stamp) > readBigint(newest))) newest = stamp;
    }
    return newest ?? this.stampBytes;
  }

  private elementTtls(slot: CellSlot, row: RawRow, count: number): Buffer[] {
    const list = this.mode.ttl === 'preserve' && slot.ttl !== null ? row[slot.ttl] : null;
    if (!list) return new Array(count).fill(NO_TTL);
    return splitCollection(list).map((t) => t ?? NO_TTL);
  }
}

const isNonFrozenList = (slot: CellSlot): boolean => slot.column.type.kind === 'list' && !slot.column.type.frozen;
