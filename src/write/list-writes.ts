import type { Statement } from '../connect/session.js';
import type { ListRebuild } from '../diff/list-repair.js';
import { RAW_ALIAS_PREFIX } from '../connect/raw-cells.js';
import { bigintBytes, intBytes, joinCollection, NO_TTL } from '../read/serialized.js';

/**
 * How non-frozen lists are written without duplicating or reordering elements next to live writes. Pure.
 *
 * A list element's cell path is a time UUID made by the coordinator: an append (`l = l + ?`, and a whole
 * list write) gets the current time, so the same append sent to two clusters gets different paths, and an
 * element written later sorts after every live append. A prepend (`l = ? + l`) gets a path counted
 * backwards from a fixed reference time (Lists.Prepender, PrecisionTime), which sorts before every existing
 * element, each prepend before the one before it. So elements written as prepends land before the live
 * appends already there, in order.
 */
export interface ListCell {
  value: Buffer;
  stamp: bigint;
  ttl: number;
}

/** The statement texts of one list column (of a row, or of a static list: by partition key). */
export interface ListTexts {
  prepend: string;
  clear: string;
  discard: string;
  /** Its element writetimes, read raw: the writer's list guard. */
  writetimes: string;
}

/** Made once per column by the caller (the same string objects row after row: cheap prepared-cache lookups). */
export function listTexts(table: string, column: string, where: string): ListTexts {
  return {
    prepend: `UPDATE ${table} USING TIMESTAMP ? AND TTL ? SET ${column} = ? + ${column} WHERE ${where}`,
    clear: `DELETE ${column} FROM ${table} USING TIMESTAMP ? WHERE ${where}`,
    discard: `UPDATE ${table} USING TIMESTAMP ? SET ${column} = ${column} - ? WHERE ${where}`,
    writetimes: `SELECT WRITETIME(${column}) AS "${RAW_ALIAS_PREFIX}0" FROM ${table} WHERE ${where}`,
  };
}

/** Where the list lives: its statement texts, with `keys` bound. */
export interface ListPlace {
  texts: ListTexts;
  keys: Buffer[];
}

/** The bytes of the last few stamps: a copy writes its rows' lists at the same one or two. */
const stampCache = new Map<bigint, Buffer>();
function stampBytes(stamp: bigint): Buffer {
  let bytes = stampCache.get(stamp);
  if (bytes === undefined) {
    if (stampCache.size >= 16) stampCache.clear();
    stampCache.set(stamp, (bytes = bigintBytes(stamp)));
  }
  return bytes;
}

/**
 * Puts `cells`, in order, before whatever the list holds: one prepend per run of equal (stamp, TTL), the
 * last run first, since each prepend sorts before the one sent before it (in a batch too: its statements
 * are applied in order).
 */
export function prependStatements(place: ListPlace, cells: readonly ListCell[]): Statement[] {
  const runs: ListCell[][] = [];
  for (const cell of cells) {
    const run = runs.at(-1);
    if (run && run[0]?.stamp === cell.stamp && run[0]?.ttl === cell.ttl) run.push(cell);
    else runs.push([cell]);
  }
  return runs.reverse().map((run) => prependStatement(place, joinCollection(run.map((c) => c.value)), run[0]?.stamp as bigint, run[0]?.ttl as number));
}

/** Puts a serialized list's elements, in order, before whatever the list holds, at `stamp` with `ttl`. */
export function prependStatement(place: ListPlace, list: Buffer, stamp: bigint, ttl: number): Statement {
  return { query: place.texts.prepend, params: [stampBytes(stamp), ttl === 0 ? NO_TTL : intBytes(ttl), list, ...place.keys] };
}

/** Deletes every element written at or before `stamp` (a collection tombstone). */
export function clearStatement(place: ListPlace, stamp: bigint): Statement {
  return { query: place.texts.clear, params: [stampBytes(stamp), ...place.keys] };
}

/**
 * Removes elements by value, each value at its own stamp: the cells holding the value when the statement
 * runs are tombstoned at that stamp, so those written later, and every other cell, are untouched (no index
 * is involved, so no concurrent write can change what it removes). Values sharing a stamp share a statement.
 * Must run before any prepend of the same values: in one batch the removal reads the list as it was before
 * the batch, and the writer sends a partition's batches in order.
 */
export function discardStatements(place: ListPlace, discards: readonly { value: Buffer; stamp: bigint }[]): Statement[] {
  const byStamp = new Map<bigint, Buffer[]>();
  for (const { value, stamp } of discards) byStamp.set(stamp, [...(byStamp.get(stamp) ?? []), value]);
  return [...byStamp].map(([stamp, values]) => ({
    query: place.texts.discard,
    params: [stampBytes(stamp), joinCollection(values), ...place.keys],
  }));
}

/** A list repair (list-repair.ts) as statements: the clearing tombstone or the removals, then the prepends. */
export function listRepairStatements(place: ListPlace, rebuild: ListRebuild): Statement[] {
  const clear = rebuild.clearAt === undefined ? [] : [clearStatement(place, rebuild.clearAt)];
  return [...clear, ...discardStatements(place, rebuild.discards), ...prependStatements(place, rebuild.prepend)];
}
