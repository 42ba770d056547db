import { readRange } from '../read/range-reader.js';
import { pagingOf } from '../config/run-options.js';
import { ExitCode, messageOf } from '../errors.js';
import { isListRemovalRefused, isRefusal } from '../connect/retry.js';
import { WHOLE_LIST_NOTE } from '../diff/list-repair.js';
import { type RangeCsv, RejectedCsv } from '../report/differences-csv.js';
import { formatKeyValue } from '../report/format-key.js';
import { rangeId } from '../ring/token-range.js';
import { primaryKeyOf } from '../schema/table-schema.js';
import { PointReader } from '../read/point-reader.js';
import { readSettledCounters } from '../read/settled-counters.js';
import { RowTally } from '../report/summary.js';
import { buildReadPlan, type CellSlot, partitionStarts, type RawRow, type ReadPlan } from '../read/select.js';
import { isMultiCell } from '../schema/cql-type.js';
import type { Column } from '../schema/table-schema.js';
import { counterStatement } from '../write/counters.js';
import { type Mutation, MutationBuilder, type TargetLists, type WriteMode } from '../write/mutations.js';
import type { TargetTable } from '../schema/target-table.js';
import { elementsOf } from '../diff/cell-elements.js';
import { PartitionWriter } from '../write/writer.js';
import { readSharedBatchLimits } from '../connect/batch-thresholds.js';
import { type JobContext, type JobDefinition, type RangeWorker, reportDirOf } from './job-definition.js';

/** One table's copy, as the pipeline runs it (alone, or as one table of a keyspace job). */
export function copyJob(): JobDefinition {
  let rejectedCsv: RangeCsv | undefined;
  return {
    command: 'copy',
    begin: async (ctx) => {
      // A continued run keeps the refusals of the ranges it finished; the others are written again, and retried.
      if (ctx.options.write.maxErrors > 0) await RejectedCsv.start(reportDirOf(ctx), primaryKeyOf(ctx.sourceSchema).map((c) => c.name), ctx.state.resumed ? new Set(ctx.state.done.keys()) : undefined);
    },
    prepare: async (ctx) => {
      rejectedCsv = ctx.options.write.maxErrors > 0 ? await RejectedCsv.append(reportDirOf(ctx)) : undefined;
      return prepareCopy(ctx, rejectedCsv);
    },
    finish: async () => {
      await rejectedCsv?.close();
    },
    outcome: (counts) => (counts.rejected > 0 ? ExitCode.failedRanges : counts.remaining === 0 ? ExitCode.ok : ExitCode.differencesRemain),
  };
}

const nonFrozenLists = (cells: Column[]) => cells.filter((c) => c.type.kind === 'list' && !c.type.frozen);

async function prepareCopy(ctx: JobContext, rejectedCsv: RangeCsv | undefined): Promise<RangeWorker> {
  const { options, sourceSchema } = ctx;
  const preserve = options.write.writetime === 'preserve';
  const multiCellTimes = ctx.source.releaseMajor >= 5;
  if (preserve && !multiCellTimes && ctx.cells.some((c) => isMultiCell(c.type))) {
    ctx.notes.add(`the source (Cassandra ${ctx.source.releaseVersion}) cannot read per-element writetimes of non-frozen collections and UDTs: they were written with the row's newest readable writetime`);
  }
  if (options.write.ttl === 'preserve' && !multiCellTimes && ctx.cells.some((c) => isMultiCell(c.type))) {
    ctx.notes.add(`TTLs of non-frozen collection and UDT elements cannot be read from Cassandra ${ctx.source.releaseVersion}: such elements were written without a TTL, so they outlive their source copies (validate reports them as mismatched once they expire there)`);
  }
  const lists = nonFrozenLists(ctx.cells);
  if (lists.length > 0 && !multiCellTimes) {
    ctx.notes.add(`the source (Cassandra ${ctx.source.releaseVersion}) cannot read list element writetimes: list elements written through the proxy during the copy cannot be told from history and are written again (validate reports such lists)`);
  }
  const plan = buildReadPlan(sourceSchema, { writetimes: preserve, ttls: options.write.ttl === 'preserve', cells: ctx.cells, multiCellTimes, listWritetimes: multiCellTimes });
  const target = ctx.targetTable;
  // Shared batches only where both rings order partitions alike (a page's partitions then share replicas);
  // never counters, whose batches must be COUNTER batches.
  const shared = !sourceSchema.isCounter && ctx.source.partitioner === ctx.target.partitioner ? await readSharedBatchLimits(ctx.target) : undefined;
  const writer = new PartitionWriter(ctx.target, { inFlight: ctx.inFlight, idempotent: !sourceSchema.isCounter, shared, notes: ctx.notes });
  const mode: WriteMode = { writetime: preserve ? 'preserve' : 'stamp', stamp: ctx.stamp, ttl: options.write.ttl, guardLists: await mayHaveCopiedBefore(ctx), liveSince: options.write.liveSince, listRemoval: ctx.target.profile.listRemoval };
  // What is written again after a refusal, where part of the page may be written already: lists guarded.
  const again: WriteMode = { ...mode, guardLists: true };
  const toPartitions = sourceSchema.isCounter ? counterPartitions(ctx, plan, target) : mutationPartitions(ctx, new MutationBuilder(sourceSchema, plan, mode, target));
  const rewrite = mutationPartitions(ctx, new MutationBuilder(sourceSchema, plan, again, target));
  // With --max-errors, a page the target refused is written again row by row, and each refused row goes to rejected.csv.
  const alone = rejectedCsv && !sourceSchema.isCounter ? rowsAlone(ctx, new MutationBuilder(sourceSchema, plan, again, target), writer, rejectedCsv) : undefined;

  return async (range, counts) => {
    let previous: RawRow | null = null;
    // A page's frame is released once its last slice is written (releaseSpent): the row kept for the next
    // slice's partition check is copied out of it.
    for await (const page of readRange(ctx.source, plan, range, { keyspace: options.selection.keyspace, ...pagingOf(options.throughput, 'copy'), releaseSpent: true, signal: ctx.signal })) {
      await ctx.throttle(page.length);
      const opens = partitionStarts(page, previous, plan, sourceSchema.partitionKey.length);
      const partitions = await toPartitions(page, opens, counts);
      previous = copiedRow(page.at(-1)) ?? previous;
      let refused = 0;
      try {
        await writer.writePartitions(partitions);
      } catch (error) {
        if (isListRemovalRefused(error)) {
          // A guardrail refuses removals by value: lists are repaired whole from now on, this page again
          // (pages planned before the first refusal meet it too).
          mode.listRemoval = again.listRemoval = 'whole-list';
          ctx.notes.add(WHOLE_LIST_NOTE);
          await writer.writePartitions(await rewrite(page, opens, new RowTally()));
        } else if (alone && isRefusal(error)) refused = await alone(page, opens, rangeId(range), counts);
        else throw error;
      }
      counts.rowsRead += page.length;
      counts.rowsWritten += page.length - refused;
    }
  };
}

/** Writes a page one row at a time; a row the target refuses is listed in rejected.csv. Returns how many were. */
function rowsAlone(ctx: JobContext, builder: MutationBuilder, writer: PartitionWriter, csv: RangeCsv) {
  const readLists = targetListReader(ctx, builder);
  const keyTypes = primaryKeyOf(ctx.sourceSchema).map((c) => c.type);
  return async (page: RawRow[], opens: boolean[], range: string, counts: RowTally): Promise<number> => {
    let refused = 0;
    for (const [i, row] of page.entries()) {
      const checked = readLists && builder.needsListCheck(row) ? await readLists(row) : undefined;
      try {
        await writer.writePartitions([builder.rowMutations(row, opens[i] as boolean, checked)]);
      } catch (error) {
        if (!isRefusal(error)) throw error;
        refused++;
        counts.rejected++;
        const keys = builder.keysOf(row);
        const columns = builder.cellsOf(row).join(' ');
        await csv.write(range, [...keyTypes.map((type, k) => formatKeyValue(keys[k] ?? null, type)), columns, messageOf(error).split('\n')[0] as string]);
      }
    }
    return refused;
  };
}

/**
 * Whether this job may have written to the target before: a resumed or joined run, a rerun of failed
 * ranges, or any earlier run of the same job in the run store. Only then do lists need the read-before-write guard.
 */
async function mayHaveCopiedBefore(ctx: JobContext): Promise<boolean> {
  if (ctx.state.resumed || ctx.options.run.rangesFile !== undefined) return true;
  return ctx.knownRuns.some((r) => r.jobKey === ctx.state.record.jobKey && r.runId !== ctx.state.record.runId);
}

/** A page's statements, grouped by partition; `opens[i]`: row i is the first of its partition. */
type ToPartitions = (page: RawRow[], opens: boolean[], counts: RowTally) => Promise<Mutation[][]>;

/**
 * Statics are written with each partition's first row; a partition's statements go out together. A row
 * whose lists may hold elements the proxy wrote has its target lists read first (one point read).
 */
function mutationPartitions(ctx: JobContext, builder: MutationBuilder): ToPartitions {
  const readLists = targetListReader(ctx, builder);
  return async (page, opens, counts) => {
    const checked = await Promise.all(page.map((row) => (readLists && builder.needsListCheck(row) ? readLists(row) : undefined)));
    const tally = { inTarget: 0, undecided: 0 };
    const partitions: Mutation[][] = [];
    page.forEach((row, i) => {
      if (opens[i] || partitions.length === 0) partitions.push([]);
      (partitions[partitions.length - 1] as Mutation[]).push(...builder.rowMutations(row, opens[i] as boolean, checked[i], tally));
    });
    counts.listElementsInTarget += tally.inTarget;
    counts.listsLeftToValidate += tally.undecided;
    if (tally.undecided > 0) ctx.notes.add('some lists in the target could not be completed safely (a target that cannot show element writetimes, or a live write in the way): they were left as they are, for validate --autocorrect');
    return partitions;
  };
}

/** Reads a row's non-frozen lists from the target (element writetimes where it has them), keyed by source slot. */
function targetListReader(ctx: JobContext, builder: MutationBuilder): ((row: RawRow) => Promise<TargetLists>) | undefined {
  const slots = builder.listSlots();
  if (slots.length === 0) return undefined;
  const targetColumns = slots.map((slot) => ctx.targetCells[ctx.cells.indexOf(slot.column)] as Column);
  const plan = buildReadPlan(ctx.targetSchema, { writetimes: true, ttls: false, cells: targetColumns, multiCellTimes: ctx.target.releaseMajor >= 5 });
  const reader = new PointReader(ctx.target, plan, ctx.targetSchema, { inFlight: ctx.inFlight });
  const pkCount = ctx.sourceSchema.partitionKey.length;
  return async (row) => {
    const keys = builder.keysOf(row);
    const staticOnly = ctx.sourceSchema.clustering.length > 0 && keys[pkCount] === null;
    const there = await reader.read((staticOnly ? keys.slice(0, pkCount) : keys) as Buffer[], staticOnly);
    return new Map(slots.map((slot, i) => [slot, there ? elementsOf(plan.cells[i] as CellSlot, there) : []]));
  };
}

/**
 * RowTally: the difference between source and target is added, from reads that bracket each other (see
 * readSettledCounters); a counter that kept moving is left out and counted, for validate to correct.
 */
function counterPartitions(ctx: JobContext, plan: ReadPlan, target: TargetTable): ToPartitions {
  const { sourceSchema } = ctx;
  const pkCount = sourceSchema.partitionKey.length;
  const pointOptions = { inFlight: ctx.inFlight };
  const targetPlan = buildReadPlan(ctx.targetSchema, { writetimes: false, ttls: false, cells: ctx.targetCells });
  const readers = { source: new PointReader(ctx.source, plan, sourceSchema, pointOptions), target: new PointReader(ctx.target, targetPlan, ctx.targetSchema, pointOptions) };
  const settle = (row: RawRow) => {
    const keys = plan.keySlots.map((slot) => row[slot]) as Buffer[];
    const staticOnly = sourceSchema.clustering.length > 0 && keys[pkCount] === null;
    return readSettledCounters(plan, readers, staticOnly ? keys.slice(0, pkCount) : keys, staticOnly, row);
  };
  return async (page, opens, counts) => {
    const settled = await Promise.all(page.map(settle));
    return settled.flatMap((both, i) => {
      if (!both) {
        counts.remaining++;
        counts.rowsWritten--;
        ctx.notes.add('some counters kept changing while they were read and were not copied: run validate --autocorrect when the writers pause');
        return [];
      }
      if (both.source === null) return [];
      const statement = counterStatement(sourceSchema, plan, target, both.source, both.target, opens[i] as boolean);
      return statement ? [[statement]] : [];
    });
  };
}

/** A row whose cells are copies, not views of its page's frame (which is released once the page is written). */
function copiedRow(row: RawRow | undefined): RawRow | undefined {
  return row?.map((cell) => (cell === null ? null : Buffer.from(cell)));
}
