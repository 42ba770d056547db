import { describe, expect, it } from 'vitest';
import type { Statement } from '../../../src/connect/session.js';
import { dataSizeBound, planBatches } from '../../../src/write/batch-plan.js';

const statement = (name: string, bytes = 10): Statement => ({ query: name, params: [Buffer.alloc(bytes, 0x61)] });
const partition = (name: string, rows: number, bytes = 10): Statement[] => Array.from({ length: rows }, (_, i) => statement(`${name}${i}`, bytes));
const names = (chains: Statement[][][]) => chains.map((chain) => chain.map((batch) => batch.map((s) => s.query).join(',')));
const SHARED = { bytes: 5120, partitions: 10 };

describe('planBatches', () => {
  it('without the target\'s thresholds: one chain per partition, its batches in order', () => {
    expect(names(planBatches([partition('a', 2), partition('b', 3)], 2))).toEqual([['a0,a1'], ['b0,b1', 'b2']]);
  });

  it('small partitions share a batch, up to the partitions threshold', () => {
    const partitions = Array.from({ length: 23 }, (_, i) => partition(`p${i}-`, 1));
    const chains = planBatches(partitions, 64, SHARED);
    expect(chains.map((chain) => chain.length)).toEqual([1, 1, 1]);
    expect(chains.map((chain) => chain[0]?.length)).toEqual([10, 10, 3]);
    expect(chains.flat(2).map((s) => s.query)).toEqual(partitions.flat().map((s) => s.query));
  });

  it('a shared batch stays within the size threshold as Cassandra counts it', () => {
    // each partition: 2 statements of 1,000 bytes, bound 2 x 1,018
    const chains = planBatches(Array.from({ length: 5 }, (_, i) => partition(`p${i}-`, 2, 1000)), 64, SHARED);
    expect(chains.map((chain) => chain[0]?.length)).toEqual([4, 4, 2]);
    for (const chain of chains) expect(chain.flat().reduce((sum, s) => sum + dataSizeBound(s), 0)).toBeLessThanOrEqual(SHARED.bytes);
  });

  it('and within the statement cap (Keyspaces: 30)', () => {
    const chains = planBatches(Array.from({ length: 4 }, (_, i) => partition(`p${i}-`, 12)), 30, SHARED);
    expect(chains.map((chain) => chain[0]?.length)).toEqual([24, 24]);
  });

  it('a partition too large to share keeps a chain of its own, in order, between the shared ones', () => {
    const large = partition('big', 3, 3000);
    expect(names(planBatches([partition('a', 1), large, partition('b', 1)], 2, SHARED))).toEqual([['big0,big1', 'big2'], ['a0,b0']]);
  });

  it('a partition left with no statements (its lists already written) is no batch', () => {
    expect(names(planBatches([[], partition('a', 1), []], 64, SHARED))).toEqual([['a0']]);
    expect(planBatches([[]], 64, SHARED)).toEqual([]);
  });
});

describe('dataSizeBound', () => {
  it('a value: its bytes and a cell\'s timestamp, TTL and deletion time (and a field\'s path, were it one)', () => {
    expect(dataSizeBound({ query: '', params: [Buffer.from('hello'), Buffer.alloc(8)] })).toBe(5 + 18 + 8 + 18);
  });

  it('a serialized collection: its elements as cells with paths, 32 bytes each besides their values', () => {
    // list<int> of 300: 4 + 300 x 8 bytes bound; in Cassandra 300 x (4 + 16 + 16) and a deletion
    const list = Buffer.alloc(4 + 300 * 8);
    list.writeInt32BE(300, 0);
    for (let i = 0; i < 300; i++) list.writeInt32BE(4, 4 + i * 8);
    expect(dataSizeBound({ query: '', params: [list] })).toBeGreaterThanOrEqual(300 * (4 + 32) + 12);
  });

  it('a text whose first bytes cannot be an element count counts once', () => {
    expect(dataSizeBound({ query: '', params: [Buffer.from('name 17')] })).toBe(7 + 18);
  });
});
