import { describe, expect, it } from 'vitest';
import { prng } from '../../../examples/sample-data.mjs';
import {
  checkCoverage, MAX_TOKEN, MIN_TOKEN, parseRangeId, rangeId, rangeSize, ringRanges, splitRange, splitRing,
  type TokenRange,
} from '../../../src/ring/token-range.js';

const randomToken = (rand: () => number): bigint =>
  MIN_TOKEN + 1n + (BigInt(Math.floor(rand() * 2 ** 32)) << 31n) + BigInt(Math.floor(rand() * 2 ** 31));

const sum = (ranges: TokenRange[]) => ranges.reduce((s, r) => s + rangeSize(r), 0n);

describe('ring ranges', () => {
  it('unwraps the range that wraps past MAX into (last, MAX] and (MIN, first]', () => {
    expect(ringRanges([10n, -5n, 100n])).toEqual([
      { start: MIN_TOKEN, end: -5n },
      { start: -5n, end: 10n },
      { start: 10n, end: 100n },
      { start: 100n, end: MAX_TOKEN },
    ]);
  });
  it('handles a token at MIN or MAX without an empty range', () => {
    expect(ringRanges([MIN_TOKEN, 0n])).toEqual([{ start: MIN_TOKEN, end: 0n }, { start: 0n, end: MAX_TOKEN }]);
    expect(ringRanges([MAX_TOKEN])).toEqual([{ start: MIN_TOKEN, end: MAX_TOKEN }]);
  });

  it('property: for random rings of 1-48 nodes x 16 vnodes and any split count, every token is covered exactly once', () => {
    const rand = prng(7);
    for (let trial = 0; trial < 200; trial++) {
      const nodes = 1 + Math.floor(rand() * 48);
      const tokens = Array.from({ length: nodes * 16 }, () => randomToken(rand));
      const ring = ringRanges(tokens);
      expect(sum(ring)).toBe(MAX_TOKEN - MIN_TOKEN);
      const target = 1 + Math.floor(rand() * 5000);
      const units = splitRing(ring, target);
      expect(units.length).toBeGreaterThanOrEqual(ring.length);
      const sorted = checkCoverage(units);
      expect(sorted[0]?.start).toBe(MIN_TOKEN);
      expect(sorted.at(-1)?.end).toBe(MAX_TOKEN);
      expect(sum(units)).toBe(MAX_TOKEN - MIN_TOKEN);
      // no unit crosses a node's token: contiguous units cross none exactly when every token ends a unit
      const unitEnds = new Set(units.map((u) => u.end));
      expect(ring.every((r) => unitEnds.has(r.end))).toBe(true);
    }
  });

  it('splits a range into contiguous parts that start and end where it does', () => {
    const parts = splitRange({ start: -100n, end: 1000n }, 7);
    expect(parts).toHaveLength(7);
    expect(parts[0]?.start).toBe(-100n);
    expect(parts.at(-1)?.end).toBe(1000n);
    for (let i = 1; i < parts.length; i++) expect(parts[i]?.start).toBe(parts[i - 1]?.end);
    expect(sum(parts)).toBe(1100n);
    expect(splitRange({ start: 0n, end: 3n }, 10)).toHaveLength(3);
  });

  it('gives about the requested number of units, proportional to range sizes', () => {
    const units = splitRing(ringRanges([0n]), 64);
    expect(units.length).toBeGreaterThanOrEqual(63);
    expect(units.length).toBeLessThanOrEqual(65);
  });

  it('refuses gaps and overlaps', () => {
    expect(() => checkCoverage([{ start: MIN_TOKEN, end: 0n }, { start: 5n, end: MAX_TOKEN }])).toThrow('tokens (0, 5] are in no range');
    expect(() => checkCoverage([{ start: MIN_TOKEN, end: 10n }, { start: 5n, end: MAX_TOKEN }])).toThrow('overlaps');
    expect(() => checkCoverage([{ start: MIN_TOKEN, end: 10n }])).toThrow(`tokens (10, ${MAX_TOKEN}] are in no range`);
  });

  it('round-trips range ids and refuses bad ones', () => {
    const range = { start: -42n, end: 9000000000000000000n };
    expect(parseRangeId(rangeId(range))).toEqual(range);
    expect(() => parseRangeId('5:5')).toThrow('START < END');
    expect(() => parseRangeId('abc')).toThrow('expected START:END');
  });
});
