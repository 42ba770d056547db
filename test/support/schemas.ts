import { buildTableSchema, type TableSchema } from '../../src/schema/table-schema.js';

/** A table model as system_schema would describe it, for unit tests. */
export function schemaOf(columns: [name: string, kind: string, type: string, position?: number][], udts: { name: string; fields: { name: string; typeText: string }[] }[] = []): TableSchema {
  return buildTableSchema(
    'ks',
    't',
    columns.map(([name, kind, type, position]) => ({ column_name: name, kind, type, position: position ?? -1, clustering_order: kind === 'clustering' ? 'asc' : 'none' })),
    udts,
    0,
  );
}

export const int = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
export const big = (n: bigint): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(n);
  return b;
};
export const text = (s: string): Buffer => Buffer.from(s, 'utf8');
