import { createRequire } from 'node:module';
import { FramePool } from './frame-pool.js';

/**
 * Raw cells: a selected column whose alias starts with RAW_ALIAS_PREFIX reaches us as the exact bytes
 * Cassandra serialized, not as a decoded driver object. A result whose every column is such comes as raw
 * rows: arrays of those bytes (column i at index i, null for an unset cell), not as driver rows.
 *
 * Why: decoding, and a driver Row per row pushed one at a time through the driver's parser stream, were
 * most of the client's CPU and of its garbage. The decode/encode round trip is not exact either (the driver
 * encodes an empty list as null, so an empty list nested in a frozen map cannot be written back). The
 * serialized bytes are also the canonical form that validation hashes, and the driver's Encoder passes a
 * Buffer through unchanged for every type, so they are written back as they were read. Each cell is a view
 * of the response frame: nothing is copied.
 *
 * How: the driver reads each response's column metadata in FrameReader.readMetadata, then its rows in
 * Parser.parseRows. For our aliased columns we swap the declared type for `blob`, whose decoder returns the
 * bytes (that serves a result mixing them with decoded columns, such as the tests' independent table dumps);
 * a metadata whose columns are all ours is marked, and such a frame's rows are handed over as one result (as
 * the driver does for an empty page) and parsed in one pass into arrays when rawRowsOf() first reads them.
 * Rows of every other query, the driver's own included, and any row-by-row stream (the driver's eachRow),
 * take the driver's path.
 *
 * Why parsed late: a range reads its next page while it writes the current one, so half the rows in flight
 * are a prefetched page; unparsed, it is its frame's bytes and no object per cell (the views were the largest
 * share of the heap). Until then its rows are a placeholder that throws when read: rows of our queries are
 * read through rawRowsOf() only, and a forgotten one fails loudly instead of reading as no row.
 */
export const RAW_ALIAS_PREFIX = '\u00a7';

/** A raw row: column i's serialized bytes at index i. */
export type RawRow = (Buffer | null)[];

interface Metadata {
  columns?: { name: string; type: { code: number; info?: unknown } }[];
  cqlMigrateRaw?: boolean;
}

const BLOB = { code: 0x03 };

interface Reader {
  buf: Buffer;
  offset: number;
  readMetadata(...args: unknown[]): Metadata;
}

interface FrameInfo {
  header: { bodyLength: number };
  meta: Metadata;
  flagsInfo: unknown;
  byRow?: boolean;
  parsingError?: boolean;
}

interface Parser {
  getFrameBuffer(frameInfo: FrameInfo & { buffers?: Buffer[] | null }, item: { chunk: Buffer }): Buffer;
  parseRows(frameInfo: FrameInfo, reader: Reader): void;
  push(item: unknown): boolean;
  handleParsingError(error: unknown, frameInfo: FrameInfo, reader: Reader | null): void;
}

/** The part of a frame that holds a page's rows, not parsed yet. */
interface UnreadRows {
  buf: Buffer;
  offset: number;
  columnCount: number;
  /** `buf`'s memory, when it holds this frame's body and nothing else (see releaseFrame). */
  ownMemory: ArrayBuffer | undefined;
}

const UNREAD = Symbol('cql-migrate unread rows');
type Page = RawRow[] & { [UNREAD]?: UnreadRows };

const placeholder: RawRow = new Proxy([], {
  get() {
    throw new Error('rows of a raw query are read through rawRowsOf() (connect/raw-cells.ts)');
  },
});

/** The rows of a query whose columns are all raw-aliased: parsed here, the first time they are read. */
export function rawRowsOf(result: { rows: unknown[] }): RawRow[] {
  const page = result.rows as Page;
  const unread = page[UNREAD];
  if (unread !== undefined) {
    page[UNREAD] = undefined;
    readRawRows(unread, page);
  }
  return page;
}

/**
 * The rows of a raw query, `size` at a time, each slice parsed when the one before it is done with: a large
 * page costs its frame's bytes, and only the slice being worked on has an object per cell. A page already
 * parsed (rawRowsOf) is sliced as it is. With `releaseSpent`, the frame is released (releaseFrame) when the
 * slice after the last is asked for: only for a reader that keeps no cell of a slice once it asks for the
 * next, as every cell of the page then reads as empty.
 */
export function* rawRowSlices(result: { rows: unknown[] }, size: number, releaseSpent = false): Generator<RawRow[]> {
  const page = result.rows as Page;
  const unread = page[UNREAD];
  if (unread === undefined) {
    for (let start = 0; start < page.length; start += size) yield page.slice(start, start + size);
    return;
  }
  page[UNREAD] = undefined;
  let offset = unread.offset;
  for (let start = 0; start < page.length; start += size) {
    const slice: RawRow[] = new Array(Math.min(size, page.length - start));
    offset = readRawRows({ ...unread, offset }, slice);
    yield slice;
  }
  if (releaseSpent && unread.ownMemory) releaseFrame(unread.ownMemory);
}

/**
 * Frees a frame's memory now rather than at V8's next full collection. A page outlives a few young
 * collections, so its frame is freed only by a full one, and V8 lets such memory grow by 64 MB before it
 * forces one: over a 1,000,000-row validate the process's array buffers swung between 12 and 63 MB, and the
 * peaks of that swing were most of what a long run's peak held over a short one's (README, Memory).
 * Transferring the frame's ArrayBuffer leaves the original empty and hands its memory to a clone that no view
 * reaches, which the next frame of its size reuses (frame-pool.ts).
 */
function releaseFrame(memory: ArrayBuffer): void {
  let spent: ArrayBuffer;
  try {
    spent = structuredClone(memory, { transfer: [memory] });
  } catch {
    // An ArrayBuffer Node marked untransferable stays as it is, to be freed by the collector as before.
    return;
  }
  framePool.give(spent);
}

/** Free memory for frames: a few more than a job holds in flight (3 ranges: a copy's page and the next, a validate's page of each side). */
const framePool = new FramePool(8);
/** The memory of frames assembled here, which may be longer than the frame. */
const assembled = new WeakSet<ArrayBuffer>();
/** Fresh frame memory is rounded up to this, so that the next page's frame, a little larger, fits it too. */
const FRAME_ROUNDING = 64 * 1024;

/**
 * A frame's body from its socket reads (the driver's getFrameBuffer), in memory the pool has free or else in
 * fresh memory. The driver's own concatenated the whole last read, which may hold the start of the next frame
 * as well; this is the body alone, so that its memory is the frame's only and can be released.
 */
function assembleFrame(parts: Buffer[], length: number): Buffer {
  const memory = framePool.take(length) ?? Buffer.allocUnsafeSlow(Math.ceil(length / FRAME_ROUNDING) * FRAME_ROUNDING).buffer;
  assembled.add(memory);
  const frame = Buffer.from(memory, 0, length);
  let at = 0;
  for (const part of parts) {
    if (at >= length) break;
    at += part.copy(frame, at, 0, Math.min(part.length, length - at));
  }
  if (at < length) throw new RangeError(`a frame of ${length} bytes ended after ${at}`);
  return frame;
}

let installed = false;

export function installRawCells(): void {
  if (installed) return;
  const require = createRequire(import.meta.url);
  const { FrameReader } = require('cassandra-driver/lib/readers.js') as { FrameReader: { prototype: Reader } };
  const { Parser } = require('cassandra-driver/lib/streams.js') as { Parser: { prototype: Parser } };
  const readMetadata = FrameReader.prototype.readMetadata;
  FrameReader.prototype.readMetadata = function (this: Reader, ...args: unknown[]) {
    const meta = readMetadata.apply(this, args);
    const columns = meta.columns ?? [];
    let ours = 0;
    for (const column of columns) {
      if (!column.name.startsWith(RAW_ALIAS_PREFIX)) continue;
      column.type = BLOB;
      ours++;
    }
    if (ours > 0 && ours === columns.length) meta.cqlMigrateRaw = true;
    return meta;
  };
  Parser.prototype.getFrameBuffer = function (this: Parser, frameInfo, item) {
    const frame = assembleFrame([...(frameInfo.buffers ?? []), item.chunk], frameInfo.header.bodyLength);
    frameInfo.buffers = null;
    return frame;
  };
  const parseRows = Parser.prototype.parseRows;
  Parser.prototype.parseRows = function (this: Parser, frameInfo: FrameInfo, reader: Reader) {
    if (!frameInfo.meta.cqlMigrateRaw || frameInfo.byRow || frameInfo.parsingError) return parseRows.call(this, frameInfo, reader);
    let rows: Page;
    try {
      const rowCount = reader.buf.readInt32BE(reader.offset);
      rows = new Array<RawRow>(rowCount).fill(placeholder);
      const buf = reader.buf;
      // A frame that took several socket reads is assembled into memory of its own (assembleFrame); one that
      // came in a single read shares that read's memory with the frames before and after it, kept alive with it.
      const memory = buf.buffer as ArrayBuffer;
      const owned = assembled.has(memory);
      rows[UNREAD] = { buf, offset: reader.offset + 4, columnCount: frameInfo.meta.columns?.length ?? 0, ownMemory: owned ? memory : undefined };
      reader.offset = reader.buf.length;
    } catch (error) {
      return this.handleParsingError(error, frameInfo, null);
    }
    this.push({ header: frameInfo.header, result: { rows, meta: frameInfo.meta, flags: frameInfo.flagsInfo } });
  };
  installed = true;
}

/**
 * Fills `rows` from a whole (not streamed) frame's rows: per cell `[int length][bytes]`, length < 0 for null.
 * Returns where the next row starts.
 */
function readRawRows({ buf, offset: start, columnCount }: UnreadRows, rows: RawRow[]): number {
  let offset = start;
  const rowCount = rows.length;
  for (let r = 0; r < rowCount; r++) {
    const row: RawRow = new Array(columnCount);
    for (let c = 0; c < columnCount; c++) {
      const length = buf.readInt32BE(offset);
      offset += 4;
      if (length < 0) {
        row[c] = null;
        continue;
      }
      if (offset + length > buf.length) throw new RangeError(`a cell of ${length} bytes runs past the end of the frame`);
      row[c] = buf.subarray(offset, offset + length);
      offset += length;
    }
    rows[r] = row;
  }
  return offset;
}
