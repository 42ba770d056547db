import type { RawRow } from '../read/select.js';
import { type Digest, type Digester, type DigestLayout, sameDigest } from './row-digest.js';

export type DifferenceKind = 'missing' | 'mismatched' | 'extra';

/** A key whose digests differ between the two sides in one range scan; re-read before it is reported. */
export interface Candidate {
  kind: DifferenceKind;
  /** A clustering row, or a partition's static cells (one per partition). */
  entity: 'row' | 'partition';
  /** Partition key then clustering values (partition: the partition key only), as serialized bytes. */
  keys: Buffer[];
}

export interface KeyShape {
  partitionKey: number[];
  clustering: number[];
  hasStatics: boolean;
}

/** Thrown when a range holds more rows than the budget: the caller splits the range and compares the parts. */
export class BudgetExceeded extends Error {
  constructor(readonly rows: number) {
    super(`more than ${rows} rows in one range`);
  }
}

interface PartitionEntry {
  digest: Digest;
  staticOnly: boolean;
}

export interface RangeComparison {
  candidates: Candidate[];
  sourceRows: number;
  targetRows: number;
  /** Rows and static-only partitions seen on either side. */
  compared: number;
}

/**
 * Matches the rows of one token range, read from both sides, by primary key. The source side is held as
 * (key, digest) pairs, at most `budget` of them; the target side streams past it. Every row of both sides
 * ends up equal or in exactly one candidate, so totals are exact. Pure apart from consuming the pages.
 */
export async function compareRange(
  sourcePages: AsyncIterable<RawRow[]>,
  targetPages: AsyncIterable<RawRow[]>,
  shape: KeyShape,
  layout: DigestLayout,
  digester: Digester,
  budget: number,
): Promise<RangeComparison> {
  const rows = new Map<string, Digest>();
  const sourcePartitions = new Map<string, PartitionEntry>();
  const targetPartitions = new Map<string, PartitionEntry>();
  const candidates: Candidate[] = [];
  let sourceRows = 0;
  let targetRows = 0;
  let compared = 0;

  const primaryKey = [...shape.partitionKey, ...shape.clustering];
  const keys = new KeyEncoder();
  const visit = (row: RawRow, partitions: Map<string, PartitionEntry>): string | null => {
    const partition = keys.encode(row, shape.partitionKey);
    const isStaticRow = shape.clustering.length > 0 && row[shape.clustering[0] as number] === null;
    if (shape.hasStatics) {
      const entry = partitions.get(partition);
      if (!entry) partitions.set(partition, { digest: digester.digest(row, layout.statics), staticOnly: isStaticRow });
      else if (!isStaticRow) entry.staticOnly = false;
    }
    return isStaticRow ? null : keys.encode(row, primaryKey);
  };

  for await (const page of sourcePages) {
    for (const row of page) {
      sourceRows++;
      const key = visit(row, sourcePartitions);
      if (key !== null) rows.set(key, digester.digest(row, layout.regular));
    }
    if (rows.size + sourcePartitions.size > budget) throw new BudgetExceeded(budget);
  }
  for await (const page of targetPages) {
    for (const row of page) {
      targetRows++;
      const key = visit(row, targetPartitions);
      if (key === null) continue;
      compared++;
      const source = rows.get(key);
      if (!source) candidates.push({ kind: 'extra', entity: 'row', keys: decodeKey(key) });
      else {
        if (!sameDigest(source, digester.digest(row, layout.regular), layout.regular)) candidates.push({ kind: 'mismatched', entity: 'row', keys: decodeKey(key) });
        rows.delete(key);
      }
    }
    if (targetPartitions.size > budget) throw new BudgetExceeded(budget);
  }
  for (const key of rows.keys()) {
    compared++;
    candidates.push({ kind: 'missing', entity: 'row', keys: decodeKey(key) });
  }
  // Statics: compared where both sides hold the partition; a partition on one side only is reported as
  // such when it holds nothing but its static row (otherwise its rows already say it).
  for (const [key, source] of sourcePartitions) {
    const target = targetPartitions.get(key);
    if (source.staticOnly) compared++;
    if (!target) {
      if (source.staticOnly) candidates.push({ kind: 'missing', entity: 'partition', keys: decodeKey(key) });
    } else if (!sameDigest(source.digest, target.digest, layout.statics)) {
      candidates.push({ kind: 'mismatched', entity: 'partition', keys: decodeKey(key) });
    }
  }
  for (const [key, target] of targetPartitions) {
    if (!sourcePartitions.has(key) && target.staticOnly) {
      compared++;
      candidates.push({ kind: 'extra', entity: 'partition', keys: decodeKey(key) });
    }
  }
  return { candidates, sourceRows, targetRows, compared };
}

/**
 * Key columns as one compact flat string (length-prefixed bytes, one char per byte): a small Map key that
 * holds no reference to the page it came from, so pages are freed as soon as they are hashed.
 */
export class KeyEncoder {
  private scratch = Buffer.allocUnsafe(256);

  encode(row: RawRow, slots: number[]): string {
    let size = 0;
    for (const slot of slots) size += 4 + (row[slot] as Buffer).length;
    if (size > this.scratch.length) this.scratch = Buffer.allocUnsafe(Math.max(size, this.scratch.length * 2));
    let offset = 0;
    for (const slot of slots) {
      const part = row[slot] as Buffer;
      this.scratch.writeUInt32BE(part.length, offset);
      part.copy(this.scratch, offset + 4);
      offset += 4 + part.length;
    }
    return this.scratch.toString('latin1', 0, offset);
  }
}

export function decodeKey(key: string): Buffer[] {
  const bytes = Buffer.from(key, 'latin1');
  const parts: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; ) {
    const length = bytes.readUInt32BE(offset);
    parts.push(bytes.subarray(offset + 4, offset + 4 + length));
    offset += 4 + length;
  }
  return parts;
}
