import type { Session } from '../connect/session.js';
import type { SchemaElement } from './schema-plan.js';
import { keyspaceStatements, type Row } from './system-schema-cql.js';

/**
 * A keyspace's CREATE statements as the server prints them (DESCRIBE, Cassandra 4.0+), or built from its
 * system_schema rows where the server cannot DESCRIBE (3.x); null when the keyspace is absent.
 */
export async function describeKeyspace(session: Session, keyspace: string): Promise<SchemaElement[] | null> {
  const exists = (await session.read('SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = ?', [keyspace])).first();
  if (!exists) return null;
  if (session.releaseMajor < 4) return keyspaceFromSystemSchema(session, keyspace);
  const rows = await session.read(`DESCRIBE KEYSPACE "${keyspace.replace(/"/g, '""')}"`, [], { prepare: false });
  return rows.rows.map((row) => ({ type: row.get('type') as string, name: row.get('name') as string, statement: row.get('create_statement') as string }));
}

/** The keyspace's CREATE statements built from its system_schema rows (any version with system_schema, 3.0+). */
export async function keyspaceFromSystemSchema(session: Session, keyspace: string): Promise<SchemaElement[]> {
  const rowsOf = async (table: string) => (await session.read(`SELECT * FROM system_schema.${table} WHERE keyspace_name = ?`, [keyspace])).rows.map((r) => ({ ...r }) as Row);
  const [keyspaces, types, tables, columns, indexes, views] = await Promise.all(['keyspaces', 'types', 'tables', 'columns', 'indexes', 'views'].map(rowsOf));
  return keyspaceStatements({ keyspace: keyspaces?.[0] as Row, types: types ?? [], tables: tables ?? [], columns: columns ?? [], indexes: indexes ?? [], views: views ?? [] });
}

/** The target's data centres and how many nodes each has. */
export async function dataCentres(session: Session): Promise<Map<string, number>> {
  const local = (await session.read('SELECT data_center FROM system.local')).rows;
  const peers = (await session.read('SELECT data_center FROM system.peers')).rows;
  const counts = new Map<string, number>();
  for (const row of [...local, ...peers]) {
    const dc = row.get('data_center') as string;
    counts.set(dc, (counts.get(dc) ?? 0) + 1);
  }
  return counts;
}
