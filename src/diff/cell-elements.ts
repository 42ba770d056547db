import type { CellSlot, RawRow } from '../read/select.js';
import { readBigint, readInt, splitCollection, splitFields } from '../read/serialized.js';

/**
 * One cell of a multi-cell column (a set element, a map entry, a UDT field, a list element) with its own
 * writetime and TTL, as Cassandra 5.0 returns them (WRITETIME/TTL of such a column is a list, element by
 * element, null where unknown). Pure.
 */
export interface Element {
  /** What identifies the cell: the set element, the map key, the field's index; a list element's value. */
  key: Buffer;
  /** The map value or the field's value; the element itself for sets and lists. */
  value: Buffer;
  /** Null when the source cannot tell (before 5.0, or a plan without writetimes). */
  stamp: bigint | null;
  /** Seconds left; 0 for none. */
  ttl: number;
}

/** The column's elements in the order Cassandra stores them (a list's order is its cell paths' order). */
export function elementsOf(slot: CellSlot, row: RawRow): Element[] {
  const value = row[slot.value];
  if (value === null || value === undefined) return [];
  const type = slot.column.type;
  const stamps = listOf(slot.writetime === null ? null : row[slot.writetime]).map((b) => (b ? readBigint(b) : null));
  const ttls = listOf(slot.ttl === null ? null : row[slot.ttl]).map((b) => (b ? readInt(b) : 0));
  const at = (i: number, key: Buffer, item: Buffer): Element => ({ key, value: item, stamp: stamps[i] ?? null, ttl: ttls[i] ?? 0 });
  if (type.kind === 'udt') {
    return splitFields(value, type.fields?.length ?? 0).flatMap((field, i) => (field === null ? [] : [at(i, fieldKey(i), field)]));
  }
  if (type.kind === 'map') {
    const items = splitCollection(value, true) as Buffer[];
    const out: Element[] = [];
    for (let i = 0; i < items.length / 2; i++) out.push(at(i, items[2 * i] as Buffer, items[2 * i + 1] as Buffer));
    return out;
  }
  return (splitCollection(value) as Buffer[]).map((item, i) => at(i, item, item));
}

/** A UDT field's index as an element key. */
export function fieldKey(index: number): Buffer {
  const out = Buffer.allocUnsafe(4);
  out.writeInt32BE(index, 0);
  return out;
}

const listOf = (bytes: Buffer | null | undefined): (Buffer | null)[] => (bytes ? splitCollection(bytes) : []);
