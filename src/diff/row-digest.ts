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

/**
 * The one definition of what makes two rows equal: for each compared cell, the parts compared exactly (its
 * value's bytes, its writetime with --compare-writetime) and the parts compared within a tolerance (a float
 * with --float-tolerance, TTLs with --compare-ttl). The digest hashes these parts; the per-cell comparison
 * of a candidate (compare-rows.ts) compares the same parts, so the two cannot drift apart.
 */
export function cellParts(slot: CellSlot, options: CompareOptions): EntityLayout {
  const parts: EntityLayout = { exact: [], tolerant: [] };
  const floatKind = floatKindOf(slot);
  if (floatKind && options.floatTolerance > 0) {
    parts.tolerant.push({ slot: slot.value, decode: (b) => [floatKind === 'float' ? b.readFloatBE(0) : b.readDoubleBE(0)], tolerance: options.floatTolerance });
  } else {
    parts.exact.push(slot.value);
  }
  if (options.compareWritetime && slot.writetime !== null) parts.exact.push(slot.writetime);
  if (options.compareTtl && slot.ttl !== null) {
    const multi = isMultiCell(slot.column.type);
    parts.tolerant.push({
      slot: slot.ttl,
      decode: multi ? (b) => splitCollection(b).map((t) => (t ? readInt(t) : 0)) : (b) => [readInt(b)],
      tolerance: options.ttlToleranceSeconds,
    });
  }
  return parts;
}

/** The rows' cell parts, statics apart (a static difference is one per partition); --ignore'd columns left out. */
export function digestLayout(plan: ReadPlan, options: CompareOptions): DigestLayout {
  const layout: DigestLayout = { regular: { exact: [], tolerant: [] }, statics: { exact: [], tolerant: [] } };
  for (const slot of plan.cells) {
    if (options.ignore.includes(slot.column.name)) continue;
    const entity = slot.column.kind === 'static' ? layout.statics : layout.regular;
    const parts = cellParts(slot, options);
    entity.exact.push(...parts.exact);
    entity.tolerant.push(...parts.tolerant);
  }
  return layout;
}

/** Two rows equal in the given parts (one cell's, from cellParts). */
export function sameParts(parts: EntityLayout, a: RawRow, b: RawRow): boolean {
  for (const slot of parts.exact) {
    const [x, y] = [a[slot] ?? null, b[slot] ?? null];
    if (x === null || y === null ? x !== y : !x.equals(y)) return false;
  }
  return parts.tolerant.every((part) => withinTolerance(looseOf(a, part), looseOf(b, part), part.tolerance));
}

// NaN marks an absent value; it is only equal to another absent value.
const looseOf = (row: RawRow, part: EntityLayout['tolerant'][number]): number[] => {
  const cell = row[part.slot];
  return cell === null || cell === undefined ? [Number.NaN] : part.decode(cell);
};

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
    return { hash, loose: entity.tolerant.map((part) => looseOf(row, part)) };
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
