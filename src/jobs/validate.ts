import xxhash from 'xxhash-wasm';
import { pagingOf } from '../config/run-options.js';
import type { Session } from '../connect/session.js';
import { compareDetail, type StampContext } from '../diff/compare-rows.js';
import { type Candidate, compareRange, type PageSource, type RangeComparison } from '../diff/range-compare.js';
import { mergeRange } from '../diff/range-merge.js';
import { type CompareOptions, Digester, digestLayout } from '../diff/row-digest.js';
import { ExitCode } from '../errors.js';
import { OWN_WINDOW_MICROS, OwnStamps } from '../diff/own-stamps.js';
import { PointReader } from '../read/point-reader.js';
import { readRange } from '../read/range-reader.js';
import { buildReadPlan, type RawRow, type ReadPlan } from '../read/select.js';
import { DifferencesCsv, type RangeCsv } from '../report/differences-csv.js';
import { formatKeyValue } from '../report/format-key.js';
import { rangeId, type TokenRange } from '../ring/token-range.js';
import { type Column, primaryKeyOf, type TableSchema } from '../schema/table-schema.js';
import { CorrectionPlanner } from '../write/corrections.js';
import { PartitionWriter } from '../write/writer.js';
import { type JobContext, type JobDefinition, type RangeWorker, reportDirOf } from './job-definition.js';
import { corrector } from './validate-correct.js';
import { checkAcross, fileTarget, sourceRing } from './validate-across.js';
import { TargetBuckets } from '../diff/target-buckets.js';
import { type JobKey, parseJobKey, sameTablePair } from '../state/job-key.js';

/**
 * `migrate validate [--autocorrect] [--delete-extra]`: both clusters read by the same token ranges, rows
 * matched by primary key and compared by their compared cells; every difference re-read from both sides before it is
 * reported, and corrected so that no newer write in the target is overwritten.
 */
export function validateJob(): JobDefinition {
  let csv: RangeCsv | undefined;
  return {
    command: 'validate',
    check: checkAcross,
    begin: async (ctx) => {
      // A continued run keeps the differences its earlier part reported for the ranges it finished.
      await DifferencesCsv.start(reportDirOf(ctx), primaryKeyOf(ctx.sourceSchema).map((c) => c.name), ctx.state.resumed ? new Set(ctx.state.done.keys()) : undefined);
      if (ctx.comparison === 'across') await fileTarget(ctx, scanPlans(ctx).target.scan);
    },
    prepare: async (ctx) => {
      csv = await DifferencesCsv.append(reportDirOf(ctx));
      return prepareValidate(ctx, csv);
    },
    finish: async () => {
      await csv?.close();
    },
    end: async (ctx) => {
      if (ctx.comparison === 'across') await TargetBuckets.drop(ctx.state.dir);
    },
    outcome: (counts) => (counts.remaining === 0 ? ExitCode.ok : ExitCode.differencesRemain),
  };
}

/** One cluster's side of the comparison: the range scan reads digests' inputs, the detail read everything. */
interface CompareSide {
  session: Session;
  schema: TableSchema;
  scan: ReadPlan;
  detail: ReadPlan;
}

/** Each side's reads: the range scan (digests' inputs and the token) and the detail read of a candidate. */
function scanPlans(ctx: JobContext): { source: CompareSide; target: CompareSide } {
  const compare = ctx.options.compare;
  const multiCellTimes = ctx.source.releaseMajor >= 5 && ctx.target.releaseMajor >= 5;
  const plans = (schema: TableSchema, cells: Column[]) => ({
    scan: buildReadPlan(schema, { writetimes: compare.compareWritetime, ttls: compare.compareTtl, cells, multiCellTimes, withToken: true }),
    detail: buildReadPlan(schema, { writetimes: true, ttls: true, cells, multiCellTimes }),
  });
  return {
    source: { session: ctx.source, schema: ctx.sourceSchema, ...plans(ctx.sourceSchema, ctx.cells) },
    target: { session: ctx.target, schema: ctx.targetSchema, ...plans(ctx.targetSchema, ctx.targetCells) },
  };
}

async function prepareValidate(ctx: JobContext, csv: RangeCsv): Promise<RangeWorker> {
  const { options } = ctx;
  const compare: CompareOptions = options.compare;
  const sides = scanPlans(ctx);
  const ring = sourceRing(ctx);
  const layout = digestLayout(sides.source.scan, compare);
  const digester = new Digester((await xxhash()).h64Raw);
  const pkCount = ctx.sourceSchema.partitionKey.length;
  const keySlots = sides.source.scan.keySlots;
  const shape = {
    partitionKey: keySlots.slice(0, pkCount),
    clustering: keySlots.slice(pkCount),
    token: sides.source.scan.tokenSlot as number,
    readToken: ring.readToken,
    hasStatics: ctx.cells.some((c) => c.kind === 'static'),
  };
  // How lists are repaired: by value, until the target refuses that (a guardrail), then whole (list-repair.ts);
  // whole from the start on a target known to refuse it (Astra).
  const stamps: StampContext = { own: await ownStamps(ctx), runStamp: ctx.stamp, listRemoval: ctx.target.profile.listRemoval };
  const target = ctx.targetTable;
  const planner = new CorrectionPlanner(ctx.sourceSchema, sides.source.detail, target, { autocorrect: options.compare.autocorrect, deleteExtra: options.compare.deleteExtra, ...stamps });
  const keyTypes = primaryKeyOf(ctx.sourceSchema).map((c) => c.type);
  const pointOptions = { inFlight: ctx.inFlight };
  const readers = {
    source: new PointReader(ctx.source, sides.source.detail, ctx.sourceSchema, pointOptions),
    target: new PointReader(ctx.target, sides.target.detail, ctx.targetSchema, pointOptions),
  };

  // Across partitioners, the target's rows of a source range come from its filing (validate-across.ts).
  const filed = ctx.comparison === 'across' ? TargetBuckets.open(ctx.state.dir, ring.ranges, sides.target.scan.tokenSlot as number, ring.readToken) : undefined;
  const read: PageSource = (side, range) => {
    if (side === 'target' && filed) return filed.pages(range); // read from disk: the rate limit guards the clusters
    const { session, scan, schema } = sides[side];
    // Merged, a range reads both sides at once: two requests in flight per range without prefetching
    // (which only held two more pages: 215-221 against 228-229 MB over 1,000,000 rows, and no slower).
    // The merge keeps no cell of a slice once it asks for the next, so its pages are released as it goes.
    const merged = filed === undefined;
    return throttled(ctx, readRange(session, scan, range, { keyspace: schema.keyspace, ...pagingOf(options.throughput, 'validate'), prefetch: !merged, releaseSpent: merged, signal: ctx.signal }));
  };
  // Aligned, both sides come in token order and merge; across, the filed target rows come in arrival order.
  const scanRange = (range: TokenRange): Promise<RangeComparison> =>
    filed ? compareRange(range, read, shape, layout, digester, options.compare.rangeBudget) : mergeRange(range, read, shape, sides.target.scan.tokenSlot as number, layout, digester);

  const confirm = async (candidate: Candidate) => {
    const partitionOnly = candidate.entity === 'partition';
    const [sourceRow, targetRow] = await Promise.all([readers.source.read(candidate.keys, partitionOnly), readers.target.read(candidate.keys, partitionOnly)]);
    const difference = compareDetail(sides.source.detail, sourceRow, targetRow, candidate.entity, compare, stamps);
    return difference ? { candidate, difference, sourceRow, targetRow } : null;
  };

  const correct = corrector({ ctx, detail: sides.source.detail, readers, compare, stamps, planner, target, writer: new PartitionWriter(ctx.target, { inFlight: ctx.inFlight, idempotent: !ctx.sourceSchema.isCounter, notes: ctx.notes }) });

  return async (range, counts) => {
    const id = rangeId(range);
    const comparison = await scanRange(range);
    counts.rowsRead += comparison.sourceRows + comparison.targetRows;
    counts.rowsCompared += comparison.compared;
    const confirmed = (await Promise.all(comparison.candidates.map(confirm))).filter((c) => c !== null);
    for (const found of confirmed) {
      const { difference, candidate } = found;
      counts[difference.kind]++;
      if (difference.targetNewer) counts.targetNewer++;
      const note = await correct(found, counts);
      if (note === '' || note === 'shadowed') counts.remaining++;
      await csv.write(id, [
        difference.kind,
        ...keyTypes.map((type, i) => formatKeyValue(candidate.keys[i] ?? null, type)),
        difference.cells.map((c) => c.slot.column.name).join(' '),
        note,
      ]);
    }
  };
}

/**
 * What our own earlier runs of this table pair wrote, from the run state: the windows of the job-start
 * copies (a preserve copy writes the source's own writetimes: nothing to recognise), and this run's level,
 * one step above every validate run that started before it.
 */
async function ownStamps(ctx: JobContext): Promise<OwnStamps> {
  const ofThisPair = (command: JobKey['command'], text: string) => {
    const key = parseJobKey(text);
    return key !== undefined && key.command === command && sameTablePair(key, ctx.job);
  };
  const runs = ctx.knownRuns;
  const copies = runs.filter((r) => ofThisPair('copy', r.jobKey) && r.writetimeMode !== 'preserve');
  const me = ctx.state.record;
  const earlier = runs.filter((r) => ofThisPair('validate', r.jobKey) && r.runId !== me.runId && r.startedAt < me.startedAt).length;
  return OwnStamps.fromRuns(copies.map((r) => ({ stamp: BigInt(r.jobStartMicros), windowMicros: BigInt(r.ownWindowMicros ?? OWN_WINDOW_MICROS) })), earlier);
}

async function* throttled(ctx: JobContext, pages: AsyncIterable<RawRow[]>): AsyncGenerator<RawRow[]> {
  for await (const page of pages) {
    await ctx.throttle(page.length);
    yield page;
  }
}
