/**
 * The protocol's serialized forms of collections and UDTs, read and written as bytes (protocol v3+:
 * int32 counts and lengths, -1 for null). Pure; values inside stay as the exact bytes Cassandra sent.
 */

/** The elements of a serialized list or set, or the alternating keys and values of a map. */
export function splitCollection(bytes: Buffer, isMap = false): (Buffer | null)[] {
  const count = bytes.readInt32BE(0) * (isMap ? 2 : 1);
  const out: (Buffer | null)[] = new Array(count);
  let offset = 4;
  for (let i = 0; i < count; i++) {
    const length = bytes.readInt32BE(offset);
    offset += 4;
    if (length < 0) out[i] = null;
    else {
      out[i] = bytes.subarray(offset, offset + length);
      offset += length;
    }
  }
  return out;
}

/** Serializes elements (for a map: keys and values alternating) as a list, set or map value; null items stay null. */
export function joinCollection(items: readonly (Buffer | null)[], isMap = false): Buffer {
  let size = 4;
  for (const item of items) size += 4 + (item?.length ?? 0);
  const out = Buffer.allocUnsafe(size);
  out.writeInt32BE(isMap ? items.length / 2 : items.length, 0);
  let offset = 4;
  for (const item of items) {
    out.writeInt32BE(item ? item.length : -1, offset);
    offset += 4;
    if (item) offset += item.copy(out, offset);
  }
  return out;
}

/** The fields of a serialized UDT or tuple; trailing fields the value does not carry are null. */
export function splitFields(bytes: Buffer, fieldCount: number): (Buffer | null)[] {
  const out: (Buffer | null)[] = new Array(fieldCount).fill(null);
  let offset = 0;
  for (let i = 0; i < fieldCount && offset < bytes.length; i++) {
    const length = bytes.readInt32BE(offset);
    offset += 4;
    if (length >= 0) {
      out[i] = bytes.subarray(offset, offset + length);
      offset += length;
    }
  }
  return out;
}

export const readBigint = (bytes: Buffer): bigint => bytes.readBigInt64BE(0);

/** Whether a serialized list of bigints (a column's element writetimes) holds one above `bound`; no view is made. */
export function anyBigintAbove(list: Buffer, bound: bigint): boolean {
  const count = list.readInt32BE(0);
  let offset = 4;
  for (let i = 0; i < count; i++) {
    const length = list.readInt32BE(offset);
    offset += 4;
    if (length < 0) continue;
    if (list.readBigInt64BE(offset) > bound) return true;
    offset += length;
  }
  return false;
}

/** Whether a serialized collection is absent or holds nulls only (element TTLs of which none is set). */
export function noItems(list: Buffer | null | undefined): boolean {
  if (!list) return true;
  const count = list.readInt32BE(0);
  for (let i = 0, offset = 4; i < count; i++, offset += 4) if (list.readInt32BE(offset) >= 0) return false;
  return true;
}

/** Equal bytes. Stamps and TTLs are 8 and 4 bytes: a loop here costs less than Buffer.equals' call into C++. */
export function sameBytes(a: Buffer, b: Buffer): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  if (a.length > 16) return a.equals(b);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
export const readInt = (bytes: Buffer): number => bytes.readInt32BE(0);

export function bigintBytes(value: bigint): Buffer {
  const out = Buffer.allocUnsafe(8);
  out.writeBigInt64BE(value, 0);
  return out;
}

export function intBytes(value: number): Buffer {
  const out = Buffer.allocUnsafe(4);
  out.writeInt32BE(value, 0);
  return out;
}

/** A TTL of 0: no TTL (one Buffer shared by every statement). */
export const NO_TTL = intBytes(0);
