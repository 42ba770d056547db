import type cassandra from 'cassandra-driver';

/** A table of `partitions` x `rowsPerPartition` generated rows, in a keyspace of its own (RF 1). */
export interface GeneratedTable {
  keyspace: string;
  table: string;
  /** The column definitions and primary key, as in CREATE TABLE (...). */
  columns: string;
  partitions: number;
  rowsPerPartition: number;
  /** The values of row `seq` of partition `id`, in the order of `insertColumns`. */
  row: (id: number, seq: number) => unknown[];
  insertColumns: string[];
}

/** Drops and creates the keyspace and table; with rows, loads them a partition per unlogged batch. */
export async function loadGeneratedTable(client: cassandra.Client, spec: GeneratedTable, withRows: boolean): Promise<void> {
  const { keyspace, table } = spec;
  await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`, [], { readTimeout: 120_000 });
  await client.execute(`CREATE KEYSPACE ${keyspace} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`);
  await client.execute(`CREATE TABLE ${keyspace}.${table} (${spec.columns})`);
  if (!withRows) return;
  const insert = `INSERT INTO ${keyspace}.${table} (${spec.insertColumns.join(', ')}) VALUES (${spec.insertColumns.map(() => '?').join(', ')})`;
  for (let id = 0; id < spec.partitions; id++) {
    const rows = Array.from({ length: spec.rowsPerPartition }, (_, seq) => ({ query: insert, params: spec.row(id, seq) }));
    await client.batch(rows, { prepare: true, logged: false });
  }
}

/** `events (id, seq, kind, payload, tags set<text>)`: small rows of a few types, for runs that must last a while. */
export const eventsTable = (keyspace: string, partitions: number, rowsPerPartition: number): GeneratedTable => ({
  keyspace,
  table: 'events',
  columns: 'id int, seq int, kind text, payload text, tags set<text>, PRIMARY KEY (id, seq)',
  insertColumns: ['id', 'seq', 'kind', 'payload', 'tags'],
  partitions,
  rowsPerPartition,
  row: (id, seq) => [id, seq, `k${seq % 7}`, 'x'.repeat(40 + (seq % 13)), [`t${id % 5}`, `s${seq % 3}`]],
});
