import pLimit from 'p-limit';
import { pagingOf, rangesInFlight } from '../config/run-options.js';
import { TargetBuckets } from '../diff/target-buckets.js';
import { InputError } from '../errors.js';
import { readRange } from '../read/range-reader.js';
import type { RawRow, ReadPlan } from '../read/select.js';
import { logEvent } from '../report/log.js';
import { tokenFromBytes } from '../ring/partitioner.js';
import { planRanges } from '../ring/read-ring.js';
import { parseRangeId, type TokenRange } from '../ring/token-range.js';
import { tokenSpaceOf } from '../ring/token-space.js';
import type { JobContext, JobPlan } from './job-definition.js';

/**
 * Validate across partitioners (the clusters hash keys differently): before the ranges are compared, the
 * target is read once, whole, by its own token ranges, and filed by source range (target-buckets.ts). The
 * filing lives in the run's folder: a resumed run compares its remaining ranges against it, and machines
 * sharing a run through the target's ledger would each need their own, so that is refused.
 */
export function checkAcross(plan: Pick<JobPlan, 'options' | 'comparison'>): void {
  if (plan.comparison !== 'across' || plan.options.run.state.kind === 'local') return;
  throw new InputError(
    'the source and target hash keys differently, so validate files the target\'s rows by source range in the local run folder: run it with a local --state-dir (a run shared through --state cassandra is not supported across partitioners)',
  );
}

/** The source's ranges in order, and a reader of a row's token cell in the source's encoding. */
export function sourceRing(ctx: Pick<JobContext, 'state' | 'source'>): { ranges: TokenRange[]; readToken: (bytes: Buffer) => bigint } {
  const ranges = ctx.state.record.ranges.map(parseRangeId).sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const space = tokenSpaceOf(ctx.source.partitioner);
  return { ranges, readToken: space.kind === 'murmur3' ? (b) => b.readBigInt64BE(0) : tokenFromBytes };
}

/** Files the target's rows for the ranges this run has left, unless a complete filing is there already. */
export async function fileTarget(ctx: JobContext, scan: ReadPlan): Promise<void> {
  if (await TargetBuckets.filed(ctx.state.dir)) return;
  const { ranges } = sourceRing(ctx);
  const wanted = new Set(ctx.state.record.ranges.filter((id) => !ctx.state.done.has(id)));
  const started = Date.now();
  const line = `validate ${ctx.options.selection.keyspace}.${ctx.options.selection.table}: the clusters hash keys differently (source ${ctx.source.partitioner.split('.').at(-1)}, target ${ctx.target.partitioner.split('.').at(-1)}); reading the target once to file its rows by source range`;
  logEvent('filing-target', { ranges: wanted.size }, ctx.options.output.quiet ? undefined : line);
  const filer = await TargetBuckets.startFiling(ctx.state.dir, {
    ranges,
    wanted,
    space: tokenSpaceOf(ctx.source.partitioner),
    partitionKey: scan.keySlots.slice(0, ctx.targetSchema.partitionKey.length),
    tokenSlot: scan.tokenSlot as number,
  });
  const targetRanges = await planRanges(ctx.target, ctx.targetSchema.keyspace, ctx.targetSchema.table, undefined);
  const limit = pLimit(rangesInFlight(ctx.options.throughput, 'validate', 1));
  await Promise.all(
    targetRanges.map((range) =>
      limit(async () => {
        for await (const page of readRange(ctx.target, scan, range, { keyspace: ctx.targetSchema.keyspace, ...pagingOf(ctx.options.throughput, 'validate'), signal: ctx.signal })) {
          await ctx.throttle(page.length);
          await filer.add(page as RawRow[]);
        }
      }),
    ),
  );
  const filed = await filer.finish();
  logEvent('filed-target', { rows: filed, seconds: (Date.now() - started) / 1000, ranges: wanted.size });
}
