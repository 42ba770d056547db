import { describe, expect, it } from 'vitest';
import { tokenFromBytes } from '../../../src/ring/partitioner.js';
import { checkCoverage, ringRanges, splitRing } from '../../../src/ring/token-range.js';
import { MURMUR3, RANDOM, tokenBytes, tokenSpaceOf, varintBytes } from '../../../src/ring/token-space.js';

describe('token spaces', () => {
  it('are read off the partitioner class system.local names', () => {
    expect(tokenSpaceOf('org.apache.cassandra.dht.Murmur3Partitioner')).toBe(MURMUR3);
    expect(tokenSpaceOf('org.apache.cassandra.dht.RandomPartitioner')).toBe(RANDOM);
    expect(() => tokenSpaceOf('org.apache.cassandra.dht.ByteOrderedPartitioner')).toThrow(/ByteOrderedPartitioner: migrate splits Murmur3Partitioner and RandomPartitioner rings only/);
  });

  it('bind tokens as CQL serializes them: 8 bytes for Murmur3, the shortest varint for Random', () => {
    expect(tokenBytes(MURMUR3, -1n).toString('hex')).toBe('ffffffffffffffff');
    expect(tokenBytes(RANDOM, -1n).toString('hex')).toBe('ff');
    expect(tokenBytes(RANDOM, 0n).toString('hex')).toBe('00');
    expect(tokenBytes(RANDOM, 128n).toString('hex')).toBe('0080');
    expect(tokenBytes(RANDOM, RANDOM.max).toString('hex')).toBe(`0080${'0'.repeat(30)}`);
    // A token the server sent for a RandomPartitioner key (Cassandra 5.0.9), read and written back unchanged.
    const served = Buffer.from('7e0eb8a3aa6d0a3d8fd9ab5b1e0b3d19', 'hex');
    expect(varintBytes(tokenFromBytes(served))).toEqual(served);
    for (const value of [-129n, -128n, -32768n, 127n, 255n, 65535n, 2n ** 126n + 12345n, -(2n ** 70n)]) expect(tokenFromBytes(varintBytes(value))).toBe(value);
  });

  it('a RandomPartitioner ring splits into ranges covering (-1, 2^127] exactly', () => {
    const tokens = [2n ** 125n, 2n ** 126n, 3n * 2n ** 125n, 12345n];
    const ring = ringRanges(tokens, RANDOM);
    expect(ring[0]).toEqual({ start: -1n, end: 12345n });
    expect(ring.at(-1)).toEqual({ start: 3n * 2n ** 125n, end: RANDOM.max });
    const units = checkCoverage(splitRing(ring, 64), RANDOM);
    expect(units.length).toBeGreaterThanOrEqual(64);
    expect(() => checkCoverage(units)).toThrow(/are in no range|overlaps/);
    expect(() => checkCoverage(units.slice(1), RANDOM)).toThrow('tokens (-1, ');
  });
});
