import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TargetBuckets } from '../../../src/diff/target-buckets.js';
import { intBytes } from '../../../src/read/serialized.js';
import type { RawRow } from '../../../src/read/select.js';
import { tokenFromBytes, tokenOf } from '../../../src/ring/partitioner.js';
import { rangeId, ringRanges, splitRing } from '../../../src/ring/token-range.js';
import { MURMUR3, RANDOM, type TokenSpace } from '../../../src/ring/token-space.js';

// A row as the target's scan reads it: partition key, clustering, a value, and the target's own token (slot 3).
const rowOf = (i: number): RawRow => [intBytes(i % 97), intBytes(i), Buffer.from(`v${i}`), Buffer.from('target-token')];
const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function fileRows(space: TokenSpace, rows: RawRow[], holdBytes: number, leaveOut = 0) {
  const runDir = await mkdtemp(join(tmpdir(), 'buckets-'));
  dirs.push(runDir);
  const ranges = splitRing(ringRanges([0n], space), 8);
  const wanted = new Set(ranges.slice(leaveOut).map(rangeId));
  const filer = await TargetBuckets.startFiling(runDir, { ranges, wanted, space, partitionKey: [0], tokenSlot: 3, holdBytes });
  // Pages arrive from concurrent range reads.
  await Promise.all([0, 1, 2].map((part) => filer.add(rows.filter((_, i) => i % 3 === part))));
  const filed = await filer.finish();
  const readToken = space.kind === 'murmur3' ? (b: Buffer) => b.readBigInt64BE(0) : tokenFromBytes;
  return { runDir, ranges, filed, buckets: TargetBuckets.open(runDir, ranges, 3, readToken), readToken };
}

const collect = async (pages: AsyncIterable<RawRow[]>) => {
  const out: RawRow[] = [];
  for await (const page of pages) out.push(...page);
  return out;
};

describe('the target filed by source range (validate across partitioners)', () => {
  for (const space of [MURMUR3, RANDOM]) {
    it(`${space.partitioner}: every row once, under the range its key's token falls in, with that token in its token cell`, async () => {
      const rows = Array.from({ length: 2000 }, (_, i) => rowOf(i));
      const { runDir, ranges, filed, buckets, readToken } = await fileRows(space, rows, 4096);
      expect(filed).toBe(2000);
      expect(await TargetBuckets.filed(runDir)).toBe(true);
      const seen = new Set<string>();
      for (const range of ranges) {
        for (const row of await collect(buckets.pages(range))) {
          const token = tokenOf(space.kind, [row[0] as Buffer]);
          expect(readToken(row[3] as Buffer)).toBe(token);
          expect(token > range.start && token <= range.end).toBe(true);
          const key = `${(row[0] as Buffer).readInt32BE(0)}/${(row[1] as Buffer).readInt32BE(0)}`;
          expect(seen.has(key)).toBe(false);
          seen.add(key);
          expect((row[2] as Buffer).toString()).toBe(`v${(row[1] as Buffer).readInt32BE(0)}`);
        }
      }
      expect(seen.size).toBe(2000);
    });
  }

  it('a part of a range yields only its tokens; ranges left out (done already) are not filed', async () => {
    const rows = Array.from({ length: 1000 }, (_, i) => rowOf(i));
    const { ranges, filed, buckets, runDir } = await fileRows(MURMUR3, rows, 1 << 20, 2);
    const inRange = (r: { start: bigint; end: bigint }) => rows.filter((row) => {
      const token = tokenOf('murmur3', [row[0] as Buffer]);
      return token > r.start && token <= r.end;
    }).length;
    expect(filed).toBe(rows.length - inRange(ranges[0] as never) - inRange(ranges[1] as never));
    expect(await collect(buckets.pages(ranges[0] as never))).toEqual([]);
    const third = ranges[2] as { start: bigint; end: bigint };
    const half = { start: third.start, end: third.start + (third.end - third.start) / 2n };
    const rest = { start: half.end, end: third.end };
    expect((await collect(buckets.pages(half))).length + (await collect(buckets.pages(rest))).length).toBe(inRange(third));
    expect((await collect(buckets.pages(half))).length).toBe(inRange(half));
    expect((await readdir(TargetBuckets.dirOf(runDir))).length).toBe(8 - 2 + 1);
  });

  it('an unfinished filing is not taken for a complete one', async () => {
    const runDir = await mkdtemp(join(tmpdir(), 'buckets-'));
    dirs.push(runDir);
    const ranges = splitRing(ringRanges([0n]), 4);
    const filer = await TargetBuckets.startFiling(runDir, { ranges, wanted: new Set(ranges.map(rangeId)), space: MURMUR3, partitionKey: [0], tokenSlot: 3, holdBytes: 1 });
    await filer.add([rowOf(1), rowOf(2)]);
    expect(await TargetBuckets.filed(runDir)).toBe(false);
  });
});
