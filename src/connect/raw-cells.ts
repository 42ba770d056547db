import { createRequire } from 'node:module';

/**
 * Raw cell values: a selected column whose alias starts with RAW_ALIAS_PREFIX reaches us as the exact
 * bytes Cassandra serialized, not as a decoded driver object.
 *
 * Why: decoding is most of the client's CPU, and the decode/encode round trip is not exact (the driver
 * encodes an empty list as null, so an empty list nested in a frozen map cannot be written back; a frozen
 * empty collection would become null). The serialized bytes are also the canonical form that validation
 * hashes. The driver's Encoder passes a Buffer through unchanged for every type, so the bytes are written
 * back as they were read.
 *
 * How: the driver reads each response's column metadata in FrameReader.readMetadata; for our aliased
 * columns we swap the declared type for `blob`, whose decoder returns the bytes. The original type is
 * kept on the column as `cqlMigrateType`. Columns without the prefix, and every query the driver makes
 * itself, are untouched.
 */
export const RAW_ALIAS_PREFIX = '\u00a7';

interface ColumnMeta {
  name: string;
  type: { code: number; info?: unknown };
  cqlMigrateType?: { code: number; info?: unknown };
}

const BLOB_CODE = 0x03;
let installed = false;

export function installRawCells(): void {
  if (installed) return;
  const require = createRequire(import.meta.url);
  const { FrameReader } = require('cassandra-driver/lib/readers.js') as {
    FrameReader: { prototype: { readMetadata: (...args: unknown[]) => { columns?: ColumnMeta[] } } };
  };
  const readMetadata = FrameReader.prototype.readMetadata;
  FrameReader.prototype.readMetadata = function (this: unknown, ...args: unknown[]) {
    const meta = readMetadata.apply(this, args);
    for (const column of meta.columns ?? []) {
      if (column.name.startsWith(RAW_ALIAS_PREFIX)) {
        column.cqlMigrateType = column.type;
        column.type = { code: BLOB_CODE };
      }
    }
    return meta;
  };
  installed = true;
}
