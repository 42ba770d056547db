import { describe, expect, it } from 'vitest';
import { comparisonOf, hashesAsClaimed, partitionerKind, tokenFromBytes, tokenOf } from '../../../src/ring/partitioner.js';
import { int, text } from '../../support/schemas.js';

const MURMUR3 = 'org.apache.cassandra.dht.Murmur3Partitioner';
const RANDOM = 'org.apache.cassandra.dht.RandomPartitioner';

// Tokens read with `SELECT token(k)` from Cassandra 5.0.9 nodes of each partitioner (scripts/cassandra.sh
// source and random): an int key 1 and -7, a text key 'abc', a composite key (1, 'x').
const observed = {
  murmur3: { int1: -4069959284402364209n, intMinus7: 4646288613654219998n, abc: -5434086359492102041n, composite: 746584927563629270n },
  random: { int1: 19580090105725936846312850328329299579n, intMinus7: 10989430831262219090184974721345571343n, abc: 148866708576779697295343134153845407886n, composite: 25421931784973478809877851659878436220n },
};

describe('partitioners', () => {
  it('computes the tokens Cassandra computes, for single and composite keys, with both partitioners', () => {
    for (const kind of ['murmur3', 'random'] as const) {
      expect({ kind, int1: tokenOf(kind, [int(1)]), intMinus7: tokenOf(kind, [int(-7)]), abc: tokenOf(kind, [text('abc')]), composite: tokenOf(kind, [int(1), text('x')]) }).toEqual({ kind, ...observed[kind] });
    }
  });

  it('reads tokens as the server serializes them (bigint, varint)', () => {
    const big = Buffer.alloc(8);
    big.writeBigInt64BE(observed.murmur3.int1);
    expect(tokenFromBytes(big)).toBe(observed.murmur3.int1);
    const varint = Buffer.from(observed.random.abc.toString(16).padStart(34, '0'), 'hex');
    expect(tokenFromBytes(varint)).toBe(observed.random.abc);
    expect(tokenFromBytes(Buffer.from([0xff]))).toBe(-1n);
  });

  it('the probe: a target whose token() disagrees with the partitioner it names is caught', () => {
    expect(hashesAsClaimed({ partitioner: MURMUR3, sample: { partitionKey: [int(1)], token: observed.murmur3.int1 } })).toBe(true);
    // a service naming Murmur3 while hashing otherwise (here: the Random token of the same key)
    expect(hashesAsClaimed({ partitioner: MURMUR3, sample: { partitionKey: [int(1)], token: observed.random.int1 } })).toBe(false);
    expect(hashesAsClaimed({ partitioner: RANDOM, sample: { partitionKey: [int(1), text('x')], token: observed.random.composite } })).toBe(true);
    expect(hashesAsClaimed({ partitioner: MURMUR3 })).toBe(true);
  });

  it('what a job may do with each pair: copy between any two, validate aligned where both hash alike (claimed and seen), across otherwise', () => {
    const murmur3 = { partitioner: MURMUR3 };
    const random = { partitioner: RANDOM };
    const disguised = { partitioner: MURMUR3, sample: { partitionKey: [int(1)], token: 42n } };
    const honest = { partitioner: MURMUR3, sample: { partitionKey: [int(1)], token: tokenOf('murmur3', [int(1)]) } };
    expect(comparisonOf('copy', murmur3, random)).toBe('aligned');
    expect(comparisonOf('copy', random, murmur3)).toBe('aligned');
    expect(comparisonOf('validate', murmur3, murmur3)).toBe('aligned');
    expect(comparisonOf('validate', murmur3, honest)).toBe('aligned');
    expect(comparisonOf('validate', random, random)).toBe('aligned');
    expect(comparisonOf('validate', murmur3, random)).toBe('across');
    expect(comparisonOf('validate', random, murmur3)).toBe('across');
    expect(comparisonOf('validate', murmur3, disguised)).toBe('across');
    const byteOrdered = { partitioner: 'org.apache.cassandra.dht.ByteOrderedPartitioner' };
    expect(() => comparisonOf('copy', byteOrdered, murmur3)).toThrow(/^the source cluster uses ByteOrderedPartitioner: migrate splits Murmur3Partitioner and RandomPartitioner rings only/);
    expect(() => comparisonOf('validate', murmur3, byteOrdered)).toThrow(/^the target cluster uses ByteOrderedPartitioner: migrate splits Murmur3Partitioner and RandomPartitioner rings only/);
    expect(partitionerKind('org.apache.cassandra.dht.OrderPreservingPartitioner')).toBe('other');
  });
});
