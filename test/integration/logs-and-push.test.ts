import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type cassandra from 'cassandra-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Summary } from '../../src/report/summary.js';
import { jobArgs, spawnCli } from '../support/cli.js';
import { freshSampleKeyspace, freshSampleSchema } from '../support/clusters.js';
import { clientsForFile } from '../support/file-clients.js';
import { parsePrometheus, sampleValue } from '../support/prometheus-text.js';

const KS = 'logs_sample';
const GATEWAY_PORT = 19_950 + Math.floor(Math.random() * 40);

// Opened before the hooks below run, closed after the file's tests.
const clients = clientsForFile();
let source: cassandra.Client;
let target: cassandra.Client;
let gateway: ChildProcess | undefined;

beforeAll(async () => {
  source = clients.source();
  target = clients.target();
  await freshSampleKeyspace(source, target, KS, 2);
});

afterAll(async () => {
  gateway?.kill();
});

/** Every stderr line as JSON: a line that does not parse fails the test. */
const events = (stderr: string) => stderr.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);

describe('--log-format json', () => {
  it('every stderr line of a run is one JSON object: start with redacted options, progress, end with the exit code; no password anywhere', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'migrate-logs-'));
    const args = jobArgs(KS, 'orders', stateDir, ['--log-format', 'json', '--source-user', 'alice', '--run-id', 'logged']).filter((a) => a !== '--quiet');
    const run = spawnCli(['copy', ...args], { MIGRATE_SOURCE_PASSWORD: 'hunter2-source' });
    expect(await run.code).toBe(0);
    const logged = events(run.err());
    expect(logged.map((e) => e.event)).toEqual(['run-start', 'progress', 'run-end']);
    expect(logged[0]).toMatchObject({ command: 'copy', keyspace: KS, table: 'orders', runId: 'logged', options: { clusters: { source: { user: 'alice', password: '***' } } } });
    expect(logged[2]).toMatchObject({ exitCode: 0, rangesFailed: 0, rowsWritten: 401 });
    expect(run.err()).not.toContain('hunter2');
    expect(run.out()).not.toContain('hunter2');
  });

  it('range failures and retries are events too, and so is bad input', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'migrate-logs-failing-'));
    // LOCAL_QUORUM writes into a keyspace with replication factor 3 on one node: every write is refused
    await freshSampleSchema(target, `${KS}_rf3`, 3);
    const failing = spawnCli(['copy', ...jobArgs(KS, 'orders', stateDir, ['--target-keyspace', `${KS}_rf3`, '--log-format', 'json', '--retry-for', '1s'])]);
    expect(await failing.code).toBe(5);
    const logged = events(failing.err());
    const kinds = new Set(logged.map((e) => e.event));
    expect([...kinds].sort()).toEqual(expect.arrayContaining(['range-failed', 'retry', 'run-end', 'run-start']));
    expect(logged.find((e) => e.event === 'range-failed')).toMatchObject({ table: 'orders', range: expect.stringMatching(/^-?\d+:-?\d+$/), error: expect.stringMatching(/consistency|replicas/i) });
    expect(logged.find((e) => e.event === 'retry')).toMatchObject({ cluster: 'target' });
    expect(logged.at(-1)).toMatchObject({ event: 'run-end', exitCode: 5 });

    const bad = spawnCli(['copy', ...jobArgs(KS, 'orders', stateDir, ['--log-format', 'json', '--page-size', 'abc'])]);
    expect(await bad.code).toBe(2);
    expect(events(bad.err())).toEqual([{ time: expect.any(String), event: 'error', exitCode: 2, message: 'migrate: --page-size takes a number' }]);
  });
});

describe('--pushgateway', () => {
  it('a validate pushes its final metrics and its success time to a real Pushgateway', async () => {
    gateway = spawn('prometheus-pushgateway', [`--web.listen-address=127.0.0.1:${GATEWAY_PORT}`], { stdio: 'ignore' });
    const url = `http://127.0.0.1:${GATEWAY_PORT}`;
    for (let i = 0; i < 100 && !(await fetch(`${url}/-/ready`).then((r) => r.ok, () => false)); i++) await sleep(100);
    const stateDir = await mkdtemp(join(tmpdir(), 'migrate-push-'));
    await spawnCli(['copy', ...jobArgs(KS, 'profiles', stateDir)]).code;
    const before = Date.now() / 1000;
    const run = spawnCli(['validate', ...jobArgs(KS, 'profiles', stateDir, ['--json', '--run-id', 'pushed', '--pushgateway', url])]);
    expect({ code: await run.code, err: run.err() }).toEqual({ code: 0, err: '' });
    const summary = JSON.parse(run.out()) as Summary;
    const pushed = parsePrometheus(await (await fetch(`${url}/metrics`)).text());
    const job = `cql_migrate_validate_${KS}_profiles`;
    expect(sampleValue(pushed, 'cql_migrate_rows_compared_total', { job, run_id: 'pushed', table: 'profiles' })).toBe(summary.rowsCompared);
    expect(sampleValue(pushed, 'cql_migrate_exit_code', { job })).toBe(0);
    expect(sampleValue(pushed, 'cql_migrate_last_success_timestamp_seconds', { job })).toBeGreaterThanOrEqual(Math.floor(before));
  });
});
