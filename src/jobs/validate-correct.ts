import { isListRemovalRefused } from '../connect/retry.js';
import { compareDetail, elementId, type RowDifference, type StampContext } from '../diff/compare-rows.js';
import { WHOLE_LIST_NOTE } from '../diff/list-repair.js';
import type { Candidate } from '../diff/range-compare.js';
import type { CompareOptions } from '../diff/row-digest.js';
import type { PointReader } from '../read/point-reader.js';
import type { RawRow, ReadPlan } from '../read/select.js';
import { readSettledCounters } from '../read/settled-counters.js';
import type { RowTally } from '../report/summary.js';
import type { CorrectionPlanner } from '../write/corrections.js';
import { counterStatement } from '../write/counters.js';
import type { TargetTable } from '../schema/target-table.js';
import type { Mutation } from '../write/mutations.js';
import type { PartitionWriter } from '../write/writer.js';
import type { JobContext } from './job-definition.js';

/** A difference validate confirmed by reading the row again on both sides. */
export interface Found {
  candidate: Candidate;
  difference: RowDifference;
  sourceRow: RawRow | null;
  targetRow: RawRow | null;
}

export interface CorrectorParts {
  ctx: Pick<JobContext, 'options' | 'sourceSchema' | 'notes'>;
  /** The source's detail read plan: what both sides' rows are laid out by. */
  detail: ReadPlan;
  readers: { source: PointReader; target: PointReader };
  compare: CompareOptions;
  stamps: StampContext;
  planner: CorrectionPlanner;
  target: TargetTable;
  writer: PartitionWriter;
}

/**
 * `--autocorrect`: corrects one confirmed difference, then re-reads both sides. A correction raced by a
 * live write (a list element removed from the source between our read and our write, say) is planned again
 * from what both sides hold now, with the list elements it wrote known as ours, up to REPAIR_ATTEMPTS times;
 * what is left is reported for the next run. RowTally are verified against the source as read, once.
 * Resolves with the note differences.csv gives the row ('corrected', 'target-newer', '' when it remains...).
 */
export function corrector({ ctx, detail, readers, compare, stamps, planner, target, writer }: CorrectorParts): (found: Found, counts: RowTally) => Promise<string> {
  const { options } = ctx;
  const isCounter = ctx.sourceSchema.isCounter;
  const counterCorrection = async ({ candidate, difference, sourceRow }: Found): Promise<Mutation[] | null> => {
    const partitionOnly = candidate.entity === 'partition';
    if (difference.kind === 'extra') {
      if (!options.compare.deleteExtra) return null;
      // A counter carries no writetime to tell an increment in flight from a stray row, and a deleted counter
      // cannot be written again: it is deleted only when the source lacks it across two reads bracketing the target's.
      const settled = await readSettledCounters(detail, readers, candidate.keys, partitionOnly, sourceRow);
      return settled && settled.source === null && settled.target ? planner.corrections(candidate, difference, null, settled.target) : null;
    }
    const wanted = options.compare.autocorrect === 'all' || options.compare.autocorrect === difference.kind;
    if (!wanted) return null;
    const settled = await readSettledCounters(detail, readers, candidate.keys, partitionOnly, sourceRow);
    if (!settled?.source) return null;
    const statement = counterStatement(ctx.sourceSchema, detail, target, settled.source, settled.target, partitionOnly);
    return statement ? [statement] : null;
  };

  return async (found, counts) => {
    let { difference, sourceRow, targetRow } = found;
    const { candidate } = found;
    const partitionOnly = candidate.entity === 'partition';
    const written = new Set<string>();
    let replanned = false;
    for (let attempt = 1; ; attempt++) {
      const mutations = isCounter ? await counterCorrection({ candidate, difference, sourceRow, targetRow }) : planner.corrections(candidate, difference, sourceRow, targetRow);
      if (mutations === null) return difference.targetNewer ? 'target-newer' : '';
      try {
        await writer.writePartitions([mutations]);
      } catch (error) {
        // Planned by value (before this or another correction in flight met the refusal): once more, whole.
        if (replanned || !isListRemovalRefused(error)) throw error;
        replanned = true;
        stamps.listRemoval = 'whole-list';
        ctx.notes.add(WHOLE_LIST_NOTE);
        // Nothing of the refused batch was applied: the same difference, planned the other way.
        difference = compareDetail(detail, sourceRow, targetRow, candidate.entity, compare, stamps) ?? difference;
        attempt--;
        continue;
      }
      for (const id of listElementsWritten(difference)) written.add(id);
      if (!isCounter) sourceRow = await readers.source.read(candidate.keys, partitionOnly);
      targetRow = await readers.target.read(candidate.keys, partitionOnly);
      const still = compareDetail(detail, sourceRow, targetRow, candidate.entity, compare, { ...stamps, written });
      if (still === null) {
        if (difference.kind === 'extra') counts.deleted++;
        else counts.corrected++;
        return difference.kind === 'extra' ? 'deleted' : 'corrected';
      }
      if (still.kind === 'missing') return 'shadowed';
      if (still.targetNewer) return 'target-newer';
      if (isCounter || attempt >= REPAIR_ATTEMPTS) return '';
      difference = still;
    }
  };
}

/** A correction is verified and, when a live write raced it, planned again this many times in all. */
const REPAIR_ATTEMPTS = 3;

/** The list elements a correction prepends, by value and writetime. */
function listElementsWritten(difference: RowDifference): string[] {
  return difference.cells.flatMap(({ fix }) => (fix.action === 'list' ? fix.rebuild.prepend.map((cell) => elementId(cell.value, cell.stamp)) : []));
}

