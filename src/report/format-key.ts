import cassandra from 'cassandra-driver';
import type { CqlType } from '../schema/cql-type.js';

const CODES: Record<string, number> = {
  ascii: 0x01, bigint: 0x02, blob: 0x03, boolean: 0x04, decimal: 0x06, double: 0x07, float: 0x08, int: 0x09,
  text: 0x0a, timestamp: 0x0b, uuid: 0x0c, varint: 0x0e, timeuuid: 0x0f, inet: 0x10, date: 0x11, time: 0x12,
  smallint: 0x13, tinyint: 0x14, duration: 0x15,
};

interface Decoder {
  decode(bytes: Buffer, type: { code: number }): unknown;
}
// The driver exports its Encoder (an "experimental" API) without typings.
const { Encoder } = cassandra as unknown as { Encoder: new (version: number, options: object) => Decoder };
const encoder = new Encoder(cassandra.types.protocolVersion.v4, {});

/** A key value as text for differences.csv: CQL's own spelling for native types, hex for the rest. */
export function formatKeyValue(bytes: Buffer | null, type: CqlType): string {
  if (bytes === null) return '';
  const code = type.kind === 'native' ? CODES[type.name] : undefined;
  if (code === undefined || code === 0x03) return `0x${bytes.toString('hex')}`;
  const value: unknown = encoder.decode(bytes, { code });
  return value instanceof Date ? value.toISOString() : String(value);
}
