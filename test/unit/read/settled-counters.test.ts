import { describe, expect, it } from 'vitest';
import type { PointReader } from '../../../src/read/point-reader.js';
import { readSettledCounters } from '../../../src/read/settled-counters.js';
import { buildReadPlan, type RawRow } from '../../../src/read/select.js';
import { counterStatement } from '../../../src/write/counters.js';
import { big, schemaOf, text } from '../../support/schemas.js';
import { TargetTable } from '../../../src/schema/target-table.js';

const schema = schemaOf([
  ['page', 'partition_key', 'text', 0],
  ['views', 'regular', 'counter'],
]);
const plan = buildReadPlan(schema, { writetimes: false, ttls: false });
const counter = (views: bigint): RawRow => [text('/p'), big(views)];
const table = new TargetTable('ks', 'pv', new Map<string, string>());

/** A counter whose value on each cluster moves when the script says: reads return the values in turn. */
function readers(source: bigint[], target: bigint[]) {
  const serve = (values: bigint[]) => ({ read: async () => counter(values.length > 1 ? (values.shift() as bigint) : (values[0] as bigint)) }) as unknown as PointReader;
  return { source: serve(source), target: serve(target) };
}

describe('readSettledCounters', () => {
  it('a counter incremented between the reads: the delta is taken only once both reads of the source agree', async () => {
    // Scan saw 10. The proxy's increment (+1) reaches the target before our first target read (11) and the
    // source after it: the source reads 11 next, so that bracket is refused. The next bracket is quiet.
    const settled = await readSettledCounters(plan, readers([11n, 11n], [11n, 11n]), [text('/p')], false, counter(10n));
    expect(settled).toEqual({ source: counter(11n), target: counter(11n) });
    // Source 11, target 11: nothing to add, so the increment is neither lost nor doubled.
    expect(counterStatement(schema, plan, table, settled!.source!, settled!.target, false)).toBeNull();
  });

  it('a quiet counter settles at once, and the difference is added', async () => {
    const settled = await readSettledCounters(plan, readers([10n], [4n]), [text('/p')], false, counter(10n));
    expect(counterStatement(schema, plan, table, settled!.source!, settled!.target, false)?.params).toEqual([big(6n), text('/p')]);
  });

  it('a counter that never holds still is reported (null), never guessed', async () => {
    const settled = await readSettledCounters(plan, readers([11n, 12n, 13n, 14n, 15n, 16n], [1n]), [text('/p')], false, counter(10n));
    expect(settled).toBeNull();
  });
});
