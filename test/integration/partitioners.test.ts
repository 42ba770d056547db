import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import cassandra from 'cassandra-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Summary } from '../../src/report/summary.js';
import { runCli, spawnCli } from '../support/cli.js';
import { RANDOM, SOURCE, TARGET, type TestCluster, testClient } from '../support/clusters.js';
import { blankCells, dumpTable, expectSameCells } from '../support/table-dump.js';

/**
 * A Cassandra 5.0 node with RandomPartitioner (scripts/cassandra.sh start random) as the target of a Murmur3
 * source and as the source of a Murmur3 target: the sample keyspace is copied both ways, and validated
 * across partitioners (the target read once and filed by source range) with damage injected on both sides:
 * exact counts, autocorrect and delete-extra leave nothing but the newer live write, and a plain read of
 * both clusters agrees.
 */
const TABLES = ['audit', 'orders', 'page_views', 'profiles', 'users'];
const DAY = 86_400_000_000n;
const nowMicros = () => BigInt(Date.now()) * 1000n;
const clients: Partial<Record<TestCluster, cassandra.Client>> = {};
const client = (c: TestCluster) => clients[c] as cassandra.Client;

beforeAll(async () => {
  for (const c of ['source', 'target', 'random'] as const) clients[c] = await testClient(c);
});
afterAll(async () => {
  for (const c of Object.values(clients)) await c?.shutdown();
});

const exec = (c: cassandra.Client, query: string, params: unknown[] = []) => c.execute(query, params, { prepare: true });
const summaryOf = (out: string) => JSON.parse(out) as Summary & { tables: Record<string, { exitCode: number; summary?: Summary }> };
const counts = (s: Summary) => ({ missing: s.missing, mismatched: s.mismatched, extra: s.extra, targetNewer: s.targetNewer });

const directions = [
  { name: 'Murmur3 -> Random', from: 'source', to: 'random', fromAt: SOURCE, toAt: RANDOM, ks: 'parts_m2r' },
  { name: 'Random -> Murmur3', from: 'random', to: 'target', fromAt: RANDOM, toAt: TARGET, ks: 'parts_r2m' },
] as const;

describe.each(directions)('$name', ({ from, to, fromAt, toAt, ks }) => {
  let stateDir: string;
  const migrate = async (command: string, extra: string[]) => {
    const run = await runCli([command, '--source', fromAt, '--target', toAt, '--keyspace', ks, '--state-dir', stateDir, '--quiet', '--json', ...extra]);
    return { ...run, summary: run.out ? summaryOf(run.out) : (undefined as never) };
  };

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), `migrate-${ks}-`));
    const { createSampleSchema, loadSampleData } = await import('../../examples/sample-data.mjs');
    for (const c of [from, to]) {
      await client(c).execute(`DROP KEYSPACE IF EXISTS ${ks}`, [], { readTimeout: 120_000 });
      await createSampleSchema(client(c), ks, 1);
    }
    await loadSampleData(client(from), { keyspace: ks, scale: 1 });
  });

  it('copies the sample keyspace exactly (values and writetimes), then validates every table equal', async () => {
    const copied = await migrate('copy', ['--writetime', 'preserve']);
    expect({ code: copied.code, err: copied.err }).toEqual({ code: 0, err: '' });
    for (const table of TABLES) {
      const ignoreTtl = { ttl: null };
      expectSameCells(blankCells(await dumpTable(client(from), ks, table), ignoreTtl), blankCells(await dumpTable(client(to), ks, table), ignoreTtl));
    }
    const validated = await migrate('validate', []);
    expect({ code: validated.code, err: validated.err }).toEqual({ code: 0, err: '' });
    for (const table of TABLES) expect({ table, ...counts(validated.summary.tables[table]?.summary as Summary) }).toEqual({ table, missing: 0, mismatched: 0, extra: 0, targetNewer: 0 });
  });

  it('finds injected damage exactly, survives kill -9 and --resume with every difference once, and corrects it', async () => {
    const old = (nowMicros() - 20n * DAY).toString();
    for (let id = 10_000; id < 10_003; id++) await exec(client(from), `INSERT INTO ${ks}.profiles (id, tags) VALUES (?, {'old'}) USING TIMESTAMP ?`, [id, old]);
    for (const id of [20, 21]) await exec(client(from), `UPDATE ${ks}.profiles SET tags = tags + {'new'} WHERE id = ?`, [id]);
    for (let id = 20_000; id < 20_002; id++) await exec(client(to), `INSERT INTO ${ks}.profiles (id, tags) VALUES (?, {'stray'}) USING TIMESTAMP ?`, [id, old]);
    await exec(client(to), `UPDATE ${ks}.profiles USING TIMESTAMP ? SET attrs = attrs + {'proxy': 1} WHERE id = 30`, [nowMicros().toString()]);

    const table = ['--table', 'profiles'];
    const found = await migrate('validate', table);
    expect({ code: found.code, ...counts(found.summary) }).toEqual({ code: 1, missing: 3, mismatched: 3, extra: 2, targetNewer: 1 });
    const csvOf = async (runId: string) => (await readFile(join(stateDir, 'runs', runId, 'differences.csv'), 'utf8')).trim().split('\n').slice(1).map((l) => l.split(','));
    // compared across partitioners: the target was filed by source range in the run's folder, dropped once every range was compared
    expect(found.err).toBe('');
    expect(existsSync(join(stateDir, 'runs', found.summary.runId))).toBe(true);
    expect(existsSync(join(stateDir, 'runs', found.summary.runId, 'target-buckets'))).toBe(false);
    const expected = (await csvOf(found.summary.runId)).map((l) => `${l[0]} ${l[1]}`).sort();
    expect(expected).toEqual(['extra 20000', 'extra 20001', 'mismatched 20', 'mismatched 21', 'mismatched 30', 'missing 10000', 'missing 10001', 'missing 10002']);

    // kill -9 in the middle of the comparison, then --resume: every difference once
    const args = ['validate', '--source', fromAt, '--target', toAt, '--keyspace', ks, ...table, '--state-dir', stateDir, '--quiet', '--run-id', 'killed', '--splits', '64'];
    const first = spawnCli([...args, '--rate-limit', '300', '--concurrency', '1']);
    const checkpoints = join(stateDir, 'runs', 'killed', 'ranges.jsonl');
    for (let i = 0; i < 600 && !existsSync(checkpoints); i++) await sleep(50);
    first.kill('SIGKILL');
    await first.code;
    const finishedBeforeKill = (await readFile(checkpoints, 'utf8')).trim().split('\n').length;
    expect(finishedBeforeKill).toBeLessThan(64);
    expect(existsSync(join(stateDir, 'runs', 'killed', 'target-buckets', 'complete'))).toBe(true);
    const resumed = spawnCli([...args.filter((a) => a !== '--run-id' && a !== 'killed'), '--resume', 'killed', '--json']);
    expect(await resumed.code).toBe(1);
    expect(counts(JSON.parse(resumed.out()) as Summary)).toEqual({ missing: 3, mismatched: 3, extra: 2, targetNewer: 1 });
    expect((await csvOf('killed')).map((l) => `${l[0]} ${l[1]}`).sort()).toEqual(expected);

    const fixed = await migrate('validate', [...table, '--autocorrect', '--delete-extra']);
    expect({ code: fixed.code, corrected: fixed.summary.corrected, deleted: fixed.summary.deleted }).toEqual({ code: 0, corrected: 5, deleted: 2 });
    const again = await migrate('validate', []);
    expect(again.code).toBe(0);
    for (const t of TABLES) {
      const newer = t === 'profiles' ? 1 : 0;
      expect({ t, ...counts(again.summary.tables[t]?.summary as Summary) }).toEqual({ t, missing: 0, mismatched: newer, extra: 0, targetNewer: newer });
    }
    // An independent read: every value agrees, but for the newer live write, which the target keeps.
    const values = { writetime: null, ttl: null };
    const [source, target] = [blankCells(await dumpTable(client(from), ks, 'profiles'), values), blankCells(await dumpTable(client(to), ks, 'profiles'), values)];
    expect((target.get('[30]')?.attrs?.value as [string, number][]).find(([k]) => k === 'proxy')).toEqual(['proxy', 1]);
    source.delete('[30]');
    target.delete('[30]');
    expectSameCells(source, target);
  }, 240_000);

  it('across partitioners, a run shared through the target ledger is refused before anything is written', async () => {
    const run = await runCli(['validate', '--source', fromAt, '--target', toAt, '--keyspace', ks, '--table', 'users', '--state', 'cassandra', '--quiet']);
    expect({ code: run.code, err: run.err }).toEqual({
      code: 2,
      err: "migrate: the source and target hash keys differently, so validate files the target's rows by source range in the local run folder: run it with a local --state-dir (a run shared through --state cassandra is not supported across partitioners)",
    });
  });
});
