import type cassandra from 'cassandra-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Session } from '../../src/connect/session.js';
import { readRange } from '../../src/read/range-reader.js';
import { buildReadPlan, type RawRow } from '../../src/read/select.js';
import { MAX_TOKEN, MIN_TOKEN } from '../../src/ring/token-range.js';
import { readTableSchema } from '../../src/schema/read-schema.js';
import { freshKeyspaceWith, SESSION_DEFAULTS, SOURCE, testClient } from '../support/clusters.js';

const KS = 'range_reader';
const ROWS = 300;
// 1000-byte values: a 100-row page is a frame of about 100 KB, more than one socket read, so it is
// assembled into memory of its own, which is what a released page gives back.
const valueOf = (ck: number) => `${String(ck).padStart(4, '0')}:${'x'.repeat(995)}`;
const WHOLE_RING = { start: MIN_TOKEN, end: MAX_TOKEN };

describe('range reads against a real node', () => {
  let client: cassandra.Client;
  let session: Session;
  beforeAll(async () => {
    client = await testClient('source');
    await freshKeyspaceWith([client], KS, ['rows (pk int, ck int, v text, PRIMARY KEY (pk, ck))']);
    for (let ck = 0; ck < ROWS; ck++) await client.execute(`INSERT INTO ${KS}.rows (pk, ck, v) VALUES (1, ?, ?)`, [ck, valueOf(ck)], { prepare: true });
    session = await Session.open({ side: 'source', contactPoints: SOURCE, ...SESSION_DEFAULTS });
  });
  afterAll(async () => {
    await session?.close();
    await client?.shutdown();
  });

  /** Reads the table in 100-row pages of 40-row slices; returns each slice's values as read, and the slices. */
  async function readAll(releaseSpent: boolean): Promise<{ seen: string[]; slices: RawRow[][]; valueSlot: number }> {
    const plan = buildReadPlan(await readTableSchema(session, KS, 'rows'), { writetimes: false, ttls: false });
    const valueSlot = plan.cells[0]?.value as number;
    const seen: string[] = [];
    const slices: RawRow[][] = [];
    for await (const slice of readRange(session, plan, WHOLE_RING, { keyspace: KS, pageSize: 100, sliceRows: 40, prefetch: false, releaseSpent })) {
      for (const row of slice) seen.push((row[valueSlot] as Buffer).toString('utf8'));
      slices.push(slice);
    }
    return { seen, slices, valueSlot };
  }

  const expected = Array.from({ length: ROWS }, (_, ck) => valueOf(ck));

  it('hands out every row intact, and releases each page once the slice after its last is asked for', async () => {
    const { seen, slices, valueSlot } = await readAll(true);
    expect(seen).toEqual(expected);
    // Three pages of 100 rows, each in slices of 40, 40 and 20: every cell of every page now reads as empty,
    // although a released page's memory holds the next page's frame (frame-pool.ts), not its bytes.
    expect(slices.map((slice) => slice.length)).toEqual([40, 40, 20, 40, 40, 20, 40, 40, 20]);
    expect(slices.flat().filter((row) => (row[valueSlot] as Buffer).length > 0).length).toBe(0);
  });

  it('keeps every page whole without releaseSpent (the copy holds rows until the target has them)', async () => {
    const { seen, slices, valueSlot } = await readAll(false);
    expect(seen).toEqual(expected);
    expect(slices.flat().map((row) => (row[valueSlot] as Buffer).toString('utf8'))).toEqual(expected);
  });
});
