import type { CellSlot, RawRow, ReadPlan } from '../read/select.js';
import { readInt, splitCollection } from '../read/serialized.js';
import { isMultiCell } from '../schema/cql-type.js';

/** What the comparison looks at, and how strictly. */
export interface CompareOptions {
  /** Source column names left out of the comparison (--ignore). */
  ignore: readonly string[];
  compareWritetime: boolean;
  compareTtl: boolean;
  ttlToleranceSeconds: number;
  floatTolerance: number;
}

/**
 * Where the compared parts of a read row sit: the exact parts go into one 64-bit hash over their
 * serialized bytes (length-prefixed, so that ("ab","c") and ("a","bc") differ); the parts compared with a
 * tolerance (floats with --float-tolerance, TTLs) are kept as numbers. Statics and regular cells apart,
 * so a static difference is one per partition.
 */
export interface DigestLayout {
  regular: EntityLayout;
  statics: EntityLayout;
}

export interface EntityLayout {
  exact: number[];
  tolerant: { slot: number; decode: (bytes: Buffer) => number[]; tolerance: number }[];
}

export function digestLayout(plan: ReadPlan, options: CompareOptions): DigestLayout {
  const layout: DigestLayout = { regular: { exact: [], tolerant: [] }, statics: { exact: [], tolerant: [] } };
  for (const slot of plan.cells) {
    if (options.ignore.includes(slot.column.name)) continue;
    const entity = slot.column.kind === 'static' ? layout.statics : layout.regular;
    const floatKind = floatKindOf(slot);
    if (floatKind && options.floatTolerance > 0) {
      entity.tolerant.push({ slot: slot.value, decode: (b) => [floatKind === 'float' ? b.readFloatBE(0) : b.readDoubleBE(0)], tolerance: options.floatTolerance });
    } else {
      entity.exact.push(slot.value);
    }
    if (options.compareWritetime && slot.writetime !== null) entity.exact.push(slot.writetime);
    if (options.compareTtl && slot.ttl !== null) {
      const multi = isMultiCell(slot.column.type);
      entity.tolerant.push({
        slot: slot.ttl,
        decode: multi ? (b) => splitCollection(b).map((t) => (t ? readInt(t) : 0)) : (b) => [readInt(b)],
        tolerance: options.ttlToleranceSeconds,
      });
    }
  }
  return layout;
}

function floatKindOf(slot: CellSlot): 'float' | 'double' | null {
  const type = slot.column.type;
  return type.kind === 'native' && (type.name === 'float' || type.name === 'double') ? type.name : null;
}

/**
 * A row's digest: the hash alone when nothing is compared with a tolerance (the common case, and the
 * smallest thing to hold per row), or the hash with the tolerant parts (one array per part of the layout).
 */
export type Digest = bigint | { hash: bigint; loose: number[][] };

export type Hasher = (bytes: Uint8Array) => bigint;

/** Computes digests with one reusable scratch buffer: one hash call per row, no per-cell hashing. */
export class Digester {
  private scratch = Buffer.allocUnsafe(4096);

  constructor(private readonly hash: Hasher) {}

  digest(row: RawRow, entity: EntityLayout): Digest {
    let size = 0;
    for (const slot of entity.exact) size += 4 + (row[slot]?.length ?? 0);
    if (size > this.scratch.length) this.scratch = Buffer.allocUnsafe(Math.max(size, this.scratch.length * 2));
    let offset = 0;
    for (const slot of entity.exact) {
      const cell = row[slot];
      if (cell === null || cell === undefined) {
        this.scratch.writeInt32BE(-1, offset);
        offset += 4;
      } else {
        this.scratch.writeInt32BE(cell.length, offset);
        cell.copy(this.scratch, offset + 4);
        offset += 4 + cell.length;
      }
    }
    const hash = this.hash(this.scratch.subarray(0, offset));
    if (entity.tolerant.length === 0) return hash;
    // NaN marks an absent value; it is only equal to another absent value.
    const loose = entity.tolerant.map((part) => {
      const cell = row[part.slot];
      return cell === null || cell === undefined ? [Number.NaN] : part.decode(cell);
    });
    return { hash, loose };
  }
}

/** Equal digests: same hash, and tolerant parts within their tolerance. */
export function sameDigest(a: Digest, b: Digest, entity: EntityLayout): boolean {
  if (typeof a === 'bigint' || typeof b === 'bigint') return a === b;
  if (a.hash !== b.hash) return false;
  return entity.tolerant.every((part, i) => withinTolerance(a.loose[i] ?? [], b.loose[i] ?? [], part.tolerance));
}

export function withinTolerance(xs: number[], ys: number[], tolerance: number): boolean {
  return (
    xs.length === ys.length &&
    xs.every((x, i) => {
      const y = ys[i] as number;
      return Number.isNaN(x) || Number.isNaN(y) ? Number.isNaN(x) && Number.isNaN(y) : Math.abs(x - y) <= tolerance;
    })
  );
}
