import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type cassandra from 'cassandra-driver';
import { beforeAll, describe, expect, it } from 'vitest';
import type { KeyspaceSummary } from '../../src/jobs/keyspace.js';
import type { Summary } from '../../src/report/summary.js';
import { jobArgs, runCli, type SpawnedCli, spawnCli } from '../support/cli.js';
import { freshSampleKeyspace, SOURCE, TARGET } from '../support/clusters.js';
import { clientsForFile } from '../support/file-clients.js';
import { eventsTable, loadGeneratedTable } from '../support/generated-table.js';
import { blankCells, dumpTable, expectSameCells } from '../support/table-dump.js';

/**
 * Several processes, as on several machines, work on one run through the ledger kept in the target
 * cluster (`--state cassandra`): each range is claimed by one worker at a time, a worker killed with
 * SIGKILL leaves its ranges to the others once its lease runs out, and any shell sees the whole run.
 */
const KS = 'shared_run';
const LEDGER = 'ledger_test';
const SAMPLE_KS = 'shared_keyspace';
const SAMPLE_TABLES = ['audit', 'orders', 'page_views', 'profiles', 'users'];
const PARTITIONS = 300;
const ROWS_PER_PARTITION = 20;
const ROWS = PARTITIONS * ROWS_PER_PARTITION;
/** Asked for; the plan has a few more (ranges are cut at the ring's vnode boundaries). */
const RANGES = 24;

const clients = clientsForFile();
let source: cassandra.Client;
let target: cassandra.Client;

const TABLE = eventsTable(KS, PARTITIONS, ROWS_PER_PARTITION);

interface LedgerRow {
  range: string;
  state: string;
  owner: string | null;
  epoch: number;
  finishedBy: string | null;
}

async function ledgerRows(runId: string): Promise<LedgerRow[]> {
  const result = await target.execute(`SELECT range, state, owner, epoch, finished_by FROM ${LEDGER}.ranges WHERE run_id = ?`, [runId], { prepare: true });
  return result.rows.map((r) => ({ range: r.get('range'), state: r.get('state'), owner: r.get('owner'), epoch: r.get('epoch'), finishedBy: r.get('finished_by') }));
}

/** The pid in a worker id (`host:pid:nonce`). */
const pidOf = (worker: string | null) => Number(worker?.split(':')[1]);

describe('runs kept in the ledger in the target cluster (--state cassandra)', () => {
  beforeAll(async () => {
    source = clients.source();
    target = clients.target();
    await loadGeneratedTable(source, TABLE, true);
    await loadGeneratedTable(target, TABLE, false);
    // The ledger keyspace is created by the first worker that needs it.
    await target.execute(`DROP KEYSPACE IF EXISTS ${LEDGER}`, [], { readTimeout: 120_000 });
  });

  it('three processes on one run copy the table exactly, each range done once, a killed worker\'s ranges taken over after its lease', async () => {
    const runId = 'shared-copy';
    // Slow enough (three workers of 2 ranges at 300 rows/s each: a range takes about a second) that the kill lands mid-run.
    const dirs = await Promise.all([1, 2, 3].map((n) => mkdtemp(join(tmpdir(), `shared-${n}-`))));
    const worker = async (n: number): Promise<SpawnedCli> =>
      spawnCli(['copy', ...jobArgs(KS, 'events', dirs[n - 1] as string, ['--state', `cassandra:${LEDGER}`, '--run-id', runId, '--lease', '5', '--splits', String(RANGES), '--concurrency', '2', '--rate-limit', '300', '--workers', '1', '--json'])]);
    const first = await worker(1);
    // The first creates the ledger and the run (its stamp and ranges); the others join it.
    for (let i = 0; i < 200 && (await ledgerExists()) === false; i++) await sleep(100);
    const second = await worker(2);
    const third = await worker(3);

    // Kill the second once it holds ranges.
    let victimRanges: string[] = [];
    for (let i = 0; i < 300 && victimRanges.length === 0; i++) {
      await sleep(100);
      victimRanges = (await ledgerRows(runId).catch(() => [])).filter((r) => r.state === 'claimed' && pidOf(r.owner) === second.pid).map((r) => r.range);
    }
    expect(victimRanges.length, `${second.err()}`).toBeGreaterThan(0);
    second.kill('SIGKILL');
    const killedAt = Date.now();
    expect(await second.code).not.toBe(0);

    const [firstCode, thirdCode] = await Promise.all([first.code, third.code]);
    // The victim's claims held until their lease (5 s, renewed every 5/3 s) ran out.
    expect(Date.now() - killedAt).toBeGreaterThan(3_000);
    expect({ firstCode, err: first.err() }).toMatchObject({ firstCode: 0 });
    expect({ thirdCode, err: third.err() }).toMatchObject({ thirdCode: 0 });

    // The ledger: one row per range of the plan, every one done, the victim's taken over by a live worker.
    const planned = JSON.parse((await target.execute(`SELECT record FROM ${LEDGER}.runs WHERE run_id = ?`, [runId], { prepare: true })).first().get('record')).ranges as string[];
    const rows = await ledgerRows(runId);
    expect(rows.map((r) => r.range).sort()).toEqual([...planned].sort());
    expect(rows.every((r) => r.state === 'done')).toBe(true);
    const live = new Set([first.pid, third.pid]);
    // A range the victim held when it was killed was claimed again (epoch 2) and finished by a live worker;
    // one it finished in the instant before the kill stays its own.
    const victims = victimRanges.map((range) => rows.find((r) => r.range === range) as LedgerRow);
    for (const row of victims) {
      if (row.epoch === 1) expect(pidOf(row.finishedBy)).toBe(second.pid);
      else expect({ epoch: row.epoch, live: live.has(pidOf(row.finishedBy)) }).toEqual({ epoch: 2, live: true });
    }
    expect(victims.filter((r) => r.epoch === 2).length).toBeGreaterThan(0);

    // Each live worker's summary is the whole run's: every range counted once.
    for (const w of [first, third]) {
      const summary = JSON.parse(w.out().trim().split('\n').at(-1) as string) as Summary;
      expect(summary).toMatchObject({ runId, rangesTotal: planned.length, rangesDone: planned.length, rangesFailed: 0, rowsRead: ROWS, rowsWritten: ROWS });
    }
    // One stamp for the run, whichever worker created it.
    const stamps = await Promise.all(
      [dirs[0], dirs[2]].map(async (dir) => (JSON.parse(await readFile(join(dir as string, 'runs', runId, 'summary.json'), 'utf8')) as Summary).jobStartMicros),
    );
    expect(new Set(stamps).size).toBe(1);

    // An independent comparison: every value equal, every copied cell at the run's stamp.
    const sourceRows = await dumpTable(source, KS, 'events');
    const targetRows = await dumpTable(target, KS, 'events');
    expect(targetRows.size).toBe(ROWS);
    expectSameCells(blankCells(sourceRows, { writetime: null }), blankCells(targetRows, { writetime: null }));
    const written = new Set([...targetRows.values()].flatMap((row) => Object.values(row).flatMap((cell) => [cell.writetime].flat().map((w) => String(w).replace(/^Long:/, '')))));
    expect([...written]).toEqual(stamps.slice(0, 1));

    // A fourth shell, with no state folder of its own, sees the whole run complete.
    const status = await runCli(['status', runId, '--state', `cassandra:${LEDGER}`, '--target', TARGET]);
    expect(status.code).toBe(0);
    expect(status.out).toMatch(new RegExp(`^${runId}  copy  ${planned.length}/${planned.length} ranges  ${ROWS} rows  complete`));
    const json = JSON.parse((await runCli(['status', runId, '--state', `cassandra:${LEDGER}`, '--target', TARGET, '--json'])).out);
    expect(json).toMatchObject({ runId, rangesDone: planned.length, rangesTotal: planned.length, rangesFailed: 0, rowsRead: ROWS });
  });

  it('the job lock and --resume work on the ledger: another run of the job waits (exit 3), an interrupted run resumes at its stamp', async () => {
    await target.execute(`TRUNCATE ${KS}.events`);
    const dir = await mkdtemp(join(tmpdir(), 'shared-resume-'));
    const args = (extra: string[]) => ['copy', ...jobArgs(KS, 'events', dir, ['--state', `cassandra:${LEDGER}`, '--splits', String(RANGES), '--concurrency', '2', '--json', ...extra])];
    const first = spawnCli(args(['--run-id', 'to-resume', '--rate-limit', '500']));
    for (let i = 0; i < 300 && (await ledgerRows('to-resume').catch(() => [])).every((r) => r.state !== 'done'); i++) await sleep(100);

    // Another run of the same job, from another state folder (another machine): the run holds the job's lock.
    const other = await runCli(args(['--run-id', 'another']).map((a) => (a === dir ? `${dir}-elsewhere` : a)));
    expect({ code: other.code, err: other.err }).toMatchObject({ code: 3, err: expect.stringMatching(/^migrate: run to-resume of this job holds its lock in keyspace ledger_test of the target cluster .*join it with --run-id to-resume/) });

    first.kill('SIGINT');
    expect(await first.code).toBe(4);
    const interrupted = JSON.parse(first.out().trim()) as Summary;
    expect(interrupted.rangesDone).toBeLessThan(interrupted.rangesTotal);

    // --resume (the latest run of the job, found in the ledger) goes on from the ranges done, at the first stamp.
    const resumed = await runCli(args(['--resume']));
    expect({ code: resumed.code, err: resumed.err }).toEqual({ code: 0, err: '' });
    const summary = JSON.parse(resumed.out) as Summary;
    expect(summary).toMatchObject({ runId: 'to-resume', jobStartMicros: interrupted.jobStartMicros, rangesDone: interrupted.rangesTotal, rangesFailed: 0, rowsRead: ROWS });
    const rows = await ledgerRows('to-resume');
    expect(rows.filter((r) => r.state === 'done')).toHaveLength(interrupted.rangesTotal);
    const written = await dumpTable(target, KS, 'events');
    expect(written.size).toBe(ROWS);
    expect(new Set([...written.values()].flatMap((row) => Object.values(row).flatMap((cell) => [cell.writetime].flat().map((w) => String(w).replace(/^Long:/, '')))))).toEqual(new Set([interrupted.jobStartMicros]));
  });

  it('two processes share a keyspace job: every table copied exactly, each range done once, status lists the tables complete', async () => {
    await freshSampleKeyspace(source, target, SAMPLE_KS, 1);
    const runId = 'shared-keyspace';
    const dirs = await Promise.all([1, 2].map((n) => mkdtemp(join(tmpdir(), `shared-keyspace-${n}-`))));
    const args = (dir: string) => ['copy', '--source', SOURCE, '--target', TARGET, '--keyspace', SAMPLE_KS, '--state-dir', dir, '--quiet', '--json', '--state', `cassandra:${LEDGER}`, '--run-id', runId, '--workers', '1', '--concurrency', '2', '--rate-limit', '500'];
    const processes = dirs.map((dir) => spawnCli(args(dir)));
    const codes = await Promise.all(processes.map((p) => p.code));
    expect(codes, processes.map((p) => p.err()).join('\n')).toEqual([0, 0]);
    for (const p of processes) {
      const summary = JSON.parse(p.out()) as KeyspaceSummary;
      expect(summary).toMatchObject({ runId, exitCode: 0 });
      expect(Object.keys(summary.tables).sort()).toEqual(SAMPLE_TABLES);
    }
    const pids = new Set(processes.map((p) => p.pid));
    for (const table of SAMPLE_TABLES) {
      const planned = JSON.parse((await target.execute(`SELECT record FROM ${LEDGER}.runs WHERE run_id = ?`, [`${runId}/${table}`], { prepare: true })).first().get('record')).ranges as string[];
      const rows = await ledgerRows(`${runId}/${table}`);
      expect(rows.map((r) => r.range).sort()).toEqual([...planned].sort());
      expect(rows.every((r) => r.state === 'done' && pids.has(pidOf(r.finishedBy)))).toBe(true);
      expectSameCells(blankCells(await dumpTable(source, SAMPLE_KS, table), { writetime: null, ttl: null }), blankCells(await dumpTable(target, SAMPLE_KS, table), { writetime: null, ttl: null }));
    }
    const status = await runCli(['status', runId, '--state', `cassandra:${LEDGER}`, '--target', TARGET]);
    expect(status.out.split('\n').filter((line) => line.startsWith(`${runId}/`) && line.includes(' complete '))).toHaveLength(SAMPLE_TABLES.length);
  });
});

async function ledgerExists(): Promise<boolean> {
  const result = await target.execute('SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?', [LEDGER], { prepare: true });
  return result.rowLength >= 3;
}
