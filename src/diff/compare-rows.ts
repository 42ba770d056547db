import type { CellSlot, RawRow, ReadPlan } from '../read/select.js';
import { readBigint, splitCollection } from '../read/serialized.js';
import { isMultiCell } from '../schema/cql-type.js';
import type { DifferenceKind } from './range-compare.js';
import { type CompareOptions, withinTolerance } from './row-digest.js';

/** How autocorrect treats one differing cell. */
export type CellFix =
  | { action: 'write' }
  /** The target holds the stamp of one of our own job-start copies: stale, replaced just above it. */
  | { action: 'write-above'; stamp: bigint }
  /** The source has no value: the target's older value is deleted at the run's stamp. */
  | { action: 'delete' }
  /** The target's value is newer than the source's: a live write, left alone. */
  | { action: 'keep' };

export interface CellDifference {
  slot: CellSlot;
  fix: CellFix;
}

export interface RowDifference {
  kind: DifferenceKind;
  cells: CellDifference[];
  /** Every differing cell is newer in the target: a live write the source has not seen. */
  targetNewer: boolean;
}

export interface StampContext {
  /** The stamps our own job-start copies of this table wrote (from the run state). */
  ourStamps: ReadonlySet<bigint>;
  /** This run's stamp: a target value written after it is a live write in flight. */
  runStamp: bigint;
}

/**
 * Compares one row (or a partition's statics) read in full from both sides: values, and writetimes and
 * TTLs when asked. Null when they are equal. Pure.
 */
export function compareDetail(
  plan: ReadPlan,
  source: RawRow | null,
  target: RawRow | null,
  entity: 'row' | 'partition',
  options: CompareOptions,
  stamps: StampContext,
): RowDifference | null {
  if (source === null && target === null) return null;
  if (target === null) return { kind: 'missing', cells: [], targetNewer: false };
  if (source === null) return { kind: 'extra', cells: [], targetNewer: false };
  const cells: CellDifference[] = [];
  for (const slot of plan.cells) {
    if ((slot.column.kind === 'static') !== (entity === 'partition') || options.ignore.includes(slot.column.name)) continue;
    if (cellsEqual(slot, source, target, options)) continue;
    cells.push({ slot, fix: fixFor(slot, source, target, stamps) });
  }
  if (cells.length === 0) return null;
  return { kind: 'mismatched', cells, targetNewer: cells.every((c) => c.fix.action === 'keep') };
}

function cellsEqual(slot: CellSlot, source: RawRow, target: RawRow, options: CompareOptions): boolean {
  const a = source[slot.value] ?? null;
  const b = target[slot.value] ?? null;
  const type = slot.column.type;
  const isFloat = type.kind === 'native' && (type.name === 'float' || type.name === 'double');
  if (isFloat && options.floatTolerance > 0 && a && b) {
    const read = (x: Buffer) => (type.name === 'float' ? x.readFloatBE(0) : x.readDoubleBE(0));
    if (!withinTolerance([read(a)], [read(b)], options.floatTolerance)) return false;
  } else if (!sameBytes(a, b)) return false;
  if (options.compareWritetime && slot.writetime !== null && !sameBytes(source[slot.writetime] ?? null, target[slot.writetime] ?? null)) return false;
  if (options.compareTtl && slot.ttl !== null) {
    const ttls = (row: RawRow) => numbersOf(row[slot.ttl as number] ?? null, isMultiCell(type), (x) => x.readInt32BE(0));
    if (!withinTolerance(ttls(source), ttls(target), options.ttlToleranceSeconds)) return false;
  }
  return true;
}

function fixFor(slot: CellSlot, source: RawRow, target: RawRow, stamps: StampContext): CellFix {
  const sourceStamp = newestStamp(slot, source);
  const targetStamp = newestStamp(slot, target);
  if (targetStamp === null) return { action: 'write' };
  if (sourceStamp === null || source[slot.value] === null) {
    return targetStamp >= stamps.runStamp ? { action: 'keep' } : { action: 'delete' };
  }
  if (targetStamp <= sourceStamp) return { action: 'write' };
  if (stamps.ourStamps.has(targetStamp)) return { action: 'write-above', stamp: targetStamp };
  return { action: 'keep' };
}

/** The cell's writetime; for a multi-cell column, the newest of its elements. */
export function newestStamp(slot: CellSlot, row: RawRow): bigint | null {
  if (slot.writetime === null) return null;
  const stamps = numbersOf(row[slot.writetime] ?? null, isMultiCell(slot.column.type), readBigint);
  return stamps.length === 0 ? null : stamps.reduce((a, b) => (b > a ? b : a));
}

function numbersOf<T>(bytes: Buffer | null, multi: boolean, read: (b: Buffer) => T): T[] {
  if (bytes === null) return [];
  if (!multi) return [read(bytes)];
  return splitCollection(bytes).flatMap((b) => (b ? [read(b)] : []));
}

const sameBytes = (a: Buffer | null, b: Buffer | null): boolean => (a === null || b === null ? a === b : a.equals(b));
