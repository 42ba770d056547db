import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type cassandra from 'cassandra-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Summary } from '../../src/report/summary.js';
import { spawnCli } from '../support/cli.js';
import { clusterScript, restartDuring } from '../support/restart.js';
import { ASTRA_BUNDLE, GUARDED, guardedRole, MTLS, MTLS_CERTS, SOURCE, testClient } from '../support/clusters.js';
import { eventsTable, loadGeneratedTable } from '../support/generated-table.js';
import { dumpTable } from '../support/table-dump.js';

/**
 * The managed-style targets (through a Secure Connect Bundle and its SNI proxy, with a client certificate,
 * behind guardrails) have their node stopped for 20 s in the middle of a copy and started again: the copy
 * waits it out, exit 0, no failed range, every row exact.
 */
const KS = 'managed_restart';
const PARTITIONS = 100;
const ROWS_PER_PARTITION = 25;
const ROWS = PARTITIONS * ROWS_PER_PARTITION;
const DOWN_SECONDS = 20;
const TABLE = eventsTable(KS, PARTITIONS, ROWS_PER_PARTITION);
const cert = (name: string) => join(MTLS_CERTS, name);

let source: cassandra.Client;
beforeAll(async () => {
  source = await testClient('source');
  await loadGeneratedTable(source, TABLE, true);
});
afterAll(async () => {
  await source?.shutdown();
  // Whatever happened, the next test file finds the nodes (and the endpoint in front of mtls) up.
  await clusterScript('start', 'mtls', 'guarded', 'astra').catch(() => undefined);
});

const targets = [
  { name: 'through a Secure Connect Bundle (SNI proxy)', node: 'mtls' as const, args: async () => ({ args: ['--target-bundle', ASTRA_BUNDLE], env: {} }) },
  { name: 'with a client certificate', node: 'mtls' as const, args: async () => ({ args: ['--target', MTLS, '--target-ca', cert('ca.pem'), '--target-cert', cert('client.pem'), '--target-key', cert('client.key')], env: {} }) },
  {
    name: 'behind guardrails',
    node: 'guarded' as const,
    args: async (superuser: cassandra.Client) => ({ args: ['--target', GUARDED, '--target-user', 'migrator'], env: { MIGRATE_TARGET_PASSWORD: (await guardedRole(superuser)).password } }),
  },
];

describe.each(targets)('a target $name, its node restarted mid-copy', ({ node, args }) => {
  it(`copy waits out ${DOWN_SECONDS} s down: exit 0, no failed range, every row`, async () => {
    const target = await testClient(node);
    try {
      await loadGeneratedTable(target, TABLE, false);
      const { args: targetArgs, env } = await args(target);
      const stateDir = await mkdtemp(join(tmpdir(), `migrate-managed-restart-${node}-`));
      const run = spawnCli(['copy', '--source', SOURCE, ...targetArgs, '--keyspace', KS, '--table', 'events', '--state-dir', stateDir, '--quiet', '--json', '--run-id', 'copy', '--rate-limit', '250', '--concurrency', '4'], env);
      await restartDuring(run, join(stateDir, 'runs', 'copy'), node, DOWN_SECONDS);
      expect({ code: await run.code, err: run.err() }).toMatchObject({ code: 0 });
      const summary = JSON.parse(run.out()) as Summary;
      expect(summary).toMatchObject({ rangesFailed: 0, rowsRead: ROWS, rowsWritten: ROWS, errors: [] });
      const lines = run.err().trim().split('\n');
      expect(lines.filter((l) => l.startsWith('migrate: the target cluster fails requests ('))).toHaveLength(1);
      expect(lines.filter((l) => /^migrate: the target cluster answers again, after \d+ s$/.test(l))).toHaveLength(1);
      const values = (rows: Awaited<ReturnType<typeof dumpTable>>) => new Map([...rows].map(([key, cells]) => [key, Object.fromEntries(Object.entries(cells).map(([c, v]) => [c, v.value]))]));
      expect(values(await dumpTable(target, KS, 'events'))).toEqual(values(await dumpTable(source, KS, 'events')));
    } finally {
      await target.shutdown();
    }
  }, 180_000);
});
