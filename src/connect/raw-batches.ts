import { createRequire } from 'node:module';

/**
 * Batches of prepared statements whose every bound value is a Buffer (every batch the copy and the
 * corrections write: raw-cells.ts) are encoded in one pass into one frame-sized Buffer.
 *
 * Why: the driver's frame writer makes two small Buffers per bound value (a length and the value passed
 * through its encoder), collects them in an array and joins them at the end: for a 20-column row that is
 * some sixty objects and a second copy of every byte, the largest share of the copy's garbage after the
 * rows themselves. Here each value is copied once, behind its length, into the frame.
 *
 * How: BatchRequest.write is replaced by an encoder of the same BATCH message (native protocol v3/v4
 * section 4.1.7: type, statements, consistency, flags, serial consistency, default timestamp) for the
 * batches it covers; any other (a custom payload, tracing, a keyspace in the request (v5), DSE's 32-bit flags,
 * an unprepared statement, a value that is not a Buffer) is written by the driver as before.
 */

interface Long {
  getHighBitsUnsigned(): number;
  getLowBitsUnsigned(): number;
}

interface BatchItem {
  queryId?: Buffer;
  params?: unknown[];
}

interface Options {
  isQueryTracing(): boolean;
  getCustomPayload(): unknown;
  getConsistency(): number;
  getSerialConsistency(): number | undefined;
  getKeyspace(): string | undefined;
}

interface BatchRequest {
  queries: BatchItem[];
  options: Options;
  timestamp: Long | null | undefined;
  type: number;
  length: number;
  write(encoder: { protocolVersion: number }, streamId: number): Buffer;
}

interface Driver {
  BatchRequest: { prototype: BatchRequest };
  protocolVersion: { uses4BytesQueryFlags(version: number): boolean; supportsTimestamp(version: number): boolean; supportsKeyspaceInRequest(version: number): boolean };
  batchOpcode: number;
}

/** v3 and later: version, flags, a 2-byte stream id, opcode, body length. */
const HEADER_SIZE = 9;
const WITH_SERIAL_CONSISTENCY = 0x10;
const WITH_DEFAULT_TIMESTAMP = 0x20;

let installed = false;

export function installRawBatches(): void {
  if (installed) return;
  const driver = loadDriver();
  const write = driver.BatchRequest.prototype.write;
  driver.BatchRequest.prototype.write = function (this: BatchRequest, encoder, streamId) {
    const version = encoder.protocolVersion;
    const covered =
      driver.protocolVersion.supportsTimestamp(version) &&
      !driver.protocolVersion.uses4BytesQueryFlags(version) &&
      !this.options.isQueryTracing() &&
      !this.options.getCustomPayload() &&
      !(this.options.getKeyspace() && driver.protocolVersion.supportsKeyspaceInRequest(version));
    const size = covered ? rawFrameSize(this) : undefined;
    if (size === undefined) return write.call(this, encoder, streamId);
    const frame = encodeFrame(this, size, version, streamId, driver.batchOpcode);
    this.length = size - HEADER_SIZE;
    return frame;
  };
  installed = true;
}

function loadDriver(): Driver {
  const require = createRequire(import.meta.url);
  const { BatchRequest } = require('cassandra-driver/lib/requests.js') as Pick<Driver, 'BatchRequest'>;
  const types = require('cassandra-driver/lib/types/index.js') as { protocolVersion: Driver['protocolVersion']; opcodes: { batch: number } };
  return { BatchRequest, protocolVersion: types.protocolVersion, batchOpcode: types.opcodes.batch };
}

/**
 * The frame's size, or undefined when a statement is not prepared or a value is not bytes (the driver then
 * encodes it). `instanceof Uint8Array` (which every Buffer is) is much cheaper than `instanceof Buffer` here.
 */
function rawFrameSize(request: BatchRequest): number | undefined {
  let size = HEADER_SIZE + 1 + 2 + 2 + 1 + (request.options.getSerialConsistency() ? 2 : 0) + (request.timestamp ? 8 : 0);
  for (const item of request.queries) {
    if (!(item.queryId instanceof Uint8Array)) return undefined;
    size += 1 + 2 + item.queryId.length + 2;
    for (const value of item.params ?? []) {
      if (value === null) size += 4;
      else if (value instanceof Uint8Array) size += 4 + value.length;
      else return undefined;
    }
  }
  return size;
}

/**
 * The header, then the body: `<type><n><query_1>...<query_n><consistency><flags>[<serial_consistency>][<timestamp>]`,
 * each query `<1><id><n><value_1>...<value_n>`.
 */
function encodeFrame(request: BatchRequest, size: number, version: number, streamId: number, opcode: number): Buffer {
  const serial = request.options.getSerialConsistency();
  const timestamp = request.timestamp;
  const out = Buffer.allocUnsafe(size);
  out.writeUInt8(version, 0);
  out.writeUInt8(0, 1);
  out.writeInt16BE(streamId, 2);
  out.writeUInt8(opcode, 4);
  out.writeUInt32BE(size - HEADER_SIZE, 5);
  let offset = out.writeUInt8(request.type, HEADER_SIZE);
  offset = out.writeUInt16BE(request.queries.length, offset);
  for (const item of request.queries) {
    const id = item.queryId as Buffer;
    offset = out.writeUInt8(1, offset);
    offset = out.writeUInt16BE(id.length, offset);
    out.set(id, offset);
    offset += id.length;
    const params = (item.params ?? []) as (Buffer | null)[];
    offset = out.writeUInt16BE(params.length, offset);
    for (const value of params) {
      if (value === null) {
        offset = out.writeInt32BE(-1, offset);
        continue;
      }
      offset = out.writeInt32BE(value.length, offset);
      out.set(value, offset);
      offset += value.length;
    }
  }
  offset = out.writeUInt16BE(request.options.getConsistency(), offset);
  offset = out.writeUInt8((serial ? WITH_SERIAL_CONSISTENCY : 0) | (timestamp ? WITH_DEFAULT_TIMESTAMP : 0), offset);
  if (serial) offset = out.writeUInt16BE(serial, offset);
  if (timestamp) {
    offset = out.writeUInt32BE(timestamp.getHighBitsUnsigned(), offset);
    out.writeUInt32BE(timestamp.getLowBitsUnsigned(), offset);
  }
  return out;
}
