import { setFlagsFromString } from 'node:v8';
import { heapGrowthPercent } from '../config/run-options.js';
import type { JobOptions } from '../config/job-options.js';

/**
 * Sets this process's heap growth for the command (run-options.ts says why and what it measured). V8 reads
 * the flag at each full GC, so setting it once the job is known, before its work starts, takes effect.
 */
export function limitHeapGrowth(command: 'copy' | 'validate', options: JobOptions): void {
  const percent = heapGrowthPercent(command, options.write.writetime);
  if (percent !== undefined) setFlagsFromString(`--heap-growing-percent=${percent}`);
}
