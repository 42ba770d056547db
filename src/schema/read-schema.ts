import { InputError } from '../errors.js';
import type { Session } from '../connect/session.js';
import { buildTableSchema, type SystemSchemaColumnRow, type TableSchema, type UdtDefinition } from './table-schema.js';

/** Reads one table's definition from system_schema on the given cluster. */
export async function readTableSchema(session: Session, keyspace: string, table: string): Promise<TableSchema> {
  const tableRow = (
    await session.read('SELECT default_time_to_live FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?', [
      keyspace,
      table,
    ])
  ).first();
  if (!tableRow) {
    const ks = (await session.read('SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = ?', [keyspace])).first();
    throw new InputError(
      ks
        ? `table ${keyspace}.${table} does not exist on the ${session.side} cluster: check --${session.side === 'source' ? '' : 'target-'}table (names are case-sensitive)`
        : `keyspace ${keyspace} does not exist on the ${session.side} cluster: check --${session.side === 'source' ? '' : 'target-'}keyspace or create it`,
    );
  }
  const columns = await session.read(
    'SELECT column_name, kind, position, type, clustering_order FROM system_schema.columns WHERE keyspace_name = ? AND table_name = ?',
    [keyspace, table],
  );
  const types = await session.read('SELECT type_name, field_names, field_types FROM system_schema.types WHERE keyspace_name = ?', [keyspace]);
  const udts: UdtDefinition[] = types.rows.map((r) => {
    const names = r.get('field_names') as string[];
    const fieldTypes = r.get('field_types') as string[];
    return { name: r.get('type_name') as string, fields: names.map((name, i) => ({ name, typeText: fieldTypes[i] as string })) };
  });
  return buildTableSchema(
    keyspace,
    table,
    columns.rows.map((r) => ({
      column_name: r.get('column_name'),
      kind: r.get('kind'),
      position: r.get('position'),
      type: r.get('type'),
      clustering_order: r.get('clustering_order'),
    })) as SystemSchemaColumnRow[],
    udts,
    Number(tableRow.get('default_time_to_live') ?? 0),
  );
}
