import type { Session } from '../connect/session.js';
import { InputError } from '../errors.js';
import type { SchemaElement } from './schema-plan.js';

/** A keyspace's CREATE statements as the server prints them (DESCRIBE, Cassandra 4.0+); null when absent. */
export async function describeKeyspace(session: Session, keyspace: string): Promise<SchemaElement[] | null> {
  const exists = (await session.read('SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = ?', [keyspace])).first();
  if (!exists) return null;
  if (session.releaseMajor < 4) {
    throw new InputError(`the ${session.side} cluster runs Cassandra ${session.releaseVersion}, which cannot describe a schema over CQL (4.0 added it): create the target schema by hand (cqlsh DESCRIBE KEYSPACE ${keyspace})`);
  }
  const rows = await session.read(`DESCRIBE KEYSPACE "${keyspace.replace(/"/g, '""')}"`, [], { prepare: false });
  return rows.rows.map((row) => ({ type: row.get('type') as string, name: row.get('name') as string, statement: row.get('create_statement') as string }));
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
