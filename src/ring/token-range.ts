import { MURMUR3, RANDOM, type TokenSpace } from './token-space.js';

/**
 * Token ranges as bigints, in a partitioner's token space (Murmur3 unless given). A range is (start, end]:
 * exclusive start, inclusive end, as CQL's `token(pk) > ? AND token(pk) <= ?` reads it. Pure.
 */
export const MIN_TOKEN = MURMUR3.min;
export const MAX_TOKEN = MURMUR3.max;

export interface TokenRange {
  /** Exclusive. */
  start: bigint;
  /** Inclusive. */
  end: bigint;
}

/** A stable identity for checkpoints and reports. */
export const rangeId = (range: TokenRange): string => `${range.start}:${range.end}`;

export function parseRangeId(id: string): TokenRange {
  const match = /^(-?\d+):(-?\d+)$/.exec(id.trim());
  if (!match) throw new Error(`"${id}" is not a token range: expected START:END`);
  const range = { start: BigInt(match[1] as string), end: BigInt(match[2] as string) };
  // Bounds of any partitioner's space: which one a run's ranges are in is checked against its ring (checkCoverage).
  if (range.start < MURMUR3.min || range.end > RANDOM.max || range.start >= range.end) {
    throw new Error(`"${id}" is not a token range: need ${MURMUR3.min} <= START < END <= ${RANDOM.max}`);
  }
  return range;
}

export const rangeSize = (range: TokenRange): bigint => range.end - range.start;

/**
 * The ranges a ring's tokens delimit, unwrapped: each node owns (previous token, its token]; the range
 * that wraps past MAX is returned as (last, MAX] and (MIN, first].
 */
export function ringRanges(tokens: bigint[], space: TokenSpace = MURMUR3): TokenRange[] {
  const sorted = [...new Set(tokens)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (sorted.length === 0) throw new Error('the ring has no tokens');
  const ranges: TokenRange[] = [];
  const first = sorted[0] as bigint;
  const last = sorted[sorted.length - 1] as bigint;
  if (first > space.min) ranges.push({ start: space.min, end: first });
  for (let i = 1; i < sorted.length; i++) ranges.push({ start: sorted[i - 1] as bigint, end: sorted[i] as bigint });
  if (last < space.max) ranges.push({ start: last, end: space.max });
  return ranges;
}

/** Splits one range into `parts` contiguous ranges of near-equal size (never more parts than tokens). */
export function splitRange(range: TokenRange, parts: number): TokenRange[] {
  const size = rangeSize(range);
  const count = BigInt(Math.max(1, parts)) > size ? size : BigInt(Math.max(1, parts));
  const out: TokenRange[] = [];
  let start = range.start;
  for (let i = 1n; i <= count; i++) {
    const end = i === count ? range.end : range.start + (size * i) / count;
    out.push({ start, end });
    start = end;
  }
  return out;
}

/**
 * Splits the ring's ranges into about `target` work units: each ring range gets a share proportional to
 * its size and at least one, so no unit spans two nodes' ranges.
 */
export function splitRing(ranges: TokenRange[], target: number): TokenRange[] {
  const total = ranges.reduce((sum, r) => sum + rangeSize(r), 0n);
  const want = BigInt(Math.max(target, ranges.length));
  return ranges.flatMap((range) => {
    const share = (rangeSize(range) * want + total / 2n) / total;
    return splitRange(range, Number(share < 1n ? 1n : share));
  });
}

/**
 * Refuses an incomplete or overlapping set of ranges: sorted, they must run contiguously from MIN to MAX.
 * Returns the sorted ranges.
 */
export function checkCoverage(ranges: TokenRange[], space: TokenSpace = MURMUR3): TokenRange[] {
  const sorted = [...ranges].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  let expected = space.min;
  for (const range of sorted) {
    if (range.start !== expected) {
      throw new Error(range.start > expected ? `tokens (${expected}, ${range.start}] are in no range` : `range ${rangeId(range)} overlaps the one before it`);
    }
    if (range.end <= range.start) throw new Error(`range ${rangeId(range)} is empty or reversed`);
    expected = range.end;
  }
  if (expected !== space.max) throw new Error(`tokens (${expected}, ${space.max}] are in no range`);
  return sorted;
}

/** Deterministic share of the ranges for shard `index` of `count` (`--shard I/N`). */
export const shardOf = (ranges: TokenRange[], index: number, count: number): TokenRange[] =>
  ranges.filter((_, i) => i % count === index);
