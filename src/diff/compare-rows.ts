import type { CellSlot, RawRow, ReadPlan } from '../read/select.js';
import { readBigint, readInt, splitCollection } from '../read/serialized.js';
import { isMultiCell } from '../schema/cql-type.js';
import { type Element, elementsOf } from './cell-elements.js';
import { judgeList, type ListJudge, type ListVerdict } from './list-repair.js';
import type { OwnStamps } from './own-stamps.js';
import type { DifferenceKind } from './range-compare.js';
import { cellParts, type CompareOptions, sameParts } from './row-digest.js';

/** What autocorrect does with one cell (a whole column, or one element of a multi-cell column). */
export type Fix =
  /** Write the source's value (and its remaining TTL) at this stamp. */
  | { action: 'write'; stamp: bigint; ttl: number }
  /** The source has no value: delete the target's at this stamp, the smallest that removes it. */
  | { action: 'delete'; stamp: bigint }
  /** A write we did not make, newer than the source's (a live write the source has not seen): left alone. */
  | { action: 'keep' };

export interface ElementFix {
  /** The source's element for a write, the target's for a delete. */
  element: Element;
  fix: Exclude<Fix, { action: 'keep' }>;
}

export type CellFix =
  | Fix
  /** Sets, maps and non-frozen UDTs, element by element. */
  | { action: 'elements'; fixes: ElementFix[] }
  /** Non-frozen lists (see list-repair.ts); `defer`: a difference left for the next run. */
  | Exclude<ListVerdict, { action: 'keep' | 'same' }>;

export interface CellDifference {
  slot: CellSlot;
  fix: CellFix;
}

export interface RowDifference {
  kind: DifferenceKind;
  cells: CellDifference[];
  /** Every differing cell is a write we did not make, newer than the source's: nothing to correct. */
  targetNewer: boolean;
}

export interface StampContext {
  /** The stamps our own copies and corrections wrote, and the stamp this run writes above them. */
  own: OwnStamps;
  /** This run's start minus the skew margin: a foreign target value written after it is a live write in flight. */
  runStamp: bigint;
  /** List elements (`elementId`) this run has just written: when the source no longer holds them, they are ours to remove. */
  written?: ReadonlySet<string>;
  /** `whole-list` where the target refuses list removals that read before writing (see list-repair.ts). */
  listRemoval?: 'by-value' | 'whole-list';
}

/** A list element's identity for `StampContext.written`: its value and writetime. */
export const elementId = (value: Buffer, stamp: bigint | null): string => `${value.toString('hex')}@${stamp}`;

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
  if (source === null) return { kind: 'extra', cells: [], targetNewer: isLiveInFlight(plan, target, entity, stamps) };
  const cells: CellDifference[] = [];
  for (const slot of plan.cells) {
    if ((slot.column.kind === 'static') !== (entity === 'partition') || options.ignore.includes(slot.column.name)) continue;
    if (sameParts(cellParts(slot, options), source, target)) continue;
    cells.push({ slot, fix: cellFix(slot, source, target, options, stamps) });
  }
  if (cells.length === 0) return null;
  return { kind: 'mismatched', cells, targetNewer: cells.every((c) => c.fix.action === 'keep') };
}

/**
 * A target-only row whose newest cell is a write we did not make since this run began (minus the skew margin)
 * is a live write in flight: the proxy has reached the target and not yet the source. Deleting it at that
 * stamp would shadow the source's half when it lands at the same stamp (a tombstone wins a tie), so it is
 * left, as a newer target cell is (`decide`); the next run deletes it if the source never gets it.
 */
function isLiveInFlight(plan: ReadPlan, target: RawRow, entity: 'row' | 'partition', { own, runStamp }: StampContext): boolean {
  const newest = newestEntityStamp(plan, target, entity);
  return newest !== null && newest >= runStamp && !own.isOurs(newest);
}

/** The newest writetime a row holds in its regular cells, or a partition in its statics; null when none shows one. */
export function newestEntityStamp(plan: ReadPlan, row: RawRow, entity: 'row' | 'partition'): bigint | null {
  const stamps = plan.cells.filter((slot) => (slot.column.kind === 'static') === (entity === 'partition')).map((slot) => newestStamp(slot, row));
  return stamps.reduce<bigint | null>((a, b) => (b === null || (a !== null && a >= b) ? a : b), null);
}

function cellFix(slot: CellSlot, source: RawRow, target: RawRow, options: CompareOptions, stamps: StampContext): CellFix {
  const type = slot.column.type;
  if (isMultiCell(type)) {
    const from = elementsOf(slot, source);
    const to = elementsOf(slot, target);
    if (type.kind === 'list') {
      const verdict = judgeList(from, to, listJudge(stamps));
      // Equal elements in equal order, yet the cell differs: TTLs only, which a list repair cannot set alone.
      return verdict.action === 'same' ? { action: 'defer' } : verdict;
    }
    const fixes = elementFixes(from, to, (a, b) => sameElement(a, b, options), stamps);
    // A difference in writetimes or TTLs alone that no element shows is left to the whole-cell rule below.
    if (fixes.length > 0 || from.length + to.length === 0) return fixes.every((f) => f.fix.action === 'keep') ? { action: 'keep' } : { action: 'elements', fixes: fixes.filter((f): f is ElementFix => f.fix.action !== 'keep') };
  }
  return decide(timedCell(slot, source), timedCell(slot, target), stamps);
}

interface Timed {
  stamp: bigint | null;
  ttl: number;
}

function timedCell(slot: CellSlot, row: RawRow): Timed | null {
  if ((row[slot.value] ?? null) === null) return null;
  const stamp = slot.writetime === null ? null : newestStamp(slot, row);
  const ttls = slot.ttl === null ? [] : numbersOf(row[slot.ttl] ?? null, isMultiCell(slot.column.type), readInt);
  return { stamp, ttl: ttls.length === 0 ? 0 : Math.max(...ttls) };
}

/**
 * The rule for one cell that differs (DESIGN.md, "Validation, exactly"): the source's value is written at
 * its own writetime when that is newer; a target cell carrying one of our stamps is ours and stale, so it is
 * rewritten at this run's level, above every stamp we wrote before; any other newer target cell is a live
 * write and wins. A cell the target lacks is written at its writetime raised to our level (one of our own
 * tombstones may hide it). Deletions use the target cell's own writetime.
 */
export function decide(source: Timed | null, target: Timed | null, { own, runStamp }: StampContext): Fix {
  if (source === null) {
    const t = target?.stamp ?? null;
    if (t === null) return { action: 'delete', stamp: runStamp };
    return own.isOurs(t) || t < runStamp ? { action: 'delete', stamp: t } : { action: 'keep' };
  }
  const s = source.stamp ?? runStamp;
  if (target === null) return { action: 'write', stamp: own.fill(s), ttl: source.ttl };
  const t = target.stamp;
  if (t === null || t < s) return { action: 'write', stamp: s, ttl: source.ttl };
  if (own.isOurs(t)) return { action: 'write', stamp: max(own.level ?? t + 1n, t + 1n), ttl: source.ttl };
  return { action: 'keep' };
}

/** Set elements, map entries and UDT fields matched by their key, each decided on its own. */
function elementFixes(source: Element[], target: Element[], same: (a: Element, b: Element) => boolean, stamps: StampContext): { element: Element; fix: Fix }[] {
  const targetByKey = new Map(target.map((e) => [e.key.toString('hex'), e]));
  const fixes: { element: Element; fix: Fix }[] = [];
  for (const element of source) {
    const key = element.key.toString('hex');
    const there = targetByKey.get(key);
    targetByKey.delete(key);
    if (there && same(element, there)) continue;
    fixes.push({ element, fix: decide(element, there ?? null, stamps) });
  }
  for (const element of targetByKey.values()) fixes.push({ element, fix: decide(null, element, stamps) });
  return fixes;
}

function sameElement(a: Element, b: Element, options: CompareOptions): boolean {
  if (!a.value.equals(b.value)) return false;
  if (options.compareWritetime && a.stamp !== b.stamp) return false;
  return !options.compareTtl || Math.abs(a.ttl - b.ttl) <= options.ttlToleranceSeconds;
}

export function listJudge({ own, runStamp, written, listRemoval }: StampContext): ListJudge {
  return {
    removal: listRemoval ?? 'by-value',
    isOurs: (e) => e.stamp !== null && (own.isOurs(e.stamp) || (written?.has(elementId(e.value, e.stamp)) ?? false)),
    runStamp,
    fill: (stamp) => own.fill(stamp),
  };
}

/** The cell's writetime; for a multi-cell column, the newest of its elements. */
function newestStamp(slot: CellSlot, row: RawRow): bigint | null {
  if (slot.writetime === null) return null;
  const stamps = numbersOf(row[slot.writetime] ?? null, isMultiCell(slot.column.type), readBigint);
  return stamps.length === 0 ? null : stamps.reduce((a, b) => (b > a ? b : a));
}

function numbersOf<T>(bytes: Buffer | null, multi: boolean, read: (b: Buffer) => T): T[] {
  if (bytes === null) return [];
  if (!multi) return [read(bytes)];
  return splitCollection(bytes).flatMap((b) => (b ? [read(b)] : []));
}

const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);
