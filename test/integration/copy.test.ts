import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type cassandra from 'cassandra-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleCounts } from '../../examples/sample-data.mjs';
import type { Summary } from '../../src/report/summary.js';
import { jobArgs, runCli } from '../support/cli.js';
import { freshSampleKeyspace, freshSampleSchema, REPO_ROOT, testClient } from '../support/clusters.js';
import { blankCells, dumpTable, expectSameCells } from '../support/table-dump.js';

const KS = 'copy_sample';
const SCALE = 5;
const TABLES = ['orders', 'profiles', 'page_views'] as const;

let source: cassandra.Client;
let target: cassandra.Client;
let stateDir: string;

async function copy(table: string, extra: string[] = []): Promise<{ code: number; summary: Summary; err: string }> {
  const run = await runCli(['copy', ...jobArgs(KS, table, stateDir, ['--json', ...extra])]);
  return { code: run.code, summary: run.out ? (JSON.parse(run.out) as Summary) : ({} as Summary), err: run.err };
}

beforeAll(async () => {
  source = await testClient('source');
  target = await testClient('target');
  await freshSampleKeyspace(source, target, KS, SCALE);
  stateDir = await mkdtemp(join(tmpdir(), 'migrate-copy-'));
});

afterAll(async () => {
  await source?.shutdown();
  await target?.shutdown();
});

describe('migrate copy --writetime preserve', () => {
  it('copies every cell of every sample table with its value, writetime and TTL', async () => {
    for (const table of TABLES) {
      const { code, summary, err } = await copy(table, ['--writetime', 'preserve', '--live-since', 'none']);
      expect({ table, code, err }).toEqual({ table, code: 0, err: '' });
      expect(summary.rangesFailed).toBe(0);
      expect(summary.rangesDone).toBe(summary.rangesTotal);
    }
    const counts = sampleCounts(SCALE);
    const orders = await dumpTable(source, KS, 'orders');
    // every row, plus the partition that holds only a static row
    expect(orders.size).toBe(counts.orders + counts.staticOnlyPartitions);
    expect((await dumpTable(source, KS, 'profiles')).size).toBe(counts.profiles);
    for (const table of TABLES) expectSameCells(await dumpTable(source, KS, table), await dumpTable(target, KS, table));
  });

  it('keeps what the driver cannot encode: an empty list inside a frozen map, a frozen empty set, empty strings and blobs', async () => {
    const row = (await target.execute(`SELECT nested, pairs FROM ${KS}.profiles WHERE id = 3`)).first();
    expect([...(row.get('nested') as Map<string, number[]>).entries()]).toEqual([['empty', []], ['x', [1, 2]]]);
    expect((row.get('pairs') as Set<unknown>).size).toBe(0);
    const edge = await target.execute(`SELECT code, receipt, note FROM ${KS}.orders`);
    expect(edge.rows.some((r) => r.get('code') === '' && (r.get('receipt') as Buffer).length === 0)).toBe(true);
  });

  it('a rerun of the same ranges leaves the target identical: lists not duplicated, counters not doubled', async () => {
    const before = await Promise.all(TABLES.map((t) => dumpTable(target, KS, t)));
    for (const table of TABLES) expect((await copy(table, ['--writetime', 'preserve', '--live-since', 'none'])).code).toBe(0);
    const after = await Promise.all(TABLES.map((t) => dumpTable(target, KS, t)));
    // Values and writetimes as before; TTLs tick down between the two dumps, so they are compared with the
    // source's, read at the same moment.
    TABLES.forEach((_, i) => expectSameCells(blankCells(before[i]!, { ttl: null }), blankCells(after[i]!, { ttl: null })));
    const sourceNow = await Promise.all(TABLES.map((t) => dumpTable(source, KS, t)));
    TABLES.forEach((_, i) => expectSameCells(sourceNow[i]!, after[i]!));
    const scores = (await target.execute(`SELECT scores FROM ${KS}.profiles WHERE id = 8`)).first().get('scores');
    expect(scores).toEqual([8, 8, -8, 0]);
  });
});

describe('migrate copy of pages larger than the rows it writes at once', () => {
  const SLICED = 'copy_sliced';
  // A partition of 650 rows: in 250-row pages written 100 rows at a time, it is cut between pages and between slices.
  const PARTITIONS: [number, number][] = [[1, 650], [2, 30], [3, 1]];
  beforeAll(async () => {
    for (const client of [source, target]) {
      await client.execute(`CREATE KEYSPACE IF NOT EXISTS ${SLICED} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`);
      await client.execute(`DROP TABLE IF EXISTS ${SLICED}.events`);
      await client.execute(`CREATE TABLE ${SLICED}.events (pk int, ck int, s text static, v text, l list<int>, PRIMARY KEY (pk, ck))`);
    }
    const insert = `INSERT INTO ${SLICED}.events (pk, ck, s, v, l) VALUES (?, ?, ?, ?, ?) USING TIMESTAMP ? AND TTL ?`;
    for (const [pk, rows] of PARTITIONS) {
      for (let ck = 0; ck < rows; ck++) {
        await source.execute(insert, [pk, ck, `static ${pk}`, `value ${ck}`, [ck, -ck], 1_700_000_000_000_000 + ck, ck % 7 === 0 ? 86_400 : 0], { prepare: true });
      }
    }
  });

  it('one partition cut between 250-row pages and 100-row slices: every row, cell, writetime and TTL as the source has it', async () => {
    const run = await runCli(['copy', ...jobArgs(SLICED, 'events', stateDir, ['--json', '--page-size', '250', '--writetime', 'preserve', '--live-since', 'none'])]);
    const summary = JSON.parse(run.out) as Summary;
    expect({ code: run.code, err: run.err, read: summary.rowsRead, written: summary.rowsWritten }).toEqual({ code: 0, err: '', read: 681, written: 681 });
    const copied = await dumpTable(target, SLICED, 'events');
    expect(copied.size).toBe(681);
    expectSameCells(await dumpTable(source, SLICED, 'events'), copied);
  });
});

describe('migrate copy of small partitions', () => {
  const SMALL = 'copy_small';
  const ROWS = 2000;
  // Most rows a few dozen bytes; every 50th a list of 300 ints (about 10 KiB as Cassandra counts it, 1.2 KiB
  // as bound values), every 97th a 6,000-byte text: rows no shared batch may take without a warning.
  beforeAll(async () => {
    for (const client of [source, target]) {
      await client.execute(`CREATE KEYSPACE IF NOT EXISTS ${SMALL} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`);
      await client.execute(`DROP TABLE IF EXISTS ${SMALL}.kv`);
      await client.execute(`CREATE TABLE ${SMALL}.kv (id int PRIMARY KEY, name text, tags set<text>, l list<int>)`);
    }
    const insert = `INSERT INTO ${SMALL}.kv (id, name, tags, l) VALUES (?, ?, ?, ?) USING TIMESTAMP ?`;
    const ids = Array.from({ length: ROWS }, (_, id) => id);
    for (let i = 0; i < ROWS; i += 100) {
      await Promise.all(ids.slice(i, i + 100).map((id) => {
        const list = id % 50 === 0 ? Array.from({ length: 300 }, (_, k) => k) : [id];
        const name = id % 97 === 0 ? 'n'.repeat(6000) : `name ${id}`;
        return source.execute(insert, [id, name, [`t${id % 7}`, 'all'], list, 1_700_000_000_000_000 + id], { prepare: true });
      }));
    }
  });

  it('share batches, within the target\'s warning thresholds: a tenth of the requests, every cell exact, no warning back', async () => {
    const metricsFile = join(stateDir, 'small.prom');
    const run = await runCli(['copy', ...jobArgs(SMALL, 'kv', stateDir, ['--json', '--writetime', 'preserve', '--live-since', 'none', '--metrics-file', metricsFile])]);
    const summary = JSON.parse(run.out) as Summary;
    expect({ code: run.code, err: run.err, written: summary.rowsWritten, notes: summary.notes }).toEqual({ code: 0, err: '', written: ROWS, notes: [] });
    expectSameCells(await dumpTable(source, SMALL, 'kv'), await dumpTable(target, SMALL, 'kv'));
    const writes = Number(/^cql_migrate_request_duration_seconds_count\{cluster="target",operation="write"\} (\d+)$/m.exec(await readFile(metricsFile, 'utf8'))?.[1]);
    // At most 10 partitions a batch (unlogged_batch_across_partitions_warn_threshold), the large rows alone.
    expect(writes).toBeGreaterThanOrEqual(ROWS / 10);
    expect(writes).toBeLessThan(ROWS / 5);
  });
});

describe('migrate copy --writetime job-start', () => {
  const JS = 'copy_jobstart';
  beforeAll(async () => {
    await freshSampleSchema(target, JS);
  });

  it('writes every cell at the recorded stamp, the job start less the skew margin', async () => {
    const before = Date.now();
    const { code, summary } = await copy('orders', ['--target-keyspace', JS, '--skew-margin', '60']);
    const after = Date.now();
    expect(code).toBe(0);
    const stamp = BigInt(summary.jobStartMicros);
    expect(stamp).toBeGreaterThanOrEqual(BigInt(before - 60_000) * 1000n);
    expect(stamp).toBeLessThanOrEqual(BigInt(after - 60_000) * 1000n);
    const state = JSON.parse(await readFile(join(stateDir, 'runs', summary.runId, 'run.json'), 'utf8'));
    expect(state.jobStartMicros).toBe(summary.jobStartMicros);
    const rows = await dumpTable(target, JS, 'orders');
    expect(rows.size).toBe(sampleCounts(SCALE).orders + 1);
    const stamps = new Set<string>();
    for (const row of rows.values()) for (const cell of Object.values(row)) if (cell.value !== null) stamps.add(String(cell.writetime));
    expect([...stamps]).toEqual([`Long:${summary.jobStartMicros}`]);
  });

  it('an explicit --writetime MICROS is the stamp', async () => {
    const { code, summary } = await copy('profiles', ['--target-keyspace', JS, '--writetime', '1600000000000000']);
    expect(code).toBe(0);
    expect(summary.jobStartMicros).toBe('1600000000000000');
    const row = (await target.execute(`SELECT tags, WRITETIME(tags), WRITETIME(nested) FROM ${JS}.profiles WHERE id = 1`)).first();
    expect(String(row.get('writetime(nested)'))).toBe('1600000000000000');
    expect((row.get('tags') as Set<string>).size).toBe(3);
    expect((row.get('writetime(tags)') as unknown[]).map(String)).toEqual(['1600000000000000', '1600000000000000', '1600000000000000']);
  });
});

describe('migrate copy --shard I/N', () => {
  const SHARDED = 'copy_sharded';
  beforeAll(async () => {
    await freshSampleSchema(target, SHARDED);
  });

  it('N processes each take a disjoint share of the ranges, and together copy every row', async () => {
    // side by side, as the pods of an indexed job run: each shard is its own job, with its own lock
    const runs3 = await Promise.all(['0/3', '1/3', '2/3'].map((shard) => copy('orders', ['--target-keyspace', SHARDED, '--shard', shard])));
    expect(runs3.map((r) => ({ code: r.code, errors: r.summary.errors, err: r.err }))).toEqual(Array(3).fill({ code: 0, errors: [], err: '' }));
    const shards = runs3.map((r) => r.summary);
    const total = shards.reduce((sum, s) => sum + s.rangesTotal, 0);
    const runs = await Promise.all(shards.map(async (s) => JSON.parse(await readFile(join(stateDir, 'runs', s.runId, 'run.json'), 'utf8')).ranges.length));
    expect(total).toBe(runs[0]);
    expect(shards.every((s) => s.rangesTotal > 0 && s.rangesDone === s.rangesTotal)).toBe(true);
    expect(shards.reduce((sum, s) => sum + s.rowsRead, 0)).toBe(sampleCounts(SCALE).orders + 1);
    expect((await dumpTable(target, SHARDED, 'orders')).size).toBe(sampleCounts(SCALE).orders + 1);
  });
});

describe('live writes during a copy', () => {
  const LIVE = 'copy_live';
  beforeAll(async () => {
    await freshSampleKeyspace(source, target, LIVE, SCALE);
  });

  it('are never lost: updated rows keep their latest value, deleted rows do not come back', async () => {
    const ids = Array.from({ length: 1500 }, (_, i) => i);
    const updated = new Map<number, string>();
    const deleted = new Set<number>();
    let copying = true;
    // A dual-write proxy: every write goes to both clusters with one client-side timestamp.
    const proxy = (async () => {
      let n = 0;
      while (copying || n < 200) {
        const id = ids[(n * 7919) % ids.length] as number;
        const micros = BigInt(Date.now()) * 1000n + BigInt(n % 1000);
        if (n % 3 === 0) {
          await Promise.all([source, target].map((c) => c.execute(`DELETE FROM ${LIVE}.profiles USING TIMESTAMP ? WHERE id = ?`, [micros.toString(), id], { prepare: true })));
          deleted.add(id);
          updated.delete(id);
        } else {
          const tags = new Set([`live-${n}`]);
          await Promise.all([source, target].map((c) => c.execute(`UPDATE ${LIVE}.profiles USING TIMESTAMP ? SET tags = ?, scores = ? WHERE id = ?`, [micros.toString(), tags, [n], id], { prepare: true })));
          updated.set(id, `live-${n}`);
          deleted.delete(id);
        }
        n++;
      }
    })();
    const run = await runCli(['copy', ...jobArgs(LIVE, 'profiles', stateDir, ['--rate-limit', '600', '--concurrency', '2'])]);
    copying = false;
    await proxy;
    expect(run.code).toBe(0);
    expect(updated.size + deleted.size).toBeGreaterThan(100);
    for (const [id, tag] of updated) {
      const row = (await target.execute(`SELECT tags, scores FROM ${LIVE}.profiles WHERE id = ?`, [id], { prepare: true })).first();
      expect({ id, tags: [...(row?.get('tags') ?? [])] }).toEqual({ id, tags: [tag] });
      expect(row?.get('scores')).toEqual([Number(tag.slice(5))]);
    }
    for (const id of deleted) {
      const rows = await target.execute(`SELECT id, tags FROM ${LIVE}.profiles WHERE id = ?`, [id], { prepare: true });
      expect({ id, rows: rows.rowLength }).toEqual({ id, rows: 0 });
    }
  });
});

describe('TLS to the target', () => {
  it('trusting the CA of the target certificate (--target-ca), the copy goes through TLS', async () => {
    const ca = join(REPO_ROOT, '.cassandra/tls/target.pem');
    const trusted = await runCli(['copy', ...jobArgs(KS, 'page_views', stateDir, ['--target-ca', ca])]);
    expect({ code: trusted.code, err: trusted.err }).toEqual({ code: 0, err: '' });
  });
});

describe('lists written just before the copy: the copy looks at the target instead of assuming (issue 16)', () => {
  const table = 'fresh_lists';
  const ROWS = 60;
  const validate = async (dir: string) => {
    const run = await runCli(['validate', ...jobArgs(KS, table, dir, ['--json'])]);
    return { code: run.code, summary: JSON.parse(run.out) as Summary, err: run.err };
  };
  const fresh = async () => {
    for (const client of [source, target]) {
      await client.execute(`DROP TABLE IF EXISTS ${KS}.${table}`);
      await client.execute(`CREATE TABLE ${KS}.${table} (id int PRIMARY KEY, l list<int>, n int)`);
    }
    // written now: every element is newer than a job-start stamp (now less the skew margin)
    for (let id = 0; id < ROWS; id++) {
      await source.execute(`UPDATE ${KS}.${table} SET l = l + ?, n = ? WHERE id = ?`, [[id, id + 1], id, id], { prepare: true });
      await source.execute(`UPDATE ${KS}.${table} SET l = ? + l WHERE id = ?`, [[-id], id], { prepare: true });
    }
  };

  it('no proxy (an offline migration): job-start copy writes every element, and validate right after finds no difference', async () => {
    await fresh();
    const dir = await mkdtemp(join(tmpdir(), 'migrate-fresh-lists-'));
    const copied = await runCli(['copy', ...jobArgs(KS, table, dir, ['--json'])]);
    const summary = JSON.parse(copied.out) as Summary;
    expect({ code: copied.code, err: copied.err, written: summary.rowsWritten, inTarget: summary.listElementsInTarget, left: summary.listsLeftToValidate }).toEqual({ code: 0, err: '', written: ROWS, inTarget: 0, left: 0 });
    const checked = await validate(dir);
    expect({ code: checked.code, missing: checked.summary.missing, mismatched: checked.summary.mismatched, extra: checked.summary.extra }).toEqual({ code: 0, missing: 0, mismatched: 0, extra: 0 });
    const lists = async (client: cassandra.Client) => (await client.execute(`SELECT id, l FROM ${KS}.${table}`)).rows.map((r) => `${r.get('id')}:${(r.get('l') as number[]).join(',')}`).sort();
    expect(await lists(target)).toEqual(await lists(source));
  });

  it('a proxy that wrote some elements to both: none duplicated, none lost, counted in the summary; preserve mode needs no --live-since', async () => {
    for (const mode of [[], ['--writetime', 'preserve']]) {
      await fresh();
      // the proxy went live after the history: an append to every third row reaches both clusters, one timestamp
      const stamp = BigInt(Date.now()) * 1000n;
      for (let id = 0; id < ROWS; id += 3) {
        for (const client of [source, target]) await client.execute(`UPDATE ${KS}.${table} USING TIMESTAMP ? SET l = l + ? WHERE id = ?`, [stamp.toString(), [1000 + id], id], { prepare: true });
      }
      const dir = await mkdtemp(join(tmpdir(), 'migrate-proxied-lists-'));
      const copied = await runCli(['copy', ...jobArgs(KS, table, dir, ['--json', ...mode])]);
      const summary = JSON.parse(copied.out) as Summary;
      expect({ mode, code: copied.code, err: copied.err, inTarget: summary.listElementsInTarget }).toEqual({ mode, code: 0, err: '', inTarget: ROWS / 3 });
      const checked = await validate(dir);
      expect({ mode, code: checked.code, mismatched: checked.summary.mismatched }).toEqual({ mode, code: 0, mismatched: 0 });
      const lists = async (client: cassandra.Client) => (await client.execute(`SELECT id, l FROM ${KS}.${table}`)).rows.map((r) => `${r.get('id')}:${(r.get('l') as number[]).join(',')}`).sort();
      expect(await lists(target)).toEqual(await lists(source));
    }
  });
});
