import type { RawRow } from '../read/select.js';
import type { TokenRange } from '../ring/token-range.js';
import { type Candidate, compareStatics, decodeKey, KeyEncoder, type KeyShape, type PageSource, type PartitionEntry, PartitionNotes, type RangeComparison } from './range-compare.js';
import { type Digest, type Digester, type DigestLayout, sameDigest, sameParts } from './row-digest.js';

/**
 * Matches the rows of one token range of two clusters on the same partitioner: both sides come in token
 * order, so they are walked side by side, one token at a time, and nothing is held but the rows of the
 * token in hand whose keys did not line up. Rows that line up (the same primary key on both sides, the
 * common case) are compared cell by cell where they lie in their pages, with no digest and no key string;
 * rows that do not (a row on one side only, or a clustering order that differs) wait by key until their
 * token ends on both sides. Every row of both sides ends up equal or in exactly one candidate, as in
 * compareRange; memory is the pages in flight, whatever the range's or a partition's size, unless a
 * partition's rows differ wholesale. Pure apart from consuming the pages.
 */
export async function mergeRange(range: TokenRange, read: PageSource, shape: KeyShape, targetTokenSlot: number, layout: DigestLayout, digester: Digester): Promise<RangeComparison> {
  const source = new TokenOrderedRows(read('source', range)[Symbol.asyncIterator](), shape.token, shape.readToken, 'source');
  const target = new TokenOrderedRows(read('target', range)[Symbol.asyncIterator](), targetTokenSlot, shape.readToken, 'target');
  const token = new TokenMatch(shape, layout, digester);
  try {
    await Promise.all([source.advance(), target.advance()]);
    while (source.row !== null || target.row !== null) {
      const at = target.row === null || (source.row !== null && source.token < target.token) ? source.token : target.token;
      while (source.row !== null && target.row !== null && source.token === at && target.token === at) {
        token.pair(source.row, target.row);
        const [fromSource, fromTarget] = [source.advance(), target.advance()];
        if (fromSource || fromTarget) await Promise.all([fromSource, fromTarget]);
      }
      while (source.row !== null && source.token === at) {
        token.source(source.row);
        await source.advance();
      }
      while (target.row !== null && target.token === at) {
        token.target(target.row);
        await target.advance();
      }
      token.end();
    }
  } finally {
    await Promise.all([source.close(), target.close()]);
  }
  return { candidates: token.candidates, sourceRows: source.taken, targetRows: target.taken, compared: token.compared };
}

/** One side's rows, a row at a time, with the token of the row in hand; it fails loudly if tokens go backwards. */
class TokenOrderedRows {
  row: RawRow | null = null;
  token = 0n;
  taken = 0;
  private rows: RawRow[] = [];
  private at = -1;

  constructor(
    private readonly pages: AsyncIterator<RawRow[]>,
    private readonly tokenSlot: number,
    private readonly readToken: (bytes: Buffer) => bigint,
    private readonly side: string,
  ) {}

  /** To the next row: synchronous within a page (no promise per row), awaiting only for the next page. */
  advance(): Promise<void> | undefined {
    if (++this.at < this.rows.length) {
      this.hold(this.rows[this.at] as RawRow);
      return undefined;
    }
    return this.nextPage();
  }

  async close(): Promise<void> {
    this.rows = [];
    this.row = null;
    await this.pages.return?.();
  }

  private async nextPage(): Promise<void> {
    for (;;) {
      const next = await this.pages.next();
      if (next.done) {
        this.row = null;
        this.rows = [];
        return;
      }
      if (next.value.length === 0) continue;
      this.rows = next.value;
      this.at = 0;
      this.hold(this.rows[0] as RawRow);
      return;
    }
  }

  private hold(row: RawRow): void {
    const token = this.readToken(row[this.tokenSlot] as Buffer);
    if (this.row !== null && token < this.token) throw new Error(`the ${this.side} range scan returned token ${token} after ${this.token}: rows out of token order cannot be merged`);
    this.row = row;
    this.token = token;
    this.taken++;
  }
}

/** The rows of one token on both sides: matched as they come, or by key once the token ends. */
class TokenMatch {
  readonly candidates: Candidate[] = [];
  compared = 0;
  private readonly waiting = { source: new Map<string, Digest>(), target: new Map<string, Digest>() };
  private readonly partitions = { source: new Map<string, PartitionEntry>(), target: new Map<string, PartitionEntry>() };
  private readonly keys = new KeyEncoder();
  private readonly notes: PartitionNotes;
  private readonly primaryKey: number[];

  constructor(
    shape: KeyShape,
    private readonly layout: DigestLayout,
    private readonly digester: Digester,
  ) {
    this.primaryKey = [...shape.partitionKey, ...shape.clustering];
    this.notes = new PartitionNotes(shape, this.keys, digester, layout);
  }

  /** A source row and a target row in step: compared in place when they are the same row, else each waits. */
  pair(source: RawRow, target: RawRow): void {
    if (this.notes.isStaticRow(source) || this.notes.isStaticRow(target) || !this.sameKey(source, target)) {
      this.source(source);
      this.target(target);
      return;
    }
    this.notes.note(source, this.partitions.source);
    this.notes.note(target, this.partitions.target);
    this.compared++;
    if (!sameParts(this.layout.regular, source, target)) this.candidates.push({ kind: 'mismatched', entity: 'row', keys: this.primaryKey.map((slot) => Buffer.from(source[slot] as Buffer)) });
  }

  source(row: RawRow): void {
    this.take(row, 'source');
  }

  target(row: RawRow): void {
    this.take(row, 'target');
  }

  /** The token ended on both sides: what still waits is on one side only. */
  end(): void {
    for (const key of this.waiting.source.keys()) this.report('missing', key);
    for (const key of this.waiting.target.keys()) this.report('extra', key);
    this.compared += compareStatics(this.partitions.source, this.partitions.target, this.layout, this.candidates);
    for (const map of [this.waiting.source, this.waiting.target, this.partitions.source, this.partitions.target]) map.clear();
  }

  private take(row: RawRow, side: 'source' | 'target'): void {
    this.notes.note(row, this.partitions[side]);
    if (this.notes.isStaticRow(row)) return;
    const key = this.keys.encode(row, this.primaryKey);
    const digest = this.digester.digest(row, this.layout.regular);
    const other = side === 'source' ? this.waiting.target : this.waiting.source;
    const waiting = other.get(key);
    if (waiting === undefined) {
      this.waiting[side].set(key, digest);
      return;
    }
    other.delete(key);
    this.compared++;
    if (!sameDigest(waiting, digest, this.layout.regular)) this.candidates.push({ kind: 'mismatched', entity: 'row', keys: decodeKey(key) });
  }

  private report(kind: 'missing' | 'extra', key: string): void {
    this.compared++;
    this.candidates.push({ kind, entity: 'row', keys: decodeKey(key) });
  }

  private sameKey(a: RawRow, b: RawRow): boolean {
    for (const slot of this.primaryKey) if (!(a[slot] as Buffer).equals(b[slot] as Buffer)) return false;
    return true;
  }
}
