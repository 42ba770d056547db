import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type cassandra from 'cassandra-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSampleSchema, loadSampleData } from '../../examples/sample-data.mjs';
import type { Summary } from '../../src/report/summary.js';
import { runCli } from '../support/cli.js';
import { dropKeyspace, LEGACY, TARGET, type TestCluster, testClient, V3 } from '../support/clusters.js';
import { blankCells, dumpTable, expectSameCells } from '../support/table-dump.js';

/**
 * Older sources into the 5.0 target, on Java 11 from scripts/cassandra.sh: Cassandra 4.1 (the migration
 * most users make) and 3.11 (the oldest they make). Neither can select the writetime or TTL of a non-frozen
 * collection or UDT, nor of their elements; everything else moves as from a 5.0 source. 3.11 cannot
 * DESCRIBE over CQL: migrate schema builds its CQL from system_schema.
 */
const TABLES = ['orders', 'profiles', 'page_views'] as const;
const SOURCES = [
  { name: 'Cassandra 4.1', cluster: 'legacy' as TestCluster, at: LEGACY, ks: 'from_legacy', version: /^4\.1\./ },
  { name: 'Cassandra 3.11', cluster: 'v3' as TestCluster, at: V3, ks: 'from_v3', version: /^3\.11\./ },
];

describe.each(SOURCES)('a $name source', ({ name, cluster, at: sourceAt, ks: KS, version: expectedVersion }) => {
  let legacy: cassandra.Client;
  let target: cassandra.Client;
  let releaseVersion: string;

  const job = (command: 'copy' | 'validate', table: string, stateDir: string, extra: string[] = []) => [
    command, '--source', sourceAt, '--target', TARGET, '--keyspace', KS, '--table', table, '--state-dir', stateDir, '--quiet', '--json', ...extra,
  ];

  async function run(command: 'copy' | 'validate', table: string, stateDir: string, extra: string[] = []): Promise<{ code: number; summary: Summary; err: string }> {
    const result = await runCli(job(command, table, stateDir, extra));
    return { code: result.code, summary: result.out ? (JSON.parse(result.out) as Summary) : ({} as Summary), err: result.err };
  }

  async function freshTarget(): Promise<void> {
    await dropKeyspace(target, KS);
    await createSampleSchema(target, KS, 1, { vectors: false });
  }

  const dump = (client: cassandra.Client, table: string) => dumpTable(client, KS, table, { multiCellTimes: client === target });

  beforeAll(async () => {
    legacy = await testClient(cluster);
    target = await testClient('target');
    releaseVersion = (await legacy.execute('SELECT release_version FROM system.local')).first()?.get('release_version') as string;
    expect(releaseVersion).toMatch(expectedVersion);
    await dropKeyspace(legacy, KS);
    // Vectors came with 5.0: the sample schema without its vector column, on both sides.
    await createSampleSchema(legacy, KS, 1, { vectors: false });
    await loadSampleData(legacy, { keyspace: KS, scale: 2, vectors: false });
  });

  afterAll(async () => {
    await legacy?.shutdown();
    await target?.shutdown();
  });

  describe(`${name} into 5.0`, () => {
    it('copy (job-start) and validate every sample table: exit 0, no difference, every value equal', async () => {
      await freshTarget();
      const stateDir = await mkdtemp(join(tmpdir(), 'migrate-legacy-'));
      for (const table of TABLES) {
        const copied = await run('copy', table, stateDir);
        expect({ table, code: copied.code, err: copied.err, failed: copied.summary.rangesFailed }).toEqual({ table, code: 0, err: '', failed: 0 });
        const validated = await run('validate', table, stateDir);
        expect({ table, code: validated.code, missing: validated.summary.missing, mismatched: validated.summary.mismatched, extra: validated.summary.extra }).toEqual({
          table, code: 0, missing: 0, mismatched: 0, extra: 0,
        });
        expect(validated.summary.rowsCompared).toBe(copied.summary.rowsRead);
        const valuesOnly = { writetime: null, ttl: null };
        expectSameCells(blankCells(await dump(legacy, table), valuesOnly), blankCells(await dump(target, table), valuesOnly));
      }
    });

    it('copy --writetime preserve: every cell the source can time keeps its writetime and TTL; the summary says what it cannot', async () => {
      await freshTarget();
      const stateDir = await mkdtemp(join(tmpdir(), 'migrate-legacy-preserve-'));
      const notes: string[] = [];
      for (const table of TABLES) {
        const copied = await run('copy', table, stateDir, ['--writetime', 'preserve', '--live-since', 'none']);
        expect({ table, code: copied.code, err: copied.err }).toEqual({ table, code: 0, err: '' });
        notes.push(...copied.summary.notes);
      }
      // orders holds no non-frozen collection: every cell, its writetime and TTL, as on the source
      expectSameCells(await dump(legacy, 'orders'), await dump(target, 'orders'));
      // profiles: values all equal; frozen collections keep their writetimes (the dump leaves out what the
      // source cannot read, and the target's own per-element times)
      const sourceProfiles = await dump(legacy, 'profiles');
      const targetProfiles = await dump(target, 'profiles');
      expectSameCells(sourceProfiles, blankMultiCell(targetProfiles, sourceProfiles));
      expect(notes).toContain(
        `the source (Cassandra ${releaseVersion}) cannot read per-element writetimes of non-frozen collections and UDTs: they were written with the row's newest readable writetime`,
      );
      expect(notes.some((n) => n.startsWith(`TTLs of non-frozen collection and UDT elements cannot be read from Cassandra ${releaseVersion}`))).toBe(true);
    });
  });

  describe(`a ${name} keyspace through migrate schema into 5.0`, () => {
    it('schema --apply creates it on the 5.0 target, then copy and validate of the whole keyspace exit 0', async () => {
      const into = `${KS}_schema`;
      await dropKeyspace(target, into);
      const applied = await runCli(['schema', '--source', sourceAt, '--target', TARGET, '--keyspace', KS, '--target-keyspace', into, '--apply']);
      expect({ code: applied.code, err: applied.err }).toEqual({ code: 0, err: '' });
      expect(applied.out).toMatch(new RegExp(`^CREATE MATERIALIZED VIEW ${into}\\.users_by_email AS`, 'm'));
      const stateDir = await mkdtemp(join(tmpdir(), 'migrate-legacy-keyspace-'));
      const keyspace = (command: string) => [command, '--source', sourceAt, '--target', TARGET, '--keyspace', KS, '--target-keyspace', into, '--state-dir', stateDir, '--quiet', '--json'];
      const copied = await runCli(keyspace('copy'));
      expect({ code: copied.code, err: copied.err }).toEqual({ code: 0, err: '' });
      const validated = await runCli(keyspace('validate'));
      expect({ code: validated.code, err: validated.err }).toEqual({ code: 0, err: '' });
      expect(Object.keys(JSON.parse(validated.out).tables)).toEqual(['audit', 'orders', 'page_views', 'profiles', 'users']);
      const valuesOnly = { writetime: null, ttl: null };
      for (const table of ['audit', 'orders', 'page_views', 'profiles', 'users']) {
        expectSameCells(blankCells(await dumpTable(legacy, KS, table, { multiCellTimes: false }), valuesOnly), blankCells(await dumpTable(target, into, table), valuesOnly));
      }
    });
  });

});

/** The target's writetime and TTL of the cells the source's dump could not time (null there), nulled too. */
function blankMultiCell(targetRows: Awaited<ReturnType<typeof dumpTable>>, sourceRows: Awaited<ReturnType<typeof dumpTable>>) {
  return new Map(
    [...targetRows].map(([key, cells]) => [
      key,
      Object.fromEntries(Object.entries(cells).map(([column, cell]) => {
        const untimed = sourceRows.get(key)?.[column]?.writetime === null && sourceRows.get(key)?.[column]?.ttl === null && sourceRows.get(key)?.[column]?.value !== null;
        return [column, untimed ? { ...cell, writetime: null, ttl: null } : cell];
      })),
    ]),
  );
}
