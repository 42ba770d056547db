import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type cassandra from 'cassandra-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Summary } from '../../src/report/summary.js';
import { jobArgs, spawnCli } from '../support/cli.js';
import { clusterScript, restartDuring } from '../support/restart.js';
import { clientsForFile } from '../support/file-clients.js';
import { eventsTable, loadGeneratedTable } from '../support/generated-table.js';
import { dumpTable } from '../support/table-dump.js';

/**
 * A node of the source or the target is stopped for 30 s in the middle of a run and started again, as a
 * rolling restart or a short outage does. The run must wait it out: exit 0, no failed range, exact data.
 */
const KS = 'outage';
const PARTITIONS = 200;
const ROWS_PER_PARTITION = 25;
const ROWS = PARTITIONS * ROWS_PER_PARTITION;
const DOWN_SECONDS = 30;

// Opened before the hooks below run, closed after the file's tests.
const clients = clientsForFile();
let source: cassandra.Client;
let target: cassandra.Client;

const TABLE = eventsTable(KS, PARTITIONS, ROWS_PER_PARTITION);

/** Exactly one warning when the outage began and one when it ended, and no stream of Node warnings. */
function expectOneOutage(err: string, cluster: 'source' | 'target'): void {
  const lines = err.trim().split('\n');
  expect(lines.filter((l) => l.startsWith(`migrate: the ${cluster} cluster fails requests (`))).toHaveLength(1);
  expect(lines.filter((l) => new RegExp(`^migrate: the ${cluster} cluster answers again, after \\d+ s$`).test(l))).toHaveLength(1);
  expect(err).not.toMatch(/MaxListenersExceeded|Warning/);
}

const values = (rows: Awaited<ReturnType<typeof dumpTable>>) => new Map([...rows].map(([key, cells]) => [key, Object.fromEntries(Object.entries(cells).map(([c, v]) => [c, v.value]))]));

beforeAll(async () => {
  source = clients.source();
  target = clients.target();
  await loadGeneratedTable(source, TABLE, true);
});

afterAll(async () => {
  // Whatever happened, the next test file finds both clusters up.
  await clusterScript('start', 'source').catch(() => undefined);
  await clusterScript('start', 'target').catch(() => undefined);
});

describe('a node restart in the middle of a run', () => {
  for (const cluster of ['target', 'source'] as const) {
    it(`copy waits out the ${cluster} node being down for ${DOWN_SECONDS} s: exit 0, no failed range, every row`, async () => {
      await loadGeneratedTable(target, TABLE, false);
      const stateDir = await mkdtemp(join(tmpdir(), `migrate-outage-${cluster}-`));
      const run = spawnCli(['copy', ...jobArgs(KS, 'events', stateDir, ['--run-id', 'copy', '--json', '--rate-limit', '250', '--concurrency', '4'])]);
      await restartDuring(run, join(stateDir, 'runs', 'copy'), cluster, DOWN_SECONDS);
      expect({ code: await run.code, err: run.err() }).toMatchObject({ code: 0 });
      const summary = JSON.parse(run.out()) as Summary;
      expect(summary).toMatchObject({ rangesFailed: 0, rowsRead: ROWS, rowsWritten: ROWS, errors: [] });
      expect(summary.rangesDone).toBe(summary.rangesTotal);
      expectOneOutage(run.err(), cluster);
      expect(values(await dumpTable(target, KS, 'events'))).toEqual(values(await dumpTable(source, KS, 'events')));
    });
  }

  it(`validate --autocorrect waits out the target node being down for ${DOWN_SECONDS} s and corrects every missing row`, async () => {
    // An empty target: every row is missing, and every correction is a write during or after the outage.
    await loadGeneratedTable(target, TABLE, false);
    const stateDir = await mkdtemp(join(tmpdir(), 'migrate-outage-validate-'));
    const run = spawnCli(['validate', ...jobArgs(KS, 'events', stateDir, ['--run-id', 'validate', '--json', '--autocorrect', '--rate-limit', '500', '--concurrency', '4'])]);
    await restartDuring(run, join(stateDir, 'runs', 'validate'), 'target', DOWN_SECONDS);
    expect({ code: await run.code, err: run.err() }).toMatchObject({ code: 0 });
    const summary = JSON.parse(run.out()) as Summary;
    expect(summary).toMatchObject({ rangesFailed: 0, rowsCompared: ROWS, missing: ROWS, mismatched: 0, extra: 0, corrected: ROWS, errors: [] });
    expectOneOutage(run.err(), 'target');
    expect(values(await dumpTable(target, KS, 'events'))).toEqual(values(await dumpTable(source, KS, 'events')));
  });
});
