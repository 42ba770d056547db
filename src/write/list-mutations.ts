import type { CellSlot, RawRow } from '../read/select.js';
import { type Element, elementsOf } from '../diff/cell-elements.js';
import { judgeList } from '../diff/list-repair.js';
import { anyBigintAbove, readBigint } from '../read/serialized.js';
import { type ListTally, type Mutation, wholeAtStamp, type WriteMode } from './mutation-types.js';
import { clearStatement, type ListCell, type ListPlace, listRepairStatements, prependStatement, prependStatements } from './list-writes.js';

/** Elements newer than this may have come through the proxy (undefined: any may have; null: none did). */
export function liveBoundary(mode: WriteMode): bigint | null | undefined {
  return mode.writetime === 'preserve' ? mode.liveSince : mode.stamp;
}

/** Whether one of the list's element writetimes is past the boundary: read off the writetimes alone (every row with a list asks). */
export function newerThan(slot: CellSlot, row: RawRow, boundary: bigint): boolean {
  const stamps = slot.writetime === null ? null : row[slot.writetime];
  return !!stamps && anyBigintAbove(stamps, boundary);
}

/** A list's statements, and the TTLs of the elements they write (0 for none; empty when they write none). */
interface WrittenList {
  statements: Mutation[];
  ttls: readonly number[];
  /** The list's clearing tombstone at the stamp - 1, left out of `statements`: the row's statement at the stamp may carry it instead. */
  clearBelowStamp?: Mutation;
}

/** One element or more, none with a TTL. */
const NO_LIST_TTLS: readonly number[] = [0];

/**
 * The statements that write a row's non-frozen list (list-writes.ts says why lists are written as
 * prepends), blind or against what the target holds. Pure.
 */
export class ListMutations {
  constructor(
    private readonly mode: WriteMode,
    /** A source without element writetimes: the stamp its elements are written at in preserve mode. */
    private readonly newestReadableStamp: (row: RawRow) => Buffer,
  ) {}

  /**
   * A list written without a look at the target: a tombstone clears what an earlier write of these elements
   * left (a late live write the source also holds, an earlier copy), then the prepends put the elements
   * before the live appends already there. A rerun first reads the target (the writer's list guard).
   */
  blind(slot: CellSlot, row: RawRow, value: Buffer, place: ListPlace): WrittenList {
    if (this.isHistoryAtStamp(slot, row, value)) {
      // The list as read, one prepend of its bytes: what the general path below makes of it, without an object per element.
      const clear = clearStatement(place, this.mode.stamp - 1n);
      const prepend = prependStatement(place, value, this.mode.stamp, 0);
      // A guarded list's statements are dropped together when the target holds it already: the tombstone stays one of them.
      if (!this.mode.guardLists) return { statements: [prepend], ttls: NO_LIST_TTLS, clearBelowStamp: clear };
      return this.guarded(place, [this.mode.stamp], [clear, prepend], NO_LIST_TTLS);
    }
    const cells = this.cellsToWrite(slot, row);
    if (cells.length === 0) return { statements: [], ttls: [] };
    const oldest = cells.reduce((min, c) => (c.stamp < min ? c.stamp : min), cells[0]?.stamp as bigint);
    const statements = [clearStatement(place, oldest - 1n), ...prependStatements(place, cells)];
    return this.guarded(place, cells.map((c) => c.stamp), statements, cells.map((c) => c.ttl));
  }

  /** With `guardLists`, each statement carries the guard: the writer drops them when the target holds one of `stamps` in the list. */
  private guarded(place: ListPlace, stamps: bigint[], statements: Mutation[], ttls: readonly number[]): WrittenList {
    if (!this.mode.guardLists) return { statements, ttls };
    const listGuard = { query: place.texts.writetimes, params: place.keys, stamps: new Set(stamps) };
    return { statements: statements.map((statement) => ({ ...statement, listGuard })), ttls };
  }

  /**
   * Job-start mode's common list: it holds elements, none newer than the stamp (so none came through the
   * proxy) and none with a TTL to keep. Then every element is written, at the stamp, without a TTL.
   */
  private isHistoryAtStamp(slot: CellSlot, row: RawRow, value: Buffer): boolean {
    if (value.readInt32BE(0) === 0 || !wholeAtStamp(this.mode, slot, row)) return false;
    const stamps = slot.writetime === null ? null : row[slot.writetime];
    return !stamps || !anyBigintAbove(stamps, this.mode.stamp);
  }

  /**
   * A list whose target was read: the source's elements the target lacks are written, in source order
   * (list-repair.ts: the longest tail of the source the target holds in order stays, the rest is removed by
   * value and prepended), at the copy's stamp in job-start mode or their own writetimes in preserve mode. An
   * element the proxy wrote carries the source's writetime in both clusters; one we wrote, our stamp. A
   * target that cannot show element writetimes and holds a list already cannot be told apart: left to validate.
   */
  checked(slot: CellSlot, row: RawRow, place: ListPlace, there: Element[], tally: ListTally | undefined): WrittenList {
    const preserve = this.mode.writetime === 'preserve';
    const source = elementsOf(slot, row).map((e) => ({ ...e, ttl: this.mode.ttl === 'preserve' ? e.ttl : 0 }));
    const cells = source.map((e) => ({ value: e.value, stamp: preserve ? (e.stamp ?? this.mode.stamp) : this.mode.stamp, ttl: e.ttl }));
    const ttls = cells.map((c) => c.ttl);
    const undecided = () => {
      if (tally) tally.undecided++;
      return { statements: [], ttls };
    };
    if (there.some((e) => e.stamp === null)) return undecided();
    const verdict = judgeList(source, there, {
      isOurs: (e) => !preserve && e.stamp === this.mode.stamp,
      runStamp: liveBoundary(this.mode) ?? this.mode.stamp,
      fill: (stamp) => (preserve ? stamp : this.mode.stamp),
      removal: this.mode.listRemoval ?? 'by-value',
    });
    if (verdict.action === 'defer') return undecided();
    // 'same' and 'keep': the target holds every element (and perhaps live ones the source has not seen yet).
    const prepended = verdict.action === 'list' ? verdict.rebuild.prepend.length : 0;
    if (tally) tally.inTarget += source.length - prepended;
    return { statements: verdict.action === 'list' ? listRepairStatements(place, verdict.rebuild) : [], ttls };
  }

  /**
   * The list elements the copy writes: those no newer than the live boundary (newer ones came through the
   * proxy and are in the target already; writing them again would duplicate them), each at the stamp of the
   * mode. A source before 5.0 gives no element writetimes: every element is taken.
   */
  private cellsToWrite(slot: CellSlot, row: RawRow): ListCell[] {
    const boundary = liveBoundary(this.mode) ?? null;
    const preserve = this.mode.writetime === 'preserve';
    // Only a source without element writetimes needs the fallback: worked out once, when first needed.
    let fallback: bigint | undefined;
    const stampOf = (stamp: bigint | null) => stamp ?? (fallback ??= readBigint(this.newestReadableStamp(row)));
    return elementsOf(slot, row)
      .filter((e) => e.stamp === null || boundary === null || e.stamp <= boundary)
      .map((e) => ({ value: e.value, stamp: preserve ? stampOf(e.stamp) : this.mode.stamp, ttl: this.mode.ttl === 'preserve' ? e.ttl : 0 }));
  }
}
