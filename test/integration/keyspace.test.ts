import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type cassandra from 'cassandra-driver';
import { beforeAll, describe, expect, it } from 'vitest';
import type { KeyspaceSummary } from '../../src/jobs/keyspace.js';
import { runCli, spawnCli } from '../support/cli.js';
import { dropKeyspace, freshSampleSchema, SOURCE, TARGET } from '../support/clusters.js';
import { clientsForFile } from '../support/file-clients.js';
import { blankCells, dumpTable, expectSameCells } from '../support/table-dump.js';

/**
 * A whole keyspace in one job: the sample keyspace's five tables (counters, statics, UDTs, descending
 * clustering, frozen and non-frozen collections, a default TTL, a secondary index, a materialized view).
 */
const KS = 'keyspace_job';
const TABLES = ['audit', 'orders', 'page_views', 'profiles', 'users'];

// Opened before the hooks below run, closed after the file's tests.
const clients = clientsForFile();
let source: cassandra.Client;
let target: cassandra.Client;
let stateDir: string;

const connection = ['--source', SOURCE, '--target', TARGET];
const keyspaceJob = (command: 'copy' | 'validate', extra: string[] = []) => [command, ...connection, '--keyspace', KS, '--state-dir', stateDir, '--quiet', '--json', ...extra];

async function run(args: string[]): Promise<{ code: number; summary: KeyspaceSummary; err: string }> {
  const result = await runCli(args);
  return { code: result.code, summary: result.out ? (JSON.parse(result.out) as KeyspaceSummary) : ({} as KeyspaceSummary), err: result.err };
}

const valuesOnly = { writetime: null, ttl: null };
async function expectEqualTables(tables: string[]): Promise<void> {
  for (const table of tables) expectSameCells(blankCells(await dumpTable(source, KS, table), valuesOnly), blankCells(await dumpTable(target, KS, table), valuesOnly));
}

beforeAll(async () => {
  source = clients.source();
  target = clients.target();
  const { loadSampleData } = await import('../../examples/sample-data.mjs');
  await freshSampleSchema(source, KS);
  await loadSampleData(source, { keyspace: KS, scale: 2 });
  await dropKeyspace(target, KS);
  stateDir = await mkdtemp(join(tmpdir(), 'migrate-keyspace-'));
});


describe('migrate schema', () => {
  it('creates the whole keyspace on an empty target (types, tables, index, view); run again, it has nothing to do', async () => {
    const applied = await runCli(['schema', ...connection, '--keyspace', KS, '--apply']);
    expect({ code: applied.code, err: applied.err }).toEqual({ code: 0, err: '' });
    expect(applied.out).toMatch(/^-- applied: 9 statements$/m);
    const views = await target.execute('SELECT view_name FROM system_schema.views WHERE keyspace_name = ?', [KS]);
    expect(views.rows.map((r) => r.get('view_name'))).toEqual(['users_by_email']);
    const indexes = await target.execute('SELECT index_name FROM system_schema.indexes WHERE keyspace_name = ?', [KS]);
    expect(indexes.rows.map((r) => r.get('index_name'))).toEqual(['users_by_country']);
    const tables = await target.execute('SELECT table_name, default_time_to_live FROM system_schema.tables WHERE keyspace_name = ?', [KS]);
    expect(tables.rows.map((r) => [r.get('table_name'), r.get('default_time_to_live')])).toEqual(TABLES.map((t) => [t, t === 'audit' ? 2592000 : 0]));

    const again = await runCli(['schema', ...connection, '--keyspace', KS]);
    expect({ code: again.code, out: again.out }).toEqual({ code: 0, out: `-- nothing to do: the target keyspace ${KS} has every type, table, index and view of ${KS}` });
  });

  it('a target table of another shape: exit 2 naming it and the difference, nothing applied', async () => {
    await dropKeyspace(target, `${KS}_other`);
    await target.execute(`CREATE KEYSPACE ${KS}_other WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`);
    await target.execute(`CREATE TABLE ${KS}_other.users (id uuid PRIMARY KEY, email int)`);
    const refused = await runCli(['schema', ...connection, '--keyspace', KS, '--target-keyspace', `${KS}_other`, '--apply']);
    expect(refused.code).toBe(2);
    expect(refused.err).toBe(
      `migrate: table ${KS}_other.users exists with another shape: country missing; email is text regular in the source, int regular in the target; name missing; signed_up missing: schema never drops or alters; change the target by hand, then run schema again`,
    );
    const tables = await target.execute('SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?', [`${KS}_other`]);
    expect(tables.rowLength).toBe(1);
  });
});

describe('copy and validate of a whole keyspace', () => {
  it('copy then validate exit 0 for every table, and every table is equal', async () => {
    const copied = await run(keyspaceJob('copy'));
    expect({ code: copied.code, err: copied.err }).toEqual({ code: 0, err: '' });
    expect(Object.keys(copied.summary.tables)).toEqual(TABLES);
    for (const table of TABLES) expect({ table, code: copied.summary.tables[table]?.exitCode }).toEqual({ table, code: 0 });
    // one stamp for the whole job
    expect(new Set(Object.values(copied.summary.tables).map((t) => t.summary?.jobStartMicros))).toEqual(new Set([copied.summary.jobStartMicros]));
    const validated = await run(keyspaceJob('validate'));
    expect({ code: validated.code, err: validated.err }).toEqual({ code: 0, err: '' });
    for (const table of TABLES) expect({ table, compared: validated.summary.tables[table]?.summary?.rowsCompared }).toEqual({ table, compared: copied.summary.tables[table]?.summary?.rowsRead });
    await expectEqualTables(TABLES);
    // the target maintains its own view of the copied users
    const views = await Promise.all([source, target].map(async (c) => (await c.execute(`SELECT email, id, name FROM ${KS}.users_by_email`)).rows.map((r) => JSON.stringify(r)).sort()));
    expect(views[1]).toEqual(views[0]);
    expect(views[0]).toHaveLength(80);
  });

  it('drift in one table: the keyspace validate exits 1, and only that table has differences', async () => {
    const old = String((Date.now() - 86_400_000) * 1000);
    await target.execute(`INSERT INTO ${KS}.users (id, email, name) VALUES (uuid(), 'stray@example.com', 'stray') USING TIMESTAMP ${old}`);
    const validated = await run(keyspaceJob('validate', ['--run-id', 'drift']));
    expect(validated.code).toBe(1);
    expect(Object.fromEntries(TABLES.map((t) => [t, validated.summary.tables[t]?.exitCode]))).toEqual({ audit: 0, orders: 0, page_views: 0, profiles: 0, users: 1 });
    for (const table of TABLES) {
      const lines = (await readFile(join(stateDir, 'runs', 'drift', table, 'differences.csv'), 'utf8')).trim().split('\n');
      expect({ table, differences: lines.length - 1 }).toEqual({ table, differences: table === 'users' ? 1 : 0 });
    }
    const fixed = await run(keyspaceJob('validate', ['--autocorrect', '--delete-extra']));
    expect(fixed.code).toBe(0);
    expect(fixed.summary.tables.users?.summary?.deleted).toBe(1);
  });

  it('a config file lists the tables, each with its own options', async () => {
    const config = join(stateDir, 'tables.yaml');
    await writeFile(config, `source: ${SOURCE}\ntarget: ${TARGET}\nkeyspace: ${KS}\nstate-dir: ${stateDir}\nrun-id: chosen\npage-size: 300\ntables:\n  - users\n  - name: audit\n    page-size: 7\n`);
    const validated = await run(['validate', '--config', config, '--quiet', '--json']);
    expect({ code: validated.code, err: validated.err }).toEqual({ code: 0, err: '' });
    expect(Object.keys(validated.summary.tables)).toEqual(['users', 'audit']);
    const pageSize = async (table: string) => JSON.parse(await readFile(join(stateDir, 'runs', 'chosen', table, 'run.json'), 'utf8')).options.throughput.pageSize;
    // users takes the job's own option, audit its entry's
    expect({ users: await pageSize('users'), audit: await pageSize('audit') }).toEqual({ users: 300, audit: 7 });
    const excluded = await run(keyspaceJob('validate', ['--exclude-tables', 'audit,orders,page_views']));
    expect(Object.keys(excluded.summary.tables)).toEqual(['profiles', 'users']);
  });

  it('--max-latency with worker processes: every table of the keyspace validate runs under one governor (exit 0)', async () => {
    const validated = await run(keyspaceJob('validate', ['--max-latency', '50', '--workers', '2']));
    expect({ code: validated.code, err: validated.err }).toEqual({ code: 0, err: '' });
    expect(Object.fromEntries(TABLES.map((t) => [t, validated.summary.tables[t]?.exitCode]))).toEqual(Object.fromEntries(TABLES.map((t) => [t, 0])));
  });

  it('two tables at once with worker processes stay together under the job\'s --rate-limit', async () => {
    const R = 40;
    const started = Date.now();
    const copied = await run(keyspaceJob('copy', ['--tables', 'orders,profiles', '--table-concurrency', '2', '--workers', '2', '--rate-limit', String(R), '--run-id', 'rate-limited']));
    const seconds = (Date.now() - started) / 1000;
    expect({ code: copied.code, err: copied.err }).toEqual({ code: 0, err: '' });
    const rows = ['orders', 'profiles'].reduce((sum, t) => sum + (copied.summary.tables[t]?.summary?.rowsRead ?? 0), 0);
    expect(rows).toBeGreaterThan(1000);
    // a token bucket lets one second's worth through at once; beyond that, R rows a second for the whole job
    expect({ rows, seconds, withinLimit: rows <= R * (seconds + 1) }).toMatchObject({ withinLimit: true });
  });

  it('kill -9 in the middle of the third table, then --resume: the first two are not redone and the job completes', async () => {
    for (const table of TABLES) await target.execute(`TRUNCATE ${KS}.${table}`);
    const args = ['copy', ...connection, '--keyspace', KS, '--state-dir', stateDir, '--quiet', '--run-id', 'killed', '--rate-limit', '60', '--concurrency', '2'];
    const first = spawnCli(args);
    const runDir = join(stateDir, 'runs', 'killed');
    while (!existsSync(join(runDir, TABLES[2] as string, 'ranges.jsonl'))) await sleep(25);
    first.kill('SIGKILL');
    await first.code;
    const before = await Promise.all(TABLES.slice(0, 2).map((t) => readFile(join(runDir, t, 'ranges.jsonl'), 'utf8')));
    const third = (await readFile(join(runDir, TABLES[2] as string, 'ranges.jsonl'), 'utf8')).trim().split('\n').length;
    const thirdRecord = JSON.parse(await readFile(join(runDir, TABLES[2] as string, 'run.json'), 'utf8'));
    expect(third).toBeLessThan(thirdRecord.ranges.length);
    expect(existsSync(join(runDir, TABLES[3] as string))).toBe(false);

    const resumed = await run(['copy', ...connection, '--keyspace', KS, '--state-dir', stateDir, '--quiet', '--json', '--resume', 'killed']);
    expect({ code: resumed.code, err: resumed.err }).toEqual({ code: 0, err: '' });
    expect(resumed.summary.runId).toBe('killed');
    const after = await Promise.all(TABLES.slice(0, 2).map((t) => readFile(join(runDir, t, 'ranges.jsonl'), 'utf8')));
    expect(after).toEqual(before);
    for (const table of TABLES) {
      const summary = resumed.summary.tables[table]?.summary;
      expect({ table, done: summary?.rangesDone, failed: summary?.rangesFailed }).toEqual({ table, done: summary?.rangesTotal, failed: 0 });
    }
    await expectEqualTables(TABLES);
    const status = await runCli(['status', 'killed', '--state-dir', stateDir]);
    expect(status.out.split('\n').filter((l) => l.startsWith('killed/'))).toHaveLength(5);
    expect(status.out.split('\n').filter((l) => l.startsWith('killed/') && l.includes(' complete '))).toHaveLength(5);
  });
});
