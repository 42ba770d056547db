import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import type { Command } from './job-definition.js';

/**
 * How a command's heap is held. `growthPercent`: how far V8 may grow it past what its last full GC kept. V8
 * otherwise sets that limit at up to 4x the live heap of its last full GC, so the peak depended on when that
 * GC fell: 190 or 117 MB for the same 100,000-row preserve copy, 178 MB for validate's 1,000,000 rows against
 * 140 MB for 100,000, 199 MB for a 1,000,000-row copy with 2000-row pages. Validate at 100 (twice the live
 * heap): 134-142 and 141-152 MB (100,000 and 1,000,000 rows), 2% more CPU. A copy at 100 still peaked at 162 MB against 142 MB on
 * a tenth of the rows (the bench run of 2026-12-03 17:00); at 50, 146-147 against 139 MB, for about 10% more
 * of the tool's CPU. (With 100-row pages a copy promoted almost nothing, and V8's own growth suited it.)
 * Validate, merged, in slices of 100 and releasing spent pages: at 50, 152-156 against 126-141 MB (1,000,000
 * and 100,000 rows, 3 runs each); at 100, 160-174 against 141-142 MB.
 *
 * The young generation (`youngGenerationMb`, both semi-spaces; unset: V8's own, which grows to 32 MB). What
 * was left of validate's 10x-rows difference was where the old generation and the response frames happened
 * to stand at the peak (old space 43 against 34 MB, array buffers 18 against 14, sampled every 10 ms), not a
 * trend. Held at 8 MB, validate peaked at 118-124 MB on 1,000,000 rows and 112-114 MB on 100,000 (ratio
 * 1.04-1.11), against 133-144 and 125-135 MB with V8's own, for 6-13% more of the tool's CPU in the same time
 * (3 runs each, interleaved, 2026-12-05); at 4 MB, 113-117 MB for 18% more CPU; at 2 MB, 2.4x the CPU. A
 * copy holds its slices until the target has written them: at 8 MB it peaked at 119-125 against 142-155 MB
 * on 100,000 rows, for 8.8-11.3 user CPU s against 6.0-10.1, so it keeps V8's own.
 */
export const HEAP_LIMITS: Record<Command, { growthPercent: number; youngGenerationMb?: number }> = {
  copy: { growthPercent: 50 },
  validate: { growthPercent: 50, youngGenerationMb: 8 },
};

/** How often a job's young generation is looked at; see limitHeap for why that is often enough. */
const WATCH_MS = 10;

let watch: NodeJS.Timeout | undefined;

/**
 * No growth of the young generation until the command is known (limitHeap): loading the tool's modules alone
 * grows it to 16 MB, more than validate's limit. Called first by the process's entry.
 */
export function holdYoungGeneration(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}

/**
 * Fixes this process's heap for its command (HEAP_LIMITS says why and what it measured). V8 reads the heap
 * growth at each full collection, so setting it when a job starts, before its work, takes effect.
 *
 * V8 reads --max-semi-space-size only when the process starts, but --semi-space-growth-factor each time it
 * grows the young generation. So for a command with a young-generation limit the factor is set to reach the
 * limit in one growth, and to 1 once it is there, looking every WATCH_MS. V8 grows the young generation only
 * once more bytes have survived young collections since its last growth than it then holds: in a job, whose
 * rows die young, that takes many collections, far more than WATCH_MS apart. Without a limit, V8's own
 * growth (factor 2) comes back.
 */
export function limitHeap(command: Command): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_LIMITS[command].growthPercent}`);
  clearInterval(watch);
  const young = HEAP_LIMITS[command].youngGenerationMb;
  if (young === undefined) return setFlagsFromString('--semi-space-growth-factor=2');
  let factor: number | undefined;
  const look = () => {
    const next = Math.max(1, Math.floor(young / 2 / semiSpaceMb()));
    if (next !== factor) setFlagsFromString(`--semi-space-growth-factor=${next}`);
    factor = next;
  };
  look();
  watch = setInterval(look, WATCH_MS);
  watch.unref();
}

/** The node flags a worker process of `command` starts with: its young generation limit, set as V8 reads it at start. */
export function workerHeapFlags(command: Command): string[] {
  const young = HEAP_LIMITS[command].youngGenerationMb;
  return young === undefined ? [] : [`--max-semi-space-size=${young / 2}`];
}

/**
 * The size of one semi-space, which is what V8 multiplies by the growth factor. The young generation's size is
 * both semi-spaces, except before the first young collection, when only one is committed (1 MB, V8's least).
 */
const semiSpaceMb = (): number => Math.max(1, (getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0) / 2 / 1048576);
