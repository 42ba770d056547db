import xxhash from 'xxhash-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { compareRange, decodeKey, KeyEncoder } from '../../../src/diff/range-compare.js';
import { Digester, digestLayout } from '../../../src/diff/row-digest.js';
import type { RawRow } from '../../../src/read/select.js';
import { int, text } from '../../support/schemas.js';
import { options, plan, r, RANGE, shape, sides, summary } from './range-rows.js';

let digester: Digester;
beforeAll(async () => {
  digester = new Digester((await xxhash()).h64Raw);
});

describe('compareRange', () => {
  it('accounts for every row: equal, missing, mismatched, extra; statics once per partition', async () => {
    const source = [r(1, 1, 'S', 'a'), r(1, 2, 'S', 'b'), r(2, 1, 'T', 'x'), r(3, 1, null, 'gone'), r(5, null, 'only static', null)];
    const target = [r(1, 1, 'S2', 'a'), r(1, 2, 'S2', 'B'), r(2, 1, 'T', 'x'), r(4, 1, null, 'stray'), r(6, null, 'stray static', null)];
    const result = await compareRange(RANGE, sides(source, target).read, shape, digestLayout(plan, options), digester, 100);
    expect(summary(result)).toEqual(['extra partition 6', 'extra row 4/1', 'mismatched partition 1', 'mismatched row 1/2', 'missing partition 5', 'missing row 3/1']);
    expect([result.sourceRows, result.targetRows]).toEqual([5, 5]);
  });

  it('a float within --float-tolerance is equal; beyond it is not', async () => {
    const layout = digestLayout(plan, { ...options, floatTolerance: 0.01 });
    const near = await compareRange(RANGE, sides([r(1, 1, null, 'a', 1.5)], [r(1, 1, null, 'a', 1.505)]).read, shape, layout, digester, 100);
    expect(near.candidates).toEqual([]);
    const far = await compareRange(RANGE, sides([r(1, 1, null, 'a', 1.5)], [r(1, 1, null, 'a', 1.6)]).read, shape, layout, digester, 100);
    expect(summary(far)).toEqual(['mismatched row 1/1']);
  });

  it('--ignore leaves a column out', async () => {
    const result = await compareRange(RANGE, sides([r(1, 1, null, 'a')], [r(1, 1, null, 'b')]).read, shape, digestLayout(plan, { ...options, ignore: ['v'] }), digester, 100);
    expect(result.candidates).toEqual([]);
  });

  // 10 partitions of 3 rows; partition 7 differs, partition 9 is missing from the target
  const tenPartitions = Array.from({ length: 30 }, (_, i) => r(Math.floor(i / 3), i % 3, null, 'v'));
  const changed = tenPartitions.filter((row) => row[0]!.readInt32BE(0) !== 9).map((row) => (row[0]!.readInt32BE(0) === 7 && row[1]!.readInt32BE(0) === 1 ? r(7, 1, null, 'changed') : row));

  it('holds at most the budget: a big range is compared in chunks cut between partitions, each side read once', async () => {
    const { read, asked, served } = sides(tenPartitions, changed);
    const result = await compareRange(RANGE, read, shape, digestLayout(plan, options), digester, 7);
    expect(summary(result)).toEqual(['mismatched row 7/1', 'missing row 9/0', 'missing row 9/1', 'missing row 9/2']);
    expect([result.sourceRows, result.targetRows, result.compared]).toEqual([30, 27, 30]);
    // the budget counts rows and partitions held (3 + 1 each): chunks of 2 partitions, cut at a token boundary;
    // the source is one query across the chunks, the target one per chunk
    expect(asked).toEqual(['source -100:100', 'target -100:1', 'target 1:3', 'target 3:5', 'target 5:7', 'target 7:100']);
    expect(served).toEqual({ source: 30, target: 27 });
  });

  it('a chunk that ends mid-page leaves the rest of that page to the next chunk (pages larger than the budget)', async () => {
    const { read, served } = sides(tenPartitions, changed, 25);
    const result = await compareRange(RANGE, read, shape, digestLayout(plan, options), digester, 7);
    expect(summary(result)).toEqual(['mismatched row 7/1', 'missing row 9/0', 'missing row 9/1', 'missing row 9/2']);
    expect([result.sourceRows, result.targetRows, result.compared]).toEqual([30, 27, 30]);
    expect(served).toEqual({ source: 30, target: 27 });
  });

  it('keys round-trip through their compact string form', () => {
    const row: RawRow = [text('ab'), Buffer.alloc(0), int(-1)];
    expect(decodeKey(new KeyEncoder().encode(row, [0, 1, 2]))).toEqual([text('ab'), Buffer.alloc(0), int(-1)]);
  });
});
