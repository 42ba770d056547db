import type { JobOptions } from '../config/job-options.js';
import type { Session } from '../connect/session.js';
import { InputError } from '../errors.js';
import { buildReadPlan, rawRowsOf } from '../read/select.js';
import { type ClusterHashing, comparisonOf, tokenFromBytes } from '../ring/partitioner.js';
import { checkCompatibility } from '../schema/compatibility.js';
import { readTableSchema } from '../schema/read-schema.js';
import { type CustomProperties, keyspacesRefusal } from '../schema/service-checks.js';
import type { Column, TableSchema } from '../schema/table-schema.js';
import { TargetTable } from '../schema/target-table.js';
import { encodeJobKey, type JobKey } from '../state/job-key.js';
import type { JobDefinition, WiredTable } from './job-definition.js';

/** Schemas read and checked against the options: InputError for anything that cannot run. */
export async function wireTable(definition: JobDefinition, options: JobOptions, source: Session, target: Session): Promise<WiredTable> {
  // One after the other, so that a keyspace missing on both sides is always blamed on the source.
  const sourceSchema = await readTableSchema(source, options.selection.keyspace, options.selection.table);
  const targetSchema = await readTableSchema(target, options.selection.targetKeyspace, options.selection.targetTable);
  const targetTable = new TargetTable(options.selection.targetKeyspace, options.selection.targetTable, options.selection.renames);
  const cells = checkCompatibility(sourceSchema, targetSchema, { target: targetTable, exclude: options.selection.exclude, ignore: options.compare.ignore });
  // Whether validate may read both sides by the source's token ranges: the target hashes keys alike, as seen, not as claimed.
  const sample = definition.command === 'validate' ? await sampleToken(target, targetSchema) : undefined;
  const comparison = comparisonOf(definition.command, { partitioner: source.partitioner }, { partitioner: target.partitioner, sample });
  if (source.identity === target.identity && options.selection.keyspace === options.selection.targetKeyspace && options.selection.table === options.selection.targetTable) {
    throw new InputError(`--source and --target are the same cluster and ${options.selection.keyspace}.${options.selection.table} is both the source and the target table: point --target at the other cluster, or give --target-keyspace/--target-table`);
  }
  const targetCells = cells.map((c) => targetSchema.cells.find((t) => t.name === targetTable.nameOf(c.name)) as Column);
  definition.check?.({ options, source, target, sourceSchema, targetSchema, cells, comparison });
  if (target.profile.name === 'keyspaces' && (definition.command === 'copy' || options.compare.autocorrect)) await checkKeyspacesTable(target, targetSchema);
  // Keyed by what the clusters are, not how their contact points are spelled: one job, one lock, one state.
  const job: JobKey = {
    command: definition.command,
    source: { cluster: source.identity, keyspace: options.selection.keyspace, table: options.selection.table },
    target: { cluster: target.identity, keyspace: options.selection.targetKeyspace, table: options.selection.targetTable },
    shard: options.run.shard,
  };
  return { sourceSchema, targetSchema, targetTable, cells, targetCells, comparison, job, jobKey: encodeJobKey(job) };
}

/** Amazon Keyspaces: the target table takes our writes' USING TIMESTAMP and TTL (service-checks.ts). */
async function checkKeyspacesTable(target: Session, schema: TableSchema): Promise<void> {
  const row = (await target.read('SELECT custom_properties FROM system_schema_mcs.tables WHERE keyspace_name = ? AND table_name = ?', [schema.keyspace, schema.table])).first();
  const refusal = keyspacesRefusal(schema.keyspace, schema.table, (row?.get('custom_properties') as CustomProperties | null | undefined) ?? null);
  if (refusal) throw new InputError(refusal);
}

/** One row's partition key and the token the cluster gives it, for the partitioner probe; none from an empty table. */
async function sampleToken(session: Session, schema: TableSchema): Promise<ClusterHashing['sample']> {
  const plan = buildReadPlan(schema, { writetimes: false, ttls: false, cells: [], withToken: true });
  const row = rawRowsOf(await session.read(`SELECT ${plan.selectFrom} LIMIT 1`))[0];
  if (!row) return undefined;
  return { partitionKey: plan.keySlots.slice(0, schema.partitionKey.length).map((slot) => row[slot] as Buffer), token: tokenFromBytes(row[plan.tokenSlot as number] as Buffer) };
}

