import { setTimeout as sleep } from 'node:timers/promises';
import type { PointReader } from './point-reader.js';
import type { RawRow, ReadPlan } from './select.js';

/** A counter row read from both sides at a moment when neither moved. */
export interface SettledCounters {
  source: RawRow | null;
  target: RawRow | null;
}

const ATTEMPTS = 5;

/**
 * Reads a counter row from the target between two reads of the source, until the source reads agree: then
 * no increment reached the source while the target was read, and an increment the proxy sent to both is
 * either in both values or in neither, so the difference neither loses nor doubles it. `first` is the
 * source row already in hand (from the range scan). Null when the counter kept moving: it is reported,
 * never guessed.
 */
export async function readSettledCounters(
  plan: ReadPlan,
  readers: { source: PointReader; target: PointReader },
  keys: Buffer[],
  partitionOnly: boolean,
  first: RawRow | null,
): Promise<SettledCounters | null> {
  let before = first;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const target = await readers.target.read(keys, partitionOnly);
    const after = await readers.source.read(keys, partitionOnly);
    if (sameCounters(plan, before, after)) return { source: after, target };
    before = after;
    await sleep(20 * attempt);
  }
  return null;
}

function sameCounters(plan: ReadPlan, a: RawRow | null, b: RawRow | null): boolean {
  if (a === null || b === null) return a === b;
  return plan.cells.every(({ value }) => {
    const x = a[value] ?? null;
    const y = b[value] ?? null;
    return x === null || y === null ? x === y : x.equals(y);
  });
}
