import type cassandra from 'cassandra-driver';
import { expect } from 'vitest';
import { installRawCells, RAW_ALIAS_PREFIX } from '../../src/connect/raw-cells.js';

export interface CellDump {
  value: unknown;
  writetime: unknown;
  ttl: number | number[] | null;
}

/**
 * Every row of a table as key -> column -> {value, writetime, ttl}, read with the plain driver.
 * `multiCellTimes: false` (clusters before 5.0, which cannot select them): non-frozen collections and UDTs
 * get writetime and TTL null.
 */
export async function dumpTable(client: cassandra.Client, keyspace: string, table: string, { multiCellTimes = true } = {}): Promise<Map<string, Record<string, CellDump>>> {
  const columns = await client.execute('SELECT column_name, kind, type FROM system_schema.columns WHERE keyspace_name = ? AND table_name = ?', [keyspace, table]);
  const keys = columns.rows.filter((r) => r.get('kind') === 'partition_key' || r.get('kind') === 'clustering').map((r) => r.get('column_name') as string).sort();
  const cells = columns.rows.filter((r) => r.get('kind') === 'regular' || r.get('kind') === 'static');
  const timed = (r: cassandra.types.Row) => r.get('type') !== 'counter' && (multiCellTimes || !multiCell(r));
  // The driver cannot decode a list<int> holding nulls, which is what TTL() of a non-frozen collection or
  // UDT returns when some elements have no TTL: those come back as raw bytes, decoded by readIntList.
  installRawCells();
  const udts = new Set((await client.execute('SELECT type_name FROM system_schema.types WHERE keyspace_name = ?', [keyspace])).rows.map((r) => r.get('type_name') as string));
  const multiCell = (r: cassandra.types.Row) => /^(list|set|map)</.test(r.get('type')) || udts.has(r.get('type'));
  const ttlAlias = (c: string) => `${RAW_ALIAS_PREFIX}ttl_${c}`;
  const selections = [
    ...keys,
    ...cells.flatMap((r) => {
      const c = r.get('column_name') as string;
      return timed(r) ? [c, `WRITETIME(${c})`, multiCell(r) ? `TTL(${c}) AS "${ttlAlias(c)}"` : `TTL(${c})`] : [c];
    }),
  ];
  const out = new Map<string, Record<string, CellDump>>();
  const rows = await client.execute(`SELECT ${selections.join(', ')} FROM ${keyspace}.${table}`, [], { fetchSize: 100_000, prepare: false });
  for (const row of rows.rows) {
    const key = JSON.stringify(keys.map((k) => normalize(row.get(k))));
    const record: Record<string, CellDump> = {};
    for (const r of cells) {
      const c = r.get('column_name') as string;
      record[c] = {
        value: normalize(row.get(c)),
        writetime: timed(r) ? normalize(row.get(`writetime(${c})`)) : null,
        ttl: !timed(r) ? null : multiCell(r) ? readIntList(row.get(ttlAlias(c)) as Buffer | null) : (row.get(`ttl(${c})`) as number | null),
      };
    }
    out.set(key, record);
  }
  return out;
}

/** Driver values as plain comparable data. */
export function normalize(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return `0x${value.toString('hex')}`;
  if (Array.isArray(value)) return value.map(normalize);
  if (value instanceof Map) return [...value.entries()].map(([k, v]) => [normalize(k), normalize(v)]);
  if (value instanceof Set) return [...value].map(normalize);
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : Number.isNaN(value) ? 'NaN' : value;
  if (typeof value === 'object') {
    const ctor = (value as object).constructor?.name;
    if (ctor === 'Tuple') return { tuple: ((value as { elements: unknown[] }).elements).map(normalize) };
    if (ctor === 'Vector') return { vector: [...(value as Iterable<unknown>)].map(normalize) };
    if (ctor && ctor !== 'Object') return `${ctor}:${String(value)}`;
    return Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, normalize(v)]));
  }
  return value;
}

/** TTLs tick down between the two reads: equal within `tolerance` seconds (NaN: an element without TTL). */
export function ttlsClose(a: CellDump['ttl'], b: CellDump['ttl'], tolerance = 5): boolean {
  if (a === null || b === null) return a === b;
  const xs = Array.isArray(a) ? a : [a];
  const ys = Array.isArray(b) ? b : [b];
  return xs.length === ys.length && xs.every((x, i) => (Number.isNaN(x) ? Number.isNaN(ys[i]) : Math.abs(x - (ys[i] as number)) <= tolerance));
}

function readIntList(bytes: Buffer | null): number[] | null {
  if (bytes === null) return null;
  const out: number[] = [];
  let offset = 4;
  for (let i = 0; i < bytes.readInt32BE(0); i++) {
    const length = bytes.readInt32BE(offset);
    offset += 4;
    out.push(length < 0 ? Number.NaN : bytes.readInt32BE(offset));
    offset += Math.max(0, length);
  }
  return out;
}

/** Target equals source: every value and writetime exactly, TTLs within a few seconds. */
export function expectSameCells(sourceRows: Map<string, Record<string, CellDump>>, targetRows: Map<string, Record<string, CellDump>>) {
  expect([...targetRows.keys()].sort()).toEqual([...sourceRows.keys()].sort());
  for (const [key, row] of sourceRows) {
    const copied = targetRows.get(key) as Record<string, CellDump>;
    for (const [column, cell] of Object.entries(row)) {
      const other = copied[column] as CellDump;
      expect({ key, column, value: other.value, writetime: other.writetime }).toEqual({ key, column, value: cell.value, writetime: cell.writetime });
      expect(ttlsClose(cell.ttl, other.ttl), `${key} ${column} ttl ${JSON.stringify(cell.ttl)} vs ${JSON.stringify(other.ttl)}`).toBe(true);
    }
  }
}


/** The same rows with some parts of every cell blanked, to compare the rest (`{ ttl: null }`). */
export function blankCells(rows: Map<string, Record<string, CellDump>>, blank: Partial<CellDump>): Map<string, Record<string, CellDump>> {
  return new Map([...rows].map(([key, row]) => [key, Object.fromEntries(Object.entries(row).map(([c, cell]) => [c, { ...cell, ...blank }]))]));
}
