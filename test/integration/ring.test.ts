import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type cassandra from 'cassandra-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSampleData, sampleCounts } from '../../examples/sample-data.mjs';
import { Session } from '../../src/connect/session.js';
import { planRanges, readRingTokens } from '../../src/ring/read-ring.js';
import { checkCoverage, MAX_TOKEN, MIN_TOKEN, ringRanges } from '../../src/ring/token-range.js';
import { runCli } from '../support/cli.js';
import { freshSampleSchema, RING, RING_CREDENTIALS, SESSION_DEFAULTS, TARGET, testClient } from '../support/clusters.js';
import { dumpTable, expectSameCells } from '../support/table-dump.js';

const KS = 'ring_sample';

describe('a real ring of 3 nodes x 16 vnodes', () => {
  let ring: cassandra.Client;
  let target: cassandra.Client;
  let session: Session;
  beforeAll(async () => {
    ring = await testClient('ring');
    target = await testClient('target');
    await freshSampleSchema(ring, KS, 2);
    await freshSampleSchema(target, KS);
    await loadSampleData(ring, { keyspace: KS, scale: 2 });
    session = await Session.open({ side: 'source', contactPoints: RING, ...RING_CREDENTIALS, ...SESSION_DEFAULTS });
  });
  afterAll(async () => {
    await session?.close();
    await ring?.shutdown();
    await target?.shutdown();
  });

  it('has 48 tokens, and the work units cover every token once without crossing a node boundary', async () => {
    const { tokens, nodes } = await readRingTokens(session);
    expect(nodes).toBe(3);
    expect(new Set(tokens).size).toBe(48);
    const units = checkCoverage(await planRanges(session, KS, 'orders', undefined));
    expect(units[0]?.start).toBe(MIN_TOKEN);
    expect(units.at(-1)?.end).toBe(MAX_TOKEN);
    expect(units.length).toBeGreaterThanOrEqual(ringRanges(tokens).length);
    const unitEnds = new Set(units.map((u) => u.end));
    for (const token of tokens) expect(unitEnds.has(token)).toBe(true);
  });

  it('routes each range query to a replica of the range', () => {
    for (const token of [-9000000000000000000n, 0n, 9000000000000000000n]) {
      const replicas = session.replicasOf(KS, token);
      expect(new Set(replicas).size).toBe(2);
    }
  });

  it('copies every row of a table spread over the ring, exactly', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'migrate-ring-'));
    for (const table of ['orders', 'profiles', 'page_views']) {
      const run = await runCli(
        ['copy', '--source', RING, '--source-user', 'cassandra', '--target', TARGET, '--keyspace', KS, '--table', table, '--writetime', 'preserve', '--live-since', 'none', '--state-dir', stateDir, '--quiet', '--splits', '100'],
        { MIGRATE_SOURCE_PASSWORD: RING_CREDENTIALS.password },
      );
      expect({ table, code: run.code, err: run.err }).toEqual({ table, code: 0, err: '' });
      const [from, to] = await Promise.all([dumpTable(ring, KS, table), dumpTable(target, KS, table)]);
      expectSameCells(from, to);
    }
    expect((await dumpTable(target, KS, 'orders')).size).toBe(sampleCounts(2).orders + 1);
  });

  it('a cluster that requires a password: a wrong or missing one exits 6 naming the flag and the variable', async () => {
    const args = ['copy', '--source', RING, '--target', TARGET, '--keyspace', KS, '--table', 'orders', '--target-keyspace', 'no_such_keyspace', '--quiet'];
    const wrong = await runCli([...args, '--source-user', 'cassandra'], { MIGRATE_SOURCE_PASSWORD: 'not-the-password' });
    expect(wrong.code).toBe(6);
    expect(wrong.err).toMatch(/^migrate: cannot connect to the source cluster at 127\.0\.0\.11:21042: .*; check --source-user and MIGRATE_SOURCE_PASSWORD$/);
    expect(wrong.err).not.toContain('not-the-password');
    const missing = await runCli(args, {});
    expect(missing.code).toBe(6);
    expect(missing.err).toMatch(/check --source-user and MIGRATE_SOURCE_PASSWORD$/);
  });
});
