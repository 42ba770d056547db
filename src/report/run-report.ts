import type { RunLedger } from '../state/ledger.js';
import { type FailedRange, writeFailedRanges } from './failed-ranges.js';
import { writeHtmlReport } from './html-report.js';
import { type RowTally, type Summary, writeSummary } from './summary.js';

/** What a table run's reports are made of: its record, the ranges this process answers for, their results. */
export interface RunResults {
  ledger: Pick<RunLedger, 'record' | 'done'>;
  /** The ranges of the run this process answers for (its shard's, or all). */
  ranges: readonly string[];
  totals: RowTally;
  failed: FailedRange[];
  errors: string[];
  notes: string[];
}

/** summary.json's content, from the run's record and what its ranges counted. */
export function summaryOf(names: Pick<Summary, 'command' | 'keyspace' | 'table' | 'targetKeyspace' | 'targetTable' | 'targetProfile'>, results: RunResults): Summary {
  const { record, done } = results.ledger;
  const { totals } = results;
  return {
    ...names,
    runId: record.runId,
    startedAt: record.startedAt,
    finishedAt: new Date().toISOString(),
    writetimeMode: record.writetimeMode,
    jobStartMicros: record.jobStartMicros,
    rangesTotal: results.ranges.length,
    rangesDone: results.ranges.filter((id) => done.has(id)).length,
    rangesFailed: results.failed.length,
    rowsRead: totals.rowsRead,
    rowsWritten: totals.rowsWritten,
    rowsCompared: totals.rowsCompared,
    missing: totals.missing,
    mismatched: totals.mismatched,
    extra: totals.extra,
    targetNewer: totals.targetNewer,
    corrected: totals.corrected,
    deleted: totals.deleted,
    listElementsInTarget: totals.listElementsInTarget,
    listsLeftToValidate: totals.listsLeftToValidate,
    rejected: totals.rejected,
    throttled: totals.throttled,
    errors: results.errors,
    notes: results.notes,
  };
}

/**
 * A table run's reports in its report folder: summary.json, failed-ranges.csv (ranges with refused rows
 * too, so that --ranges-file retries them) and report.html.
 */
export async function writeRunReports(reportDir: string, summary: Summary, results: RunResults): Promise<void> {
  const { record, done } = results.ledger;
  await writeSummary(reportDir, summary);
  const refusedIn = results.ranges.flatMap((range) => {
    const refused = done.get(range)?.counts.rejected ?? 0;
    return refused > 0 ? [{ range, error: `${refused} rows refused by the target (rejected.csv)` }] : [];
  });
  await writeFailedRanges(reportDir, [...results.failed, ...refusedIn], record);
  const failures = new Map(results.failed.map((f) => [f.range, f.error]));
  await writeHtmlReport(reportDir, summary, results.ranges.map((range) => ({ range, checkpoint: done.get(range), error: failures.get(range) })));
}
