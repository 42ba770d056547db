import { messageOf } from '../errors.js';
import type { FailedRange } from '../report/failed-ranges.js';
import { RowTally } from '../report/summary.js';
import type { RunLedger } from '../state/ledger.js';
import type { RangeRunner } from './range-runner.js';

/** What the scheduler tells as it goes: the pipeline's progress, metrics and policies listen. */
export interface ScheduleEvents {
  /** A range began; `counts` grows while it runs (progress reads it live). */
  started(counts: RowTally): void;
  /** A range finished and was recorded (`recorded` false: another worker took it over; its result stands). */
  finished(range: string, counts: RowTally, notes: string[], recorded: boolean): void;
  failed(failure: FailedRange): void;
  /** A range ended either way. */
  ended(counts: RowTally): void;
}

/**
 * Runs the ranges: `concurrency` loops each take the next range from the ledger (a shared run's ledger hands
 * out the ranges no other worker holds, and waits while others hold the rest) until none is left or the
 * signal aborts. A failed range is given back to the ledger with its error; it is done again from its start.
 */
export async function runRanges(ledger: RunLedger, runner: RangeRunner, todo: readonly string[], concurrency: number, signal: AbortSignal, events: ScheduleEvents): Promise<void> {
  const loop = async (): Promise<void> => {
    for (let id = await ledger.next(todo, signal); id !== undefined && !signal.aborted; id = await ledger.next(todo, signal)) {
      const counts = new RowTally();
      events.started(counts);
      try {
        const started = Date.now();
        const notes = await runner.run(id, counts);
        const recorded = await ledger.recordDone({ range: id, counts: { ...counts }, finishedAt: new Date().toISOString(), seconds: (Date.now() - started) / 1000 });
        events.finished(id, counts, notes, recorded);
      } catch (error) {
        if (!signal.aborted) {
          const failure = { range: id, error: messageOf(error).split('\n')[0] as string };
          events.failed(failure);
          await ledger.recordFailed(id, failure.error).catch(() => undefined);
        }
      } finally {
        events.ended(counts);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, todo.length)) }, loop));
}
