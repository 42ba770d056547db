import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeFolder } from '../state/make-folder.js';

/** summary.json, field for field as DESIGN.md lists it; counts that do not apply are 0. */
export interface Summary extends Omit<Counts, 'remaining'> {
  command: 'copy' | 'validate';
  runId: string;
  keyspace: string;
  table: string;
  targetKeyspace: string;
  targetTable: string;
  /** What the target is, detected at connect or given (--target-profile): "Apache Cassandra 5.0.9", "Amazon Keyspaces". */
  targetProfile: string;
  startedAt: string;
  finishedAt: string;
  writetimeMode: string;
  jobStartMicros: string;
  rangesTotal: number;
  rangesDone: number;
  rangesFailed: number;
  errors: string[];
  /** What the run had to approximate, in words (for example list TTLs that differed per element). */
  notes: string[];
}

/**
 * The row counts of a run. Beyond the plain ones: listElementsInTarget (copy: source list elements not
 * written because the target held them already, the proxy wrote them), listsLeftToValidate (copy: lists it
 * could not complete safely, a target without element writetimes or a live write in the way, left to
 * validate), rejected (copy --max-errors: rows the target refused, listed in rejected.csv), throttled (requests
 * the target or source throttled with a RetryAfterMs hint, waited out: Cosmos DB), remaining
 * (differences still there at the end, target-newer rows aside: validate's exit code).
 */
export const COUNTS = ['rowsRead', 'rowsWritten', 'rowsCompared', 'missing', 'mismatched', 'extra', 'targetNewer', 'corrected', 'deleted', 'listElementsInTarget', 'listsLeftToValidate', 'rejected', 'throttled', 'remaining'] as const;

type Counts = { [key in (typeof COUNTS)[number]]: number };

/** What one range (or a whole run, summed) counted in rows; each finished range's counts go into its checkpoint. */
export interface RowTally extends Counts {}
// The interface declares the fields the constructor sets, one per name in COUNTS.
export class RowTally {
  constructor() {
    for (const key of COUNTS) this[key] = 0;
  }

  add(other: Partial<Counts>): this {
    for (const key of COUNTS) this[key] += other[key] ?? 0;
    return this;
  }
}

/** A table run's Summary, or a keyspace job's summary of its tables. */
export async function writeSummary(dir: string, summary: object): Promise<string> {
  await makeFolder(dir);
  const path = join(dir, 'summary.json');
  await writeFile(path, `${JSON.stringify(summary, null, 2)}\n`);
  return path;
}

/** The summary in a few lines for a person. */
export function formatSummary(summary: Summary, reportDir: string): string {
  const lines = [
    `${summary.command} ${summary.keyspace}.${summary.table} -> ${summary.targetKeyspace}.${summary.targetTable} (run ${summary.runId}; target ${summary.targetProfile})`,
    `  ranges: ${summary.rangesDone}/${summary.rangesTotal} done, ${summary.rangesFailed} failed`,
  ];
  if (summary.command === 'copy') {
    lines.push(`  rows: ${summary.rowsRead} read, ${summary.rowsWritten} written; writetime ${summary.writetimeMode} (stamp ${summary.jobStartMicros})`);
    if (summary.listElementsInTarget > 0) lines.push(`  list elements already in the target (written by the proxy), not written again: ${summary.listElementsInTarget}`);
    if (summary.rejected > 0) lines.push(`  rows the target refused: ${summary.rejected} (listed in rejected.csv; rerun with --resume or --ranges-file to retry them)`);
    if (summary.listsLeftToValidate > 0) lines.push(`  lists left for validate (see the note): ${summary.listsLeftToValidate}`);
  } else {
    lines.push(
      `  rows compared: ${summary.rowsCompared}; missing ${summary.missing}, mismatched ${summary.mismatched} (target newer ${summary.targetNewer}), extra ${summary.extra}`,
      `  corrected ${summary.corrected}, deleted ${summary.deleted}`,
    );
  }
  if (summary.throttled > 0) lines.push(`  requests throttled by the cluster and waited out as it asked: ${summary.throttled}`);
  for (const note of summary.notes) lines.push(`  note: ${note}`);
  for (const error of summary.errors.slice(0, 5)) lines.push(`  error: ${error}`);
  if (summary.errors.length > 5) lines.push(`  ... ${summary.errors.length - 5} more errors in summary.json`);
  lines.push(`  report: ${reportDir}`);
  return lines.join('\n');
}
