import { processThrottles } from '../connect/throttles.js';
import { parseRangeId } from '../ring/token-range.js';
import type { RowTally } from '../report/summary.js';
import type { JobContext, JobDefinition } from './job-definition.js';

/** Runs the ranges this process holds: here (one process), or on worker processes (`--workers`). */
export interface RangeRunner {
  /** Works through one range, adding to `counts` as it goes; resolves with the notes the range made. */
  run(range: string, counts: RowTally): Promise<string[]>;
  /** Requests in flight to either cluster now. */
  inFlight(): number;
  /** The in-flight window now (--max-latency moves it). */
  window(): number;
  close(): Promise<void>;
}

/** The job's range worker in this process: it writes its notes straight into the run's. */
export async function inProcess(definition: JobDefinition, ctx: JobContext): Promise<RangeRunner> {
  const worker = await definition.prepare(ctx);
  return {
    run: async (range, counts) => {
      await worker(parseRangeId(range), counts);
      counts.throttled += processThrottles.take();
      return [];
    },
    inFlight: () => ctx.inFlight.activeCount,
    window: () => ctx.inFlight.concurrency,
    close: async () => {
      await definition.finish?.(ctx);
    },
  };
}
