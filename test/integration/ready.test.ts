import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { KeyspaceSummary } from '../../src/report/keyspace-report.js';
import type { Readiness } from '../../src/report/readiness.js';
import { runCli } from '../support/cli.js';
import { dropKeyspace, SOURCE, TARGET } from '../support/clusters.js';
import { clientsForFile } from '../support/file-clients.js';

/**
 * `migrate ready`: the cut-over verdict from the recorded runs, on the local state folder and on the ledger
 * in the target read from another machine's point of view (a fresh state folder).
 */
const clients = clientsForFile();

async function freshKeyspace(ks: string): Promise<void> {
  const [source, target] = [clients.source(), clients.target()];
  for (const client of [source, target]) {
    await dropKeyspace(client, ks);
    await client.execute(`CREATE KEYSPACE ${ks} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`);
    await client.execute(`CREATE TABLE ${ks}.kv (id int PRIMARY KEY, v text)`);
    await client.execute(`CREATE TABLE ${ks}.pairs (pk int, ck int, v int, PRIMARY KEY (pk, ck))`);
  }
  for (let id = 0; id < 30; id++) {
    await source.execute(`INSERT INTO ${ks}.kv (id, v) VALUES (?, ?)`, [id, `v${id}`], { prepare: true });
    await source.execute(`INSERT INTO ${ks}.pairs (pk, ck, v) VALUES (?, ?, ?)`, [id % 3, id, id], { prepare: true });
  }
}

function job(ks: string, stateDir: string, state: string[]) {
  const run = async (command: 'copy' | 'validate', extra: string[] = []) => {
    const result = await runCli([command, '--source', SOURCE, '--target', TARGET, '--keyspace', ks, '--state-dir', stateDir, '--quiet', '--json', '--splits', '4', ...state, ...extra]);
    return { code: result.code, err: result.err, summary: JSON.parse(result.out || '{}') as KeyspaceSummary };
  };
  const ready = async (dir = stateDir, extra: string[] = []) => {
    const text = await runCli(['ready', '--keyspace', ks, '--state-dir', dir, '--target', TARGET, ...state, ...extra]);
    const json = await runCli(['ready', '--keyspace', ks, '--state-dir', dir, '--target', TARGET, '--json', ...state, ...extra]);
    return { code: text.code, out: text.out, err: text.err, verdict: JSON.parse(json.out || '{}') as Readiness };
  };
  return { run, ready };
}

describe('migrate ready (local state)', () => {
  it('clean three times: ready; drift found by a fourth validate: not ready, naming the table; corrected and clean three times more: ready; a table never validated: not ready', async () => {
    const ks = 'ready_local';
    await freshKeyspace(ks);
    const stateDir = await mkdtemp(join(tmpdir(), 'migrate-ready-'));
    const { run, ready } = job(ks, stateDir, []);
    expect((await run('copy')).code).toBe(0);
    const early = await ready();
    expect({ code: early.code, reasons: early.verdict.tables.map((t) => t.reasons) }).toEqual({ code: 1, reasons: [['never validated'], ['never validated']] });
    for (let i = 0; i < 3; i++) expect((await run('validate')).code).toBe(0);
    const clean = await ready();
    expect({ code: clean.code, err: clean.err, first: clean.out.split('\n')[0] }).toEqual({ code: 0, err: '', first: `${ks}: ready to move reads to the target` });

    await clients.source().execute(`UPDATE ${ks}.kv SET v = 'changed' WHERE id = 7`);
    const metricsFile = join(stateDir, 'drift.prom');
    const drift = await run('validate', ['--metrics-file', metricsFile]);
    expect(drift.code).toBe(1);
    // the same verdict in the job's metrics and at the top of its keyspace page
    const metrics = await readFile(metricsFile, 'utf8');
    expect(metrics).toMatch(new RegExp(`^cql_migrate_ready\\{keyspace="${ks}",table="kv"\\} 0$`, 'm'));
    expect(metrics).toMatch(new RegExp(`^cql_migrate_ready\\{keyspace="${ks}",table="pairs"\\} 1$`, 'm'));
    expect(metrics).toMatch(new RegExp(`^cql_migrate_ready\\{keyspace="${ks}",table=""\\} 0$`, 'm'));
    const page = await readFile(join(stateDir, 'runs', drift.summary.runId, 'report.html'), 'utf8');
    expect(page).toContain(`<section class="readiness" data-ready="false"><h2>Not ready to move reads to the target (1 of 2 tables)</h2><ul><li data-not-ready="${ks}.kv">`);
    const notReady = await ready();
    expect(notReady.code).toBe(1);
    expect(notReady.out).toMatch(new RegExp(`^  ${ks}\\.kv +NOT READY: differences in the last run \\(0 missing, 1 mismatched, 0 extra\\); last clean run \\S+; differences by run, oldest first: 0 0 0 1$`, 'm'));
    expect(notReady.verdict.tables.find((t) => t.table === `${ks}.pairs`)?.ready).toBe(true);

    // status shows the outcome beside the progress: the drifted validate's table run exited 1, with its counts
    const status = await runCli(['status', drift.summary.runId, '--state-dir', stateDir]);
    expect(status.out).toMatch(new RegExp(`^${drift.summary.runId}/kv  validate  (\\d+)/\\1 ranges  \\d+ rows  complete \\(exit 1: 0 missing, 1 mismatched, 0 extra, 0 target-newer\\)  started `, 'm'));

    expect((await run('validate', ['--autocorrect'])).code).toBe(0);
    expect((await ready()).code).toBe(1);
    for (let i = 0; i < 3; i++) expect((await run('validate')).code).toBe(0);
    expect((await ready()).code).toBe(0);

    // a new table, copied alone and never validated
    for (const client of [clients.source(), clients.target()]) await client.execute(`CREATE TABLE ${ks}.fresh (id int PRIMARY KEY)`);
    await clients.source().execute(`INSERT INTO ${ks}.fresh (id) VALUES (1)`);
    expect((await runCli(['copy', '--source', SOURCE, '--target', TARGET, '--keyspace', ks, '--table', 'fresh', '--state-dir', stateDir, '--quiet'])).code).toBe(0);
    const fresh = await ready();
    expect(fresh.code).toBe(1);
    expect(fresh.out).toMatch(new RegExp(`^  ${ks}\\.fresh +NOT READY: never validated; no clean run yet$`, 'm'));
    expect((await ready(stateDir, ['--keyspace', 'nowhere'])).code).toBe(2);
  }, 300_000);
});

describe('migrate ready (--state cassandra, from another machine)', () => {
  it('reads the verdict from the ledger in the target with a fresh state folder', async () => {
    const ks = 'ready_shared';
    await freshKeyspace(ks);
    // a ledger of its own, without the runs of an earlier execution of this test
    await dropKeyspace(clients.target(), 'ready_ledger');
    const state = ['--state', 'cassandra:ready_ledger'];
    const { run, ready } = job(ks, await mkdtemp(join(tmpdir(), 'migrate-ready-a-')), state);
    expect((await run('copy')).code).toBe(0);
    for (let i = 0; i < 3; i++) expect((await run('validate')).code).toBe(0);
    const elsewhere = await mkdtemp(join(tmpdir(), 'migrate-ready-b-'));
    expect((await ready(elsewhere)).code).toBe(0);
    await clients.source().execute(`INSERT INTO ${ks}.pairs (pk, ck, v) VALUES (9, 9, 9)`);
    expect((await run('validate')).code).toBe(1);
    const notReady = await ready(await mkdtemp(join(tmpdir(), 'migrate-ready-c-')));
    expect({ code: notReady.code, tables: notReady.verdict.tables.map((t) => [t.table, t.reasons]) }).toEqual({
      code: 1,
      tables: [
        [`${ks}.kv`, []],
        [`${ks}.pairs`, ['differences in the last run (1 missing, 0 mismatched, 0 extra)']],
      ],
    });
    expect((await run('validate', ['--autocorrect'])).code).toBe(0);
    for (let i = 0; i < 3; i++) expect((await run('validate')).code).toBe(0);
    expect((await ready(await mkdtemp(join(tmpdir(), 'migrate-ready-d-')))).code).toBe(0);
    for (const client of [clients.source(), clients.target()]) await client.execute(`CREATE TABLE ${ks}.fresh (id int PRIMARY KEY)`);
    expect((await runCli(['copy', '--source', SOURCE, '--target', TARGET, '--keyspace', ks, '--table', 'fresh', '--state-dir', await mkdtemp(join(tmpdir(), 'migrate-ready-e-')), '--quiet', ...state])).code).toBe(0);
    const fresh = await ready(await mkdtemp(join(tmpdir(), 'migrate-ready-f-')));
    expect({ code: fresh.code, fresh: fresh.verdict.tables.find((t) => t.table === `${ks}.fresh`)?.reasons }).toEqual({ code: 1, fresh: ['never validated'] });
  }, 300_000);
});
