import xxhash from 'xxhash-wasm';
import type { JobOptions } from '../config/options.js';
import type { Session, Statement } from '../connect/session.js';
import { type CellDifference, compareDetail, type RowDifference, type StampContext } from '../diff/compare-rows.js';
import { BudgetExceeded, type Candidate, compareRange, type RangeComparison } from '../diff/range-compare.js';
import { type CompareOptions, Digester, digestLayout } from '../diff/row-digest.js';
import { ExitCode } from '../errors.js';
import { readRange } from '../read/range-reader.js';
import { buildReadPlan, keyQuery, partitionQuery, type RawRow, type ReadPlan, rowValues, tableName } from '../read/select.js';
import { bigintBytes, joinCollection, splitCollection } from '../read/serialized.js';
import { DifferencesCsv } from '../report/differences-csv.js';
import type { Counters } from '../report/summary.js';
import { formatKeyValue } from '../report/format-key.js';
import { rangeSize, splitRange, type TokenRange } from '../ring/token-range.js';
import { isMultiCell, quoteIdentifier } from '../schema/cql-type.js';
import { type Column, primaryKeyOf, type TableSchema } from '../schema/table-schema.js';
import { listRuns } from '../state/run-state.js';
import { counterStatement } from '../write/counters.js';
import { type Mutation, MutationBuilder, type TargetTable } from '../write/mutations.js';
import { DEFAULT_RETRY, withRetry } from '../write/retry.js';
import { PartitionWriter } from '../write/writer.js';
import { type JobContext, type JobResult, type RangeWorker, runJob, tablePair } from './pipeline.js';

/**
 * `migrate validate [--autocorrect] [--delete-extra]`: both clusters read by the same token ranges, rows
 * matched by primary key and compared by digest; every difference re-read from both sides before it is
 * reported, and corrected so that no newer write in the target is overwritten.
 */
export function validate(options: JobOptions): Promise<JobResult> {
  let csv: DifferencesCsv | undefined;
  return runJob(
    {
      command: 'validate',
      prepare: async (ctx) => {
        // A resumed run adds to the differences its earlier part reported.
        csv = await DifferencesCsv.open(options.reportDir ?? ctx.state.dir, primaryKeyOf(ctx.sourceSchema).map((c) => c.name), options.resume !== undefined);
        return prepareValidate(ctx, csv);
      },
      finish: async () => {
        await csv?.close();
      },
      outcome: (counts) => (counts.remaining === 0 ? ExitCode.ok : ExitCode.differencesRemain),
    },
    options,
  );
}

type Entity = Candidate['entity'];

interface Found {
  candidate: Candidate;
  difference: RowDifference;
  sourceRow: RawRow | null;
  targetRow: RawRow | null;
}

interface Sides {
  source: { session: Session; schema: TableSchema; scan: ReadPlan; detail: ReadPlan };
  target: { session: Session; schema: TableSchema; scan: ReadPlan; detail: ReadPlan };
}

async function prepareValidate(ctx: JobContext, csv: DifferencesCsv): Promise<RangeWorker> {
  const { options } = ctx;
  const compare: CompareOptions = {
    ignore: options.ignore,
    compareWritetime: options.compareWritetime,
    compareTtl: options.compareTtl,
    ttlToleranceSeconds: options.ttlToleranceSeconds,
    floatTolerance: options.floatTolerance,
  };
  const multiCellTimes = ctx.source.releaseMajor >= 5 && ctx.target.releaseMajor >= 5;
  const targetCells = ctx.cells.map((c) => ctx.targetSchema.cells.find((t) => t.name === (options.renames.get(c.name) ?? c.name)) as Column);
  const plans = (schema: TableSchema, cells: Column[]) => ({
    scan: buildReadPlan(schema, { writetimes: compare.compareWritetime, ttls: compare.compareTtl, cells, multiCellTimes }),
    detail: buildReadPlan(schema, { writetimes: true, ttls: true, cells, multiCellTimes }),
  });
  const sides: Sides = {
    source: { session: ctx.source, schema: ctx.sourceSchema, ...plans(ctx.sourceSchema, ctx.cells) },
    target: { session: ctx.target, schema: ctx.targetSchema, ...plans(ctx.targetSchema, targetCells) },
  };
  const layout = digestLayout(sides.source.scan, compare);
  const digester = new Digester((await xxhash()).h64Raw);
  const pkCount = ctx.sourceSchema.partitionKey.length;
  const keySlots = sides.source.scan.keySlots;
  const shape = { partitionKey: keySlots.slice(0, pkCount), clustering: keySlots.slice(pkCount), hasStatics: ctx.cells.some((c) => c.kind === 'static') };
  const stamps: StampContext = { ourStamps: await ourCopyStamps(ctx), runStamp: ctx.stamp };
  const target: TargetTable = { keyspace: options.targetKeyspace, table: options.targetTable, renames: options.renames };
  const builder = new MutationBuilder(ctx.sourceSchema, sides.source.detail, { writetime: 'preserve', stamp: ctx.stamp, ttl: 'preserve', guardLists: true }, target);
  const isCounter = ctx.sourceSchema.isCounter;
  const writer = new PartitionWriter(ctx.target, { inFlight: ctx.inFlight, retry: isCounter ? { ...DEFAULT_RETRY, attempts: 1 } : DEFAULT_RETRY, signal: ctx.signal, idempotent: !isCounter });
  const keyTypes = primaryKeyOf(ctx.sourceSchema).map((c) => c.type);

  const scanRange = async (range: TokenRange): Promise<RangeComparison> => {
    const read = (side: Sides['source']) => throttled(ctx, readRange(side.session, side.scan, range, { keyspace: side.schema.keyspace, pageSize: options.pageSize, signal: ctx.signal }));
    try {
      return await compareRange(read(sides.source), read(sides.target), shape, layout, digester, options.rangeBudget);
    } catch (error) {
      // Memory stays within the budget whatever the table's size: a range with too many rows is compared in parts.
      if (!(error instanceof BudgetExceeded) || rangeSize(range) < 4n) throw error;
      // One part after another: parts in parallel would hold several budgets at once.
      const parts: RangeComparison[] = [];
      for (const part of splitRange(range, 4)) parts.push(await scanRange(part));
      return parts.reduce((a, b) => ({
        candidates: [...a.candidates, ...b.candidates],
        sourceRows: a.sourceRows + b.sourceRows,
        targetRows: a.targetRows + b.targetRows,
        compared: a.compared + b.compared,
      }));
    }
  };

  const readPoint = async (side: Sides['source'], keys: Buffer[], entity: Entity): Promise<RawRow | null> => {
    const query = entity === 'row' ? keyQuery(side.detail, side.schema) : `${partitionQuery(side.detail, side.schema)} LIMIT 1`;
    const result = await ctx.inFlight(() => withRetry(() => side.session.read(query, keys), DEFAULT_RETRY, ctx.signal));
    const first = result.first();
    return first ? rowValues(first as unknown as Record<string, unknown>, side.detail) : null;
  };

  const confirm = async (candidate: Candidate) => {
    const [sourceRow, targetRow] = await Promise.all([readPoint(sides.source, candidate.keys, candidate.entity), readPoint(sides.target, candidate.keys, candidate.entity)]);
    const difference = compareDetail(sides.source.detail, sourceRow, targetRow, candidate.entity, compare, stamps);
    return difference ? { candidate, difference, sourceRow, targetRow } : null;
  };

  const correct = async (found: Found, counts: Counters): Promise<string> => {
    const { candidate, difference, sourceRow } = found;
    const mutations = correctionOf(found);
    if (mutations === null) return difference.targetNewer ? 'target-newer' : '';
    await writer.writePartitions([mutations]);
    const after = await readPoint(sides.target, candidate.keys, candidate.entity);
    const still = compareDetail(sides.source.detail, sourceRow, after, candidate.entity, compare, stamps);
    if (still === null) {
      if (difference.kind === 'extra') counts.deleted++;
      else counts.corrected++;
      return difference.kind === 'extra' ? 'deleted' : 'corrected';
    }
    if (still.kind === 'missing') return 'shadowed';
    return still.targetNewer ? 'target-newer' : '';
  };

  const correctionOf = ({ candidate, difference, sourceRow, targetRow }: Found): Mutation[] | null => {
    const mode = options.autocorrect;
    if (difference.kind === 'extra') return options.deleteExtra ? [deleteRow(candidate)] : null;
    if (!mode || (mode !== 'all' && mode !== difference.kind) || difference.targetNewer || sourceRow === null) return null;
    if (ctx.sourceSchema.isCounter) {
      const statement = counterStatement(ctx.sourceSchema, sides.source.detail, target, sourceRow, targetRow, candidate.entity === 'partition');
      return statement ? [statement] : null;
    }
    const row = candidate.entity === 'partition' ? staticsOnly(sourceRow) : raiseStaleStamps(sourceRow, difference.cells);
    const deletes = difference.cells.filter((c) => c.fix.action === 'delete');
    // A missing row may be the first of its partition in the target: its statics go with it.
    const withStatics = candidate.entity === 'partition' || difference.kind === 'missing';
    return [...builder.rowMutations(row, withStatics), ...(deletes.length > 0 ? [deleteCells(candidate, deletes)] : [])];
  };

  const targetName = (column: string) => quoteIdentifier(options.renames.get(column) ?? column);
  const whereKeys = (candidate: Candidate) =>
    primaryKeyOf(ctx.sourceSchema)
      .slice(0, candidate.keys.length)
      .map((c) => `${targetName(c.name)} = ?`)
      .join(' AND ');
  // Counter tables take no custom timestamp, not even on a delete.
  const deleteRow = (candidate: Candidate): Statement =>
    isCounter
      ? { query: `DELETE FROM ${tableName(target)} WHERE ${whereKeys(candidate)}`, params: candidate.keys }
      : { query: `DELETE FROM ${tableName(target)} USING TIMESTAMP ? WHERE ${whereKeys(candidate)}`, params: [bigintBytes(ctx.stamp), ...candidate.keys] };
  const deleteCells = (candidate: Candidate, cells: CellDifference[]): Statement => ({
    query: `DELETE ${cells.map((c) => targetName(c.slot.column.name)).join(', ')} FROM ${tableName(target)} USING TIMESTAMP ? WHERE ${whereKeys(candidate)}`,
    params: [bigintBytes(ctx.stamp), ...candidate.keys],
  });
  const staticsOnly = (row: RawRow): RawRow => {
    const out = [...row];
    for (const slot of shape.clustering) out[slot] = null;
    for (const slot of sides.source.detail.cells) if (slot.column.kind !== 'static') out[slot.value] = null;
    return out;
  };

  return async (range, counts) => {
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
      await csv.write([
        difference.kind,
        ...keyTypes.map((type, i) => formatKeyValue(candidate.keys[i] ?? null, type)),
        difference.cells.map((c) => c.slot.column.name).join(' '),
        note,
      ]);
    }
  };
}

/** Cells whose target value carries one of our own job-start stamps are rewritten just above it. */
function raiseStaleStamps(row: RawRow, cells: CellDifference[]): RawRow {
  const out = [...row];
  for (const { slot, fix } of cells) {
    if (fix.action !== 'write-above' || slot.writetime === null) continue;
    const above = bigintBytes(fix.stamp + 1n);
    const current = row[slot.writetime];
    out[slot.writetime] = isMultiCell(slot.column.type) && current ? joinCollection(splitCollection(current).map(() => above)) : above;
  }
  return out;
}

/** The stamps written by earlier job-start copies of this table, from the run state. */
async function ourCopyStamps(ctx: JobContext): Promise<Set<bigint>> {
  const { options } = ctx;
  const copyJob = `copy ${tablePair(options)}`;
  const runs = await listRuns(options.stateDir);
  const ofThisTable = (key: string) => key === copyJob || key.startsWith(`${copyJob} [shard `);
  return new Set(runs.filter((r) => ofThisTable(r.jobKey) && r.writetimeMode !== 'preserve').map((r) => BigInt(r.jobStartMicros)));
}

async function* throttled(ctx: JobContext, pages: AsyncIterable<RawRow[]>): AsyncGenerator<RawRow[]> {
  for await (const page of pages) {
    await ctx.throttle(page.length);
    yield page;
  }
}
