import xxhash from 'xxhash-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { prng } from '../../../examples/sample-data.mjs';
import { compareRange } from '../../../src/diff/range-compare.js';
import { mergeRange } from '../../../src/diff/range-merge.js';
import { Digester, digestLayout } from '../../../src/diff/row-digest.js';
import type { RawRow } from '../../../src/read/select.js';
import { options, plan, r, RANGE, shape, sides, summary, TOKEN_SLOT } from './range-rows.js';

let digester: Digester;
beforeAll(async () => {
  digester = new Digester((await xxhash()).h64Raw);
});

const merge = (source: RawRow[], target: RawRow[], pageSize = 2, layout = digestLayout(plan, options)) => mergeRange(RANGE, sides(source, target, pageSize).read, shape, TOKEN_SLOT, layout, digester);
const counts = (c: Awaited<ReturnType<typeof mergeRange>>) => ({ sourceRows: c.sourceRows, targetRows: c.targetRows, compared: c.compared });

describe('mergeRange (both sides in token order)', () => {
  it('accounts for every row: equal, missing, mismatched, extra; statics once per partition', async () => {
    const source = [r(1, 1, 'S', 'a'), r(1, 2, 'S', 'b'), r(2, 1, 'T', 'x'), r(3, 1, null, 'gone'), r(5, null, 'only static', null)];
    const target = [r(1, 1, 'S2', 'a'), r(1, 2, 'S2', 'B'), r(2, 1, 'T', 'x'), r(4, 1, null, 'stray'), r(6, null, 'stray static', null)];
    const result = await merge(source, target);
    expect(summary(result)).toEqual(['extra partition 6', 'extra row 4/1', 'mismatched partition 1', 'mismatched row 1/2', 'missing partition 5', 'missing row 3/1']);
    // compared: rows 1/1, 1/2, 2/1, 3/1, 4/1, and the static-only partitions 5 and 6
    expect(counts(result)).toEqual({ sourceRows: 5, targetRows: 5, compared: 7 });
  });

  it('reads each side once, by one query for the whole range, and serves exactly its rows', async () => {
    const source = Array.from({ length: 30 }, (_, i) => r(Math.floor(i / 3), i % 3, null, 'v'));
    const target = source.filter((row) => row[0]!.readInt32BE(0) !== 9);
    const { read, asked, served } = sides(source, target, 4);
    const result = await mergeRange(RANGE, read, shape, TOKEN_SLOT, digestLayout(plan, options), digester);
    expect(summary(result)).toEqual(['missing row 9/0', 'missing row 9/1', 'missing row 9/2']);
    expect(asked).toEqual(['source -100:100', 'target -100:100']);
    expect(served).toEqual({ source: 30, target: 27 });
  });

  it('a float within --float-tolerance is equal; beyond it is not; --ignore leaves a column out', async () => {
    const tolerant = digestLayout(plan, { ...options, floatTolerance: 0.01 });
    expect((await merge([r(1, 1, null, 'a', 1.5)], [r(1, 1, null, 'a', 1.505)], 2, tolerant)).candidates).toEqual([]);
    expect(summary(await merge([r(1, 1, null, 'a', 1.5)], [r(1, 1, null, 'a', 1.6)], 2, tolerant))).toEqual(['mismatched row 1/1']);
    expect((await merge([r(1, 1, null, 'a')], [r(1, 1, null, 'b')], 2, digestLayout(plan, { ...options, ignore: ['v'] }))).candidates).toEqual([]);
  });

  it('rows of a partition in another clustering order on one side still match by key', async () => {
    const source = [r(1, 1, null, 'a'), r(1, 2, null, 'b'), r(1, 3, null, 'c'), r(2, 1, null, 'd')];
    const target = [r(1, 3, null, 'c'), r(1, 2, null, 'B'), r(1, 1, null, 'a'), r(2, 1, null, 'd')];
    const result = await merge(source, target, 3);
    expect(summary(result)).toEqual(['mismatched row 1/2']);
    expect(counts(result)).toEqual({ sourceRows: 4, targetRows: 4, compared: 4 });
  });

  it('partitions sharing a token are told apart by key, whichever comes first on each side', async () => {
    const source = [r(1, 1, null, 'a', 1.5, 7n), r(2, 1, null, 'b', 1.5, 7n), r(3, 1, null, 'c', 1.5, 8n)];
    const target = [r(2, 1, null, 'b', 1.5, 7n), r(4, 1, null, 'x', 1.5, 7n), r(3, 1, null, 'c', 1.5, 8n)];
    const result = await merge(source, target);
    expect(summary(result)).toEqual(['extra row 4/1', 'missing row 1/1']);
    expect(counts(result)).toEqual({ sourceRows: 3, targetRows: 3, compared: 4 });
  });

  it('a partition shifted by one row on the target is every row missing or extra, not a mismatch', async () => {
    const result = await merge([r(1, 0, null, 'v'), r(1, 1, null, 'v'), r(1, 2, null, 'v')], [r(1, 1, null, 'v'), r(1, 2, null, 'v'), r(1, 3, null, 'v')]);
    expect(summary(result)).toEqual(['extra row 1/3', 'missing row 1/0']);
  });

  it('rows out of token order fail the range instead of being misreported', async () => {
    await expect(merge([r(2, 1, null, 'a'), r(1, 1, null, 'a')], [r(1, 1, null, 'a'), r(2, 1, null, 'a')])).rejects.toThrow('the source range scan returned token 1 after 2: rows out of token order cannot be merged');
  });

  it('finds exactly what compareRange finds, over random differences, page sizes and token collisions', async () => {
    const random = prng(11);
    const pick = (n: number) => Math.floor(random() * n);
    for (let round = 0; round < 40; round++) {
      const source: RawRow[] = [];
      const target: RawRow[] = [];
      for (let pk = 0; pk < 30; pk++) {
        const token = BigInt(Math.floor(pk / 3)); // three partitions to a token
        const statics = pick(4) === 0 ? null : `s${pk}`;
        if (pick(6) === 0) {
          if (pick(2) === 0) source.push(r(pk, null, statics, null, 1.5, token));
          if (pick(2) === 0) target.push(r(pk, null, pick(3) === 0 ? 'other' : statics, null, 1.5, token));
          continue;
        }
        for (let ck = 0; ck < 4; ck++) {
          const roll = pick(10);
          if (roll !== 0) source.push(r(pk, ck, statics, `v${ck}`, 1.5, token));
          if (roll !== 1) target.push(r(pk, ck, roll === 2 ? 'changed' : statics, roll === 3 ? 'changed' : `v${ck}`, 1.5, token));
        }
      }
      const pageSize = 1 + pick(7);
      const merged = await merge(source, target, pageSize);
      const compared = await compareRange(RANGE, sides(source, target, pageSize).read, shape, digestLayout(plan, options), digester, 1 + pick(20));
      expect({ round, found: summary(merged), ...counts(merged) }).toEqual({ round, found: summary(compared), sourceRows: compared.sourceRows, targetRows: compared.targetRows, compared: compared.compared });
    }
  });
});
