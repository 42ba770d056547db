import type { JobOptions } from '../config/options.js';
import { readRange } from '../read/range-reader.js';
import { PointReader } from '../read/point-reader.js';
import { buildReadPlan, partitionStarts, type RawRow, type ReadPlan } from '../read/select.js';
import { isMultiCell } from '../schema/cql-type.js';
import { listRuns } from '../state/run-state.js';
import { counterStatement } from '../write/counters.js';
import { type Mutation, MutationBuilder, type TargetTable } from '../write/mutations.js';
import { DEFAULT_RETRY } from '../write/retry.js';
import { PartitionWriter } from '../write/writer.js';
import { type JobContext, type JobResult, type RangeWorker, runJob } from './pipeline.js';

/** `migrate copy`: every source row to the target, stamped so that no live write is overwritten. */
export function copy(options: JobOptions): Promise<JobResult> {
  return runJob({ command: 'copy', prepare: prepareCopy }, options);
}

async function prepareCopy(ctx: JobContext): Promise<RangeWorker> {
  const { options, sourceSchema } = ctx;
  const preserve = options.writetime === 'preserve';
  const multiCellTimes = ctx.source.releaseMajor >= 5;
  if (preserve && !multiCellTimes && ctx.cells.some((c) => isMultiCell(c.type))) {
    ctx.notes.add(`the source (Cassandra ${ctx.source.releaseVersion}) cannot read per-element writetimes of non-frozen collections and UDTs: they were written with the row's newest readable writetime`);
  }
  const plan = buildReadPlan(sourceSchema, { writetimes: preserve, ttls: options.ttl === 'preserve', cells: ctx.cells, multiCellTimes });
  const target: TargetTable = { keyspace: options.targetKeyspace, table: options.targetTable, renames: options.renames };
  const retry = sourceSchema.isCounter ? { ...DEFAULT_RETRY, attempts: 1 } : DEFAULT_RETRY;
  const writer = new PartitionWriter(ctx.target, { inFlight: ctx.inFlight, retry, signal: ctx.signal, idempotent: !sourceSchema.isCounter });
  const toPartitions = sourceSchema.isCounter
    ? counterPartitions(ctx, plan, target)
    : mutationPartitions(new MutationBuilder(sourceSchema, plan, { writetime: preserve ? 'preserve' : 'stamp', stamp: ctx.stamp, ttl: options.ttl, guardLists: await mayHaveCopiedBefore(ctx) }, target));

  return async (range, counts) => {
    let previous: RawRow | null = null;
    for await (const page of readRange(ctx.source, plan, range, { keyspace: options.keyspace, pageSize: options.pageSize, signal: ctx.signal })) {
      await ctx.throttle(page.length);
      const partitions = await toPartitions(page, partitionStarts(page, previous, plan, sourceSchema.partitionKey.length));
      previous = page.at(-1) ?? previous;
      await writer.writePartitions(partitions);
      counts.rowsRead += page.length;
      counts.rowsWritten += page.length;
    }
  };
}

/**
 * Whether this job may have written to the target before: a resume, a rerun of failed ranges, or any
 * earlier run of the same job in the state folder. Only then do lists need the read-before-write guard.
 */
async function mayHaveCopiedBefore(ctx: JobContext): Promise<boolean> {
  if (ctx.options.resume !== undefined || ctx.options.rangesFile !== undefined) return true;
  const runs = await listRuns(ctx.options.stateDir);
  return runs.some((r) => r.jobKey === ctx.state.record.jobKey && r.runId !== ctx.state.record.runId);
}

/** A page's statements, grouped by partition; `opens[i]`: row i is the first of its partition. */
type ToPartitions = (page: RawRow[], opens: boolean[]) => Promise<Mutation[][]>;

/** Statics are written with each partition's first row; a partition's statements go out together. */
function mutationPartitions(builder: MutationBuilder): ToPartitions {
  return async (page, opens) => {
    const partitions: Mutation[][] = [];
    page.forEach((row, i) => {
      if (opens[i] || partitions.length === 0) partitions.push([]);
      (partitions[partitions.length - 1] as Mutation[]).push(...builder.rowMutations(row, opens[i] as boolean));
    });
    return partitions;
  };
}

/** Counters: each source row's target row is read first, and the difference added. */
function counterPartitions(ctx: JobContext, plan: ReadPlan, target: TargetTable): ToPartitions {
  const { sourceSchema } = ctx;
  const pkCount = sourceSchema.partitionKey.length;
  const targetPlan = buildReadPlan(ctx.targetSchema, { writetimes: false, ttls: false, cells: ctx.targetCells });
  const reader = new PointReader(ctx.target, targetPlan, ctx.targetSchema, { inFlight: ctx.inFlight, retry: DEFAULT_RETRY, signal: ctx.signal });
  const readTarget = (row: RawRow): Promise<RawRow | null> => {
    const keys = plan.keySlots.map((slot) => row[slot]) as Buffer[];
    const staticOnly = sourceSchema.clustering.length > 0 && keys[pkCount] === null;
    return reader.read(staticOnly ? keys.slice(0, pkCount) : keys, staticOnly);
  };
  return async (page, opens) => {
    const targets = await Promise.all(page.map(readTarget));
    return page.flatMap((row, i) => {
      const statement = counterStatement(sourceSchema, plan, target, row, targets[i] ?? null, opens[i] as boolean);
      return statement ? [[statement]] : [];
    });
  };
}
