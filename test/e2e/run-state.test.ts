import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type cassandra from 'cassandra-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Summary } from '../../src/report/summary.js';
import { parseString } from 'fast-csv';
import { spawnCli } from '../support/cli.js';
import { freshSampleKeyspace, freshSampleSchema, REPO_ROOT, SOURCE, TARGET, testClient } from '../support/clusters.js';
import { blankCells, dumpTable, expectSameCells } from '../support/table-dump.js';

const KS = 'state_sample';
const cli = spawnCli;

const job = (table: string, stateDir: string, extra: string[] = []) => [
  'copy', '--source', SOURCE, '--target', TARGET, '--keyspace', KS, '--table', table, '--state-dir', stateDir, '--quiet', ...extra,
];

let source: cassandra.Client;
let target: cassandra.Client;

beforeAll(async () => {
  source = await testClient('source');
  target = await testClient('target');
  await freshSampleKeyspace(source, target, KS, 5);
});

afterAll(async () => {
  await source?.shutdown();
  await target?.shutdown();
});

describe('the built CLI', () => {
  it('prints help and exits 0; an unknown flag exits 2 with one line', async () => {
    const help = cli(['--help']);
    expect(await help.code).toBe(0);
    expect(help.out()).toContain('migrate copy');
    const bad = cli(['copy', '--bogus-flag']);
    expect(await bad.code).toBe(2);
    expect(bad.err().trim().split('\n')).toHaveLength(1);
    expect(bad.err()).toMatch(/^migrate: Unknown argument: bogus-flag/);
  });

  it('SIGINT stops a copy with exit 4 and saved state; --resume finishes it with the same stamp; a second run meanwhile exits 3, however it spells the clusters', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'migrate-resume-'));
    const first = cli(job('profiles', stateDir, ['--run-id', 'slow', '--rate-limit', '200', '--concurrency', '2']));
    const runDir = join(stateDir, 'runs', 'slow');
    while (!existsSync(join(runDir, 'ranges.jsonl'))) await sleep(50);

    // the same clusters by another name: the job is the clusters, not their contact points
    const spelledOtherwise = job('profiles', stateDir).map((a) => a.replace(/^127\.0\.0\.1:/, 'localhost:'));
    expect(spelledOtherwise).toContain('localhost:19042');
    const second = cli(spelledOtherwise);
    expect(await second.code).toBe(3);
    expect(second.err()).toMatch(/^migrate: another run of this job holds its lock \(copy .*state_sample\.profiles.*\): wait for it to finish/);

    first.kill('SIGINT');
    expect(await first.code).toBe(4);
    const record = JSON.parse(await readFile(join(runDir, 'run.json'), 'utf8'));
    const doneBefore = (await readFile(join(runDir, 'ranges.jsonl'), 'utf8')).trim().split('\n').length;
    expect(doneBefore).toBeGreaterThan(0);
    expect(doneBefore).toBeLessThan(record.ranges.length);

    const resumed = cli(job('profiles', stateDir, ['--resume', 'slow', '--json']));
    expect(await resumed.code).toBe(0);
    const summary = JSON.parse(resumed.out()) as Summary;
    expect(summary.runId).toBe('slow');
    expect(summary.jobStartMicros).toBe(record.jobStartMicros);
    expect(summary.rangesDone).toBe(record.ranges.length);
    // the resumed run did only the ranges the first had not finished: each range is recorded once, and the
    // summary counts the whole run
    const checkpoints = (await readFile(join(runDir, 'ranges.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l).range);
    expect(checkpoints).toHaveLength(record.ranges.length);
    expect(new Set(checkpoints).size).toBe(record.ranges.length);
    expect(summary.rowsRead).toBe(1500);
    const valuesOnly = { writetime: null, ttl: null };
    expectSameCells(blankCells(await dumpTable(source, KS, 'profiles'), valuesOnly), blankCells(await dumpTable(target, KS, 'profiles'), valuesOnly));
    const status = cli(['status', 'slow', '--state-dir', stateDir, '--json']);
    expect(await status.code).toBe(0);
    expect(JSON.parse(status.out())).toMatchObject({ runId: 'slow', rangesDone: record.ranges.length, rangesTotal: record.ranges.length });
  });

  it('a validate killed with kill -9 and resumed reports the whole run: counts, every difference once in differences.csv, exit code', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'migrate-validate-resume-'));
    // orders was never copied in this keyspace: every source row is missing from the target
    const args = ['validate', '--source', SOURCE, '--target', TARGET, '--keyspace', KS, '--table', 'orders', '--state-dir', stateDir, '--quiet', '--run-id', 'v'];
    const first = cli([...args, '--rate-limit', '300', '--concurrency', '2']);
    const runDir = join(stateDir, 'runs', 'v');
    while (!existsSync(join(runDir, 'ranges.jsonl'))) await sleep(50);
    // mid-range: some differences of unfinished ranges are in the file already
    await sleep(300);
    first.kill('SIGKILL');
    await first.code;
    const killedLines = (await readFile(join(runDir, 'differences.csv'), 'utf8')).trim().split('\n').length - 1;
    expect(killedLines).toBeGreaterThan(0);
    expect(killedLines).toBeLessThan(1001);
    const resumed = cli([...args, '--resume', 'v', '--json']);
    expect(await resumed.code).toBe(1);
    const summary = JSON.parse(resumed.out()) as Summary;
    expect({ missing: summary.missing, mismatched: summary.mismatched, extra: summary.extra }).toEqual({ missing: 1001, mismatched: 0, extra: 0 });
    const text = await readFile(join(runDir, 'differences.csv'), 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const rows = await new Promise<string[][]>((resolve, reject) => {
      const out: string[][] = [];
      parseString<string[], string[]>(text, { headers: false, strictColumnHandling: true }).on('error', reject).on('data', (r: string[]) => out.push(r)).on('end', () => resolve(out));
    });
    expect(rows[0]).toEqual(['kind', 'customer_id', 'region', 'order_ts', 'order_id', 'columns', 'note', 'range']);
    expect(rows.slice(1).every((r) => r.length === 8 && r[0] === 'missing' && /^-?\d+:-?\d+$/.test(r[7] as string))).toBe(true);
    // one partition holds only its static row: reported once, as a partition; every difference once
    expect(rows).toHaveLength(1002);
    expect(new Set(rows.slice(1).map((r) => r.slice(1, 5).join(','))).size).toBe(1001);
  });

  it('ranges that fail are listed in failed-ranges.csv (exit 5); --ranges-file reruns just those inside their run, at its stamp', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'migrate-failed-'));
    // A target keyspace that cannot take LOCAL_QUORUM writes: replication factor 3 on a one-node cluster.
    await freshSampleSchema(target, `${KS}_rf3`, 3);
    const failing = cli(job('orders', stateDir, ['--target-keyspace', `${KS}_rf3`, '--run-id', 'unavailable', '--json', '--retry-for', '1s']));
    expect(await failing.code).toBe(5);
    const summary = JSON.parse(failing.out()) as Summary;
    // every range holding rows fails; ranges without rows have nothing to write
    expect(summary.rangesFailed).toBeGreaterThan(summary.rangesTotal / 2);
    expect(summary.rangesDone + summary.rangesFailed).toBe(summary.rangesTotal);
    expect(summary.errors[0]).toMatch(/^range -?\d+:-?\d+: .*(Cannot achieve consistency|Not enough replicas).*retried for \d+ s; --retry-for sets how long/i);
    // what failed ranges read or wrote before failing is not reported as done
    expect({ read: summary.rowsRead, written: summary.rowsWritten }).toEqual({ read: 0, written: 0 });
    const failedCsv = join(stateDir, 'runs', 'unavailable', 'failed-ranges.csv');
    const csv = (await readFile(failedCsv, 'utf8')).trim().split('\n');
    expect(csv[0]).toBe('range,error,run_id,job_start_micros');
    expect(csv).toHaveLength(summary.rangesFailed + 1);
    expect(csv[1]).toMatch(new RegExp(`,unavailable,${summary.jobStartMicros}$`));
    // status knows the failed ranges from the run state, wherever the reports went
    const stopped = cli(['status', 'unavailable', '--state-dir', stateDir]);
    expect(await stopped.code).toBe(0);
    expect(stopped.out()).toMatch(new RegExp(`^unavailable  copy  ${summary.rangesDone}/${summary.rangesTotal} ranges  0 rows  stopped, ${summary.rangesFailed} ranges failed  started `));

    await target.execute(`ALTER KEYSPACE ${KS}_rf3 WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`);
    const rerun = cli(job('orders', stateDir, ['--target-keyspace', `${KS}_rf3`, '--ranges-file', failedCsv, '--json']));
    expect(await rerun.code).toBe(0);
    const whole = JSON.parse(rerun.out()) as Summary;
    // the rerun is part of the run it reruns: same id and stamp, and its summary is the whole run's
    expect(whole).toMatchObject({ runId: 'unavailable', jobStartMicros: summary.jobStartMicros, rangesDone: summary.rangesTotal, rangesFailed: 0 });
    const sourceRows = await dumpTable(source, KS, 'orders');
    expect(whole.rowsWritten).toBe(sourceRows.size);
    expect(await readdir(join(stateDir, 'runs'))).toEqual(['unavailable']);
    expect((await readFile(failedCsv, 'utf8')).trim()).toBe('range,error,run_id,job_start_micros');
    const copied = await dumpTable(target, `${KS}_rf3`, 'orders');
    expect(copied.size).toBe(sourceRows.size);
    const stamps = new Set([...copied.values()].flatMap((row) => Object.values(row).flatMap((cell) => [cell.writetime].flat().filter((w) => w !== null).map((w) => String(w).replace(/^Long:/, '')))));
    expect(stamps).toEqual(new Set([summary.jobStartMicros]));
    const status = cli(['status', '--state-dir', stateDir]);
    expect(await status.code).toBe(0);
    expect(status.out()).toMatch(new RegExp(`^unavailable  copy  ${summary.rangesTotal}/${summary.rangesTotal} ranges  ${sourceRows.size} rows  complete`));
  });

  it('without --quiet and without a terminal, progress is plain lines on stderr', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'migrate-progress-'));
    const run = cli(job('page_views', stateDir).filter((a) => a !== '--quiet'));
    expect(await run.code).toBe(0);
    expect(run.err()).toMatch(/^copy state_sample\.page_views: (\d+)\/\1 ranges, 500 rows, \d+ rows\/s, 0s left$/m);
    expect(run.out()).toMatch(/^copy state_sample\.page_views -> state_sample\.page_views \(run copy-/);
  });

  it('a throw inside a library\'s event handler ends the run with exit 7 (internal), one line, the stack in errors.log', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'migrate-crash-'));
    const preload = join(REPO_ROOT, 'test/support/throw-in-socket-data.mjs');
    const run = cli(job('page_views', stateDir, ['--workers', '1']), { NODE_OPTIONS: `--import ${preload}`, THROW_AT_DATA_EVENT: '20' });
    expect(await run.code).toBe(7);
    const errorLog = join(stateDir, 'errors.log');
    expect(run.err().trim().split('\n')).toEqual([`migrate: internal error: thrown inside a socket data handler (a defect of migrate: please report it with the stack, written to ${errorLog})`]);
    expect(await readFile(errorLog, 'utf8')).toMatch(/TypeError: thrown inside a socket data handler\n\s+at .*throw-in-socket-data\.mjs/);
  });

  it('passwords never reach the output or the run state', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'migrate-secret-'));
    // The test clusters accept any credentials (AllowAllAuthenticator), so the run goes through.
    const run = cli(job('page_views', stateDir, ['--target-keyspace', KS, '--source-user', 'alice', '--target-user', 'bob', '--run-id', 'secret']), {
      MIGRATE_SOURCE_PASSWORD: 'hunter2-source',
      MIGRATE_TARGET_PASSWORD: 'hunter2-target',
    });
    expect(await run.code).toBe(0);
    const files = await readdir(join(stateDir, 'runs', 'secret'));
    const texts = [run.out(), run.err(), ...(await Promise.all(files.map((f) => readFile(join(stateDir, 'runs', 'secret', f), 'utf8'))))];
    for (const text of texts) expect(text).not.toMatch(/hunter2/);
    expect(JSON.parse(await readFile(join(stateDir, 'runs', 'secret', 'run.json'), 'utf8')).options.clusters.source.password).toBe('***');
  });
});
