import { setFlagsFromString } from 'node:v8';
import { heapGrowthPercent } from '../config/run-options.js';
import type { JobOptions } from '../config/job-options.js';

/**
 * Sets this process's heap growth for the command and the tables it runs (a keyspace job's entries may each
 * choose their writetime mode): fixed when any of them wants it (run-options.ts says why and what it
 * measured). V8 reads the flag at each full GC, so setting it once the job is known, before its work
 * starts, takes effect.
 */
export function limitHeapGrowth(command: 'copy' | 'validate', tables: Iterable<JobOptions>): void {
  const percents = [...tables].map((options) => heapGrowthPercent(command, options.write.writetime)).filter((p) => p !== undefined);
  if (percents.length > 0) setFlagsFromString(`--heap-growing-percent=${Math.min(...percents)}`);
}
