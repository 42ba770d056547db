import { createReadStream } from 'node:fs';
import { appendFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { joinCollection, splitCollection } from '../read/serialized.js';
import type { RawRow } from '../read/select.js';
import { tokenOf } from '../ring/partitioner.js';
import { rangeId, type TokenRange } from '../ring/token-range.js';
import { tokenBytes, type TokenSpace } from '../ring/token-space.js';
import { makeFolder } from '../state/make-folder.js';

/** How much of the target's rows is held before it is written to the bucket files. */
const HELD_BYTES = 16 * 1024 * 1024;
const COMPLETE = 'complete';

/**
 * Validate across partitioners: the two clusters give a key different tokens, so the target rows of one
 * source token range are spread over the whole target ring. The target is read once, whole, and each row is
 * filed under the source range its partition key falls in (its token computed here with the source's
 * partitioner, and written into the row's token cell); the source is then compared range by range against
 * its range's file, as against a range scan of an aligned target. Memory holds HELD_BYTES of rows at most;
 * the files live in the run's folder, so a resumed run compares its remaining ranges against them.
 */
export class TargetBuckets {
  private readonly starts: bigint[];

  private constructor(
    private readonly dir: string,
    private readonly ranges: TokenRange[],
    private readonly tokenSlot: number,
    private readonly readToken: (bytes: Buffer) => bigint,
  ) {
    this.starts = ranges.map((r) => r.start);
  }

  static dirOf(runDir: string): string {
    return join(runDir, 'target-buckets');
  }

  /** Removes the filing once the run no longer needs it (every range compared). */
  static async drop(runDir: string): Promise<void> {
    await rm(TargetBuckets.dirOf(runDir), { recursive: true, force: true });
  }

  /** Whether a complete filing is in the run folder (a resumed run reuses it). */
  static async filed(runDir: string): Promise<boolean> {
    return (await readdir(TargetBuckets.dirOf(runDir)).catch(() => [] as string[])).includes(COMPLETE);
  }

  /** The filing of a run, to compare against; `ranges` sorted, covering the source ring. */
  static open(runDir: string, ranges: TokenRange[], tokenSlot: number, readToken: (bytes: Buffer) => bigint): TargetBuckets {
    return new TargetBuckets(TargetBuckets.dirOf(runDir), ranges, tokenSlot, readToken);
  }

  /**
   * A filing of the run's target rows: each row goes under the source range of `ranges` (sorted) its key
   * falls in; rows of ranges not in `wanted` (done already, another shard's) are left out.
   */
  static async startFiling(runDir: string, filing: Filing): Promise<BucketFiler> {
    const dir = TargetBuckets.dirOf(runDir);
    await rm(dir, { recursive: true, force: true });
    await makeFolder(dir);
    return new BucketFiler(dir, new TargetBuckets(dir, filing.ranges, filing.tokenSlot, () => 0n), filing);
  }

  /** The filed target rows whose source token is in `range` (part of one of the run's ranges), a page at a time. */
  async *pages(range: TokenRange): AsyncGenerator<RawRow[]> {
    const file = this.fileOf(rangeId(this.rangeOf(range.start + 1n)));
    let pending: Buffer = Buffer.alloc(0);
    const stream = createReadStream(file, { highWaterMark: 1024 * 1024 });
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        const bytes = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
        const page: RawRow[] = [];
        let offset = 0;
        while (offset + 4 <= bytes.length && offset + 4 + bytes.readUInt32BE(offset) <= bytes.length) {
          const length = bytes.readUInt32BE(offset);
          const row = splitCollection(bytes.subarray(offset + 4, offset + 4 + length));
          const token = this.readToken(row[this.tokenSlot] as Buffer);
          if (token > range.start && token <= range.end) page.push(row);
          offset += 4 + length;
        }
        pending = bytes.subarray(offset);
        if (page.length > 0) yield page;
      }
    } catch (error) {
      // A range no target row falls in has no file.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }

  fileOf(id: string): string {
    return join(this.dir, id.replace(':', '_'));
  }

  /** The run range holding a token: the last whose start is below it. */
  rangeOf(token: bigint): TokenRange {
    let [low, high] = [0, this.starts.length - 1];
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((this.starts[middle] as bigint) < token) low = middle;
      else high = middle - 1;
    }
    return this.ranges[low] as TokenRange;
  }
}

export interface Filing {
  ranges: TokenRange[];
  wanted: ReadonlySet<string>;
  /** The source's token space: the token each row is filed by. */
  space: TokenSpace;
  partitionKey: number[];
  tokenSlot: number;
  /** How many bytes of rows are held before they are written (default HELD_BYTES). */
  holdBytes?: number;
}

/** Takes the target's pages from concurrent range reads; rows are held up to HELD_BYTES, then appended to their files. */
export class BucketFiler {
  private held = new Map<string, Buffer[]>();
  private heldBytes = 0;
  private filed = 0;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly dir: string,
    private readonly buckets: TargetBuckets,
    private readonly filing: Filing,
  ) {}

  async add(page: RawRow[]): Promise<void> {
    const { space, partitionKey, tokenSlot, wanted } = this.filing;
    for (const row of page) {
      const token = tokenOf(space.kind, partitionKey.map((slot) => row[slot] as Buffer));
      const id = rangeId(this.buckets.rangeOf(token));
      if (!wanted.has(id)) continue;
      row[tokenSlot] = tokenBytes(space, token);
      const body = joinCollection(row);
      const record = Buffer.allocUnsafe(4 + body.length);
      record.writeUInt32BE(body.length, 0);
      body.copy(record, 4);
      const records = this.held.get(id);
      if (records) records.push(record);
      else this.held.set(id, [record]);
      this.heldBytes += record.length;
      this.filed++;
    }
    if (this.heldBytes >= (this.filing.holdBytes ?? HELD_BYTES)) await this.write();
  }

  /** Writes what is held, marks the filing complete, and returns how many rows it filed. */
  async finish(): Promise<number> {
    await this.write();
    await writeFile(join(this.dir, COMPLETE), `${this.filed}\n`);
    return this.filed;
  }

  /** One write at a time, in order; reads go on filling a fresh set meanwhile. */
  private write(): Promise<void> {
    const held = this.held;
    this.held = new Map();
    this.heldBytes = 0;
    this.writing = this.writing.then(async () => {
      for (const [id, records] of held) await appendFile(this.buckets.fileOf(id), Buffer.concat(records));
    });
    return this.writing;
  }
}
