import type { CellSlot, RawRow, ReadPlan } from '../read/select.js';
import { type Element, elementsOf } from '../diff/cell-elements.js';
import type { TargetTable } from '../schema/target-table.js';
import type { ListTally, Mutation, TargetLists, WriteMode } from './mutation-types.js';

export type { ListTally, Mutation, TargetLists, WriteMode } from './mutation-types.js';
import { judgeList } from '../diff/list-repair.js';
import { bigintBytes, joinCollection, NO_TTL, readBigint, sameBytes, splitCollection, splitFields } from '../read/serialized.js';
import { isMultiCell, quoteIdentifier } from '../schema/cql-type.js';
import type { TableSchema } from '../schema/table-schema.js';
import { type Assignment, CellGroups, wholeColumn } from './cell-groups.js';
import { TableQueries } from './table-queries.js';
import { clearStatement, type ListCell, type ListPlace, listRepairStatements, prependStatements } from './list-writes.js';

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
  }

  /**
   * Whether one of the row's non-frozen lists may hold elements the proxy wrote to the target already
   * (elements newer than the live boundary): then its target list is read, and only what it lacks written.
   */
  needsListCheck(row: RawRow): boolean {
    const boundary = this.liveBoundary();
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
    const assign = groups.assign;
    const mutations: Mutation[] = [];
    const cells = this.plan.cells;
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
        this.assignElements(slot, row, value, type.kind === 'map', whole, isStatic, assign);
      } else if (type.kind === 'udt' && !type.frozen) {
        const fields = splitFields(value, type.fields?.length ?? 0);
        const stamps = this.elementStamps(slot, row, fields.length);
        const ttls = this.elementTtls(slot, row, fields.length);
        fields.forEach((field, i) => {
          if (field === null) return;
          const fieldName = quoteIdentifier(type.fields?.[i]?.name as string);
          assign(stamps[i] ?? this.stampBytes, ttls[i] ?? NO_TTL, { text: `${name}.${fieldName} = ?` }, field, isStatic);
        });
      } else if (type.kind === 'list' && !type.frozen) {
        const partitionOnly = staticOnly || isStatic;
        const place: ListPlace = { texts: this.queries.listTexts(name, partitionOnly), keys: keysFor(partitionOnly) };
        const there = targetLists?.get(slot);
        const list = there === undefined ? this.blindList(slot, row, place) : this.checkedList(slot, row, place, there, tally);
        mutations.push(...list.statements);
        if (!isStatic) groups.countList(list.cells);
      } else {
        assign(this.cellStamp(slot, row), this.cellTtl(slot, row), whole, value, isStatic);
      }
    }

    const markerStamp = (oldestCell: bigint | null) => (this.mode.writetime === 'preserve' && oldestCell !== null ? bigintBytes(oldestCell) : this.stampBytes);
    mutations.push(...groups.statements(this.queries, keysFor, staticOnly, markerStamp));
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
    assign: CellGroups['assign'],
  ): void {
    const wholeAtStamp = this.mode.writetime !== 'preserve' && (this.mode.ttl === 'none' || slot.ttl === null || allNull(row[slot.ttl]));
    if (wholeAtStamp) {
      assign(this.stampBytes, NO_TTL, whole, value, isStatic);
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
      assign((ordered[0] as { stamp: Buffer }).stamp, (ordered[0] as { ttl: Buffer }).ttl, whole, value, isStatic);
      return;
    }
    ordered.forEach((group, i) => {
      // `c = ?` writes a collection tombstone just below its stamp, clearing older elements in the target;
      // only the oldest group may do so, or it would delete the elements of older groups.
      const name = whole.column as string;
      const assignment: Assignment = i === 0 ? whole : { text: `${name} = ${name} + ?` };
      assign(group.stamp, group.ttl, assignment, joinCollection(group.items, isMap), isStatic);
    });
  }

  /**
   * A list written without a look at the target: a tombstone clears what an earlier write of these elements
   * left (a late live write the source also holds, an earlier copy), then the prepends put the elements
   * before the live appends already there. A rerun first reads the target (the writer's list guard).
   */
  private blindList(slot: CellSlot, row: RawRow, place: ListPlace): { statements: Mutation[]; cells: ListCell[] } {
    const cells = this.listCells(slot, row);
    if (cells.length === 0) return { statements: [], cells };
    const listGuard = this.mode.guardLists
      ? { query: place.texts.writetimes, params: place.keys, stamps: new Set(cells.map((c) => c.stamp)) }
      : undefined;
    const oldest = cells.reduce((min, c) => (c.stamp < min ? c.stamp : min), cells[0]?.stamp as bigint);
    const statements = [clearStatement(place, oldest - 1n), ...prependStatements(place, cells)];
    return { statements: listGuard ? statements.map((statement) => ({ ...statement, listGuard })) : statements, cells };
  }

  /**
   * A list whose target was read: the source's elements the target lacks are written, in source order
   * (list-repair.ts: the longest tail of the source the target holds in order stays, the rest is removed by
   * value and prepended), at the copy's stamp in job-start mode or their own writetimes in preserve mode. An
   * element the proxy wrote carries the source's writetime in both clusters; one we wrote, our stamp. A
   * target that cannot show element writetimes and holds a list already cannot be told apart: left to validate.
   */
  private checkedList(slot: CellSlot, row: RawRow, place: ListPlace, there: Element[], tally: ListTally | undefined): { statements: Mutation[]; cells: ListCell[] } {
    const preserve = this.mode.writetime === 'preserve';
    const source = elementsOf(slot, row).map((e) => ({ ...e, ttl: this.mode.ttl === 'preserve' ? e.ttl : 0 }));
    const cells = source.map((e) => ({ value: e.value, stamp: preserve ? (e.stamp ?? this.mode.stamp) : this.mode.stamp, ttl: e.ttl }));
    const undecided = () => {
      if (tally) tally.undecided++;
      return { statements: [], cells };
    };
    if (there.some((e) => e.stamp === null)) return undecided();
    const verdict = judgeList(source, there, {
      isOurs: (e) => !preserve && e.stamp === this.mode.stamp,
      runStamp: this.liveBoundary() ?? this.mode.stamp,
      fill: (stamp) => (preserve ? stamp : this.mode.stamp),
      removal: this.mode.listRemoval ?? 'by-value',
    });
    if (verdict.action === 'defer') return undecided();
    // 'same' and 'keep': the target holds every element (and perhaps live ones the source has not seen yet).
    const prepended = verdict.action === 'list' ? verdict.rebuild.prepend.length : 0;
    if (tally) tally.inTarget += source.length - prepended;
    return { statements: verdict.action === 'list' ? listRepairStatements(place, verdict.rebuild) : [], cells };
  }

  /** Elements newer than this may have come through the proxy (undefined: any may have; null: none did). */
  private liveBoundary(): bigint | null | undefined {
    return this.mode.writetime === 'preserve' ? this.mode.liveSince : this.mode.stamp;
  }

  /**
   * The list elements the copy writes: those no newer than the live boundary (newer ones came through the
   * proxy and are in the target already; writing them again would duplicate them), each at the stamp of the
   * mode. A source before 5.0 gives no element writetimes: every element is taken.
   */
  private listCells(slot: CellSlot, row: RawRow): ListCell[] {
    const boundary = this.liveBoundary() ?? null;
    const preserve = this.mode.writetime === 'preserve';
    // Only a source without element writetimes needs the fallback: worked out once, when first needed.
    let fallback: bigint | undefined;
    const stampOf = (stamp: bigint | null) => stamp ?? (fallback ??= readBigint(this.newestReadableStamp(row)));
    return elementsOf(slot, row)
      .filter((e) => e.stamp === null || boundary === null || e.stamp <= boundary)
      .map((e) => ({ value: e.value, stamp: preserve ? stampOf(e.stamp) : this.mode.stamp, ttl: this.mode.ttl === 'preserve' ? e.ttl : 0 }));
  }

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

/** Whether one of the list's element writetimes is past the boundary: read off the writetimes alone (every row with a list asks). */
function newerThan(slot: CellSlot, row: RawRow, boundary: bigint): boolean {
  const stamps = slot.writetime === null ? null : row[slot.writetime];
  return !!stamps && splitCollection(stamps).some((stamp) => stamp !== null && readBigint(stamp) > boundary);
}

const isNonFrozenList = (slot: CellSlot): boolean => slot.column.type.kind === 'list' && !slot.column.type.frozen;

/** A TTL list (or none) in which no element has a TTL. */
function allNull(list: Buffer | null | undefined): boolean {
  return !list || splitCollection(list).every((t) => t === null);
}
