import { setFlagsFromString } from 'node:v8';
import { HEAP_GROWTH_PERCENT } from '../config/run-options.js';

/**
 * Fixes this process's heap growth for the command (run-options.ts says why and what it measured). V8 reads
 * the flag at each full GC, so setting it when a job starts, before its work, takes effect.
 */
export function limitHeapGrowth(command: keyof typeof HEAP_GROWTH_PERCENT): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWTH_PERCENT[command]}`);
}
