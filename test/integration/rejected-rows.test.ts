import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import cassandraDriver from 'cassandra-driver';
import type cassandra from 'cassandra-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Summary } from '../../src/report/summary.js';
import { runCli } from '../support/cli.js';
import { GUARDED, guardedRole, SOURCE, testClient } from '../support/clusters.js';

/**
 * Rows the target refuses, against a real Cassandra 5.0 node with a managed service's guardrails
 * (scripts/cassandra.sh start guarded: column values over 4 KiB refused), run as an ordinary role (guardrails
 * spare superusers): without --max-errors the first refusal fails its range (exit 5, named); with it every
 * other row is copied, rejected.csv lists exactly the refused ones (exit 5); past N the run stops (exit 5);
 * --resume retries the refused rows.
 */
const KS = 'rejected_rows';
const ROWS = 40;
const refusedIds = Array.from({ length: ROWS }, (_, id) => id).filter((id) => id % 4 === 0);

let source: cassandra.Client;
let guarded: cassandra.Client;
let env: NodeJS.ProcessEnv;

const copy = async (stateDir: string, extra: string[] = []) => {
  const run = await runCli(['copy', '--source', SOURCE, '--target', GUARDED, '--target-user', 'migrator', '--keyspace', KS, '--table', 't', '--state-dir', stateDir, '--quiet', '--json', '--splits', '4', ...extra], env);
  return { code: run.code, summary: JSON.parse(run.out || '{}') as Summary, err: run.err };
};
const targetIds = async () => (await guarded.execute(`SELECT id FROM ${KS}.t`)).rows.map((r) => r.get('id') as number).sort((a, b) => a - b);
const rejectedIds = async (dir: string) =>
  (await readFile(join(dir, 'rejected.csv'), 'utf8'))
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => Number(line.split(',')[0]))
    .sort((a, b) => a - b);

beforeAll(async () => {
  source = await testClient('source');
  guarded = await testClient('guarded');
  const role = await guardedRole(guarded);
  env = { MIGRATE_TARGET_PASSWORD: role.password };
  for (const client of [source, guarded]) {
    await client.execute(`DROP KEYSPACE IF EXISTS ${KS}`);
    await client.execute(`CREATE KEYSPACE ${KS} WITH replication = {'class': 'NetworkTopologyStrategy', 'datacenter1': 1}`);
    await client.execute(`CREATE TABLE ${KS}.t (id int PRIMARY KEY, body text, n int)`);
  }
  for (let id = 0; id < ROWS; id++) {
    await source.execute(`INSERT INTO ${KS}.t (id, body, n) VALUES (?, ?, ?)`, [id, refusedIds.includes(id) ? 'x'.repeat(5000) : `row ${id}`, id], { prepare: true });
  }
});

afterAll(async () => {
  await source?.shutdown();
  await guarded?.shutdown();
});

describe('rows the target refuses (a guardrail: column values over 4 KiB)', () => {
  it('the guarded node refuses an ordinary role what a managed service refuses (SimpleStrategy, list operations by index, big values)', async () => {
    const role = await guardedRole(guarded);
    const [host, port] = GUARDED.split(':');
    const asRole = new cassandraDriver.Client({ contactPoints: [host as string], protocolOptions: { port: Number(port) }, localDataCenter: 'datacenter1', credentials: role });
    try {
      await expect(asRole.execute(`CREATE KEYSPACE ${KS}_simple WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`)).rejects.toThrow(/SimpleStrategy/);
      await asRole.execute(`CREATE TABLE IF NOT EXISTS ${KS}.lists (id int PRIMARY KEY, l list<int>)`);
      await asRole.execute(`UPDATE ${KS}.lists SET l = [1, 2] WHERE id = 1`);
      await expect(asRole.execute(`DELETE l[0] FROM ${KS}.lists WHERE id = 1`)).rejects.toThrow(/read before write/i);
      await expect(asRole.execute(`INSERT INTO ${KS}.t (id, body) VALUES (999, '${'z'.repeat(5000)}')`)).rejects.toThrow(/body/);
    } finally {
      await asRole.shutdown();
    }
  });

  it('without --max-errors: exit 5, the first refusal named, the other ranges copied', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'migrate-refused-'));
    const run = await copy(dir);
    expect(run.code).toBe(5);
    expect(run.summary.errors[0]).toMatch(/column_value_size|Value of column body has size/i);
    expect(run.summary.rangesFailed).toBeGreaterThan(0);
    expect(existsSync(join(dir, 'runs'))).toBe(true);
  });

  it('--max-errors 10: every other row copied, rejected.csv lists exactly the refused ones, exit 5; --resume retries them', async () => {
    await guarded.execute(`TRUNCATE ${KS}.t`);
    const dir = await mkdtemp(join(tmpdir(), 'migrate-rejected-'));
    const run = await copy(dir, ['--max-errors', '10', '--run-id', 'refusing']);
    expect({ code: run.code, err: run.err, rejected: run.summary.rejected, failed: run.summary.rangesFailed, written: run.summary.rowsWritten }).toEqual({ code: 5, err: '', rejected: 10, failed: 0, written: ROWS - 10 });
    const reportDir = join(dir, 'runs', 'refusing');
    expect(await rejectedIds(reportDir)).toEqual(refusedIds);
    const header = (await readFile(join(reportDir, 'rejected.csv'), 'utf8')).split('\n')[0];
    expect(header).toBe('id,columns,error,range');
    expect(await targetIds()).toEqual(Array.from({ length: ROWS }, (_, id) => id).filter((id) => !refusedIds.includes(id)));

    // what the target refused is made acceptable in the source; the continued run retries just those rows
    for (const id of refusedIds) await source.execute(`UPDATE ${KS}.t SET body = ? WHERE id = ?`, [`shortened ${id}`, id], { prepare: true });
    const resumed = await copy(dir, ['--max-errors', '10', '--resume', 'refusing']);
    expect({ code: resumed.code, err: resumed.err, rejected: resumed.summary.rejected }).toEqual({ code: 0, err: '', rejected: 0 });
    expect(await rejectedIds(reportDir)).toEqual([]);
    expect(await targetIds()).toEqual(Array.from({ length: ROWS }, (_, id) => id));
    const bodies = (await guarded.execute(`SELECT id, body FROM ${KS}.t`)).rows.filter((r) => refusedIds.includes(r.get('id') as number));
    expect(bodies.every((r) => r.get('body') === `shortened ${r.get('id')}`)).toBe(true);
  });

  it('past --max-errors the run stops: exit 5, saying so', async () => {
    for (const id of refusedIds) await source.execute(`UPDATE ${KS}.t SET body = ? WHERE id = ?`, ['y'.repeat(5000), id], { prepare: true });
    await guarded.execute(`TRUNCATE ${KS}.t`);
    const dir = await mkdtemp(join(tmpdir(), 'migrate-too-many-'));
    const run = await copy(dir, ['--max-errors', '3', '--concurrency', '1', '--workers', '1']);
    expect(run.code).toBe(5);
    expect(run.summary.errors.at(-1)).toMatch(/^the target refused \d+ rows, more than --max-errors 3 \(see rejected\.csv\)/);
    expect(run.summary.rangesDone).toBeLessThan(run.summary.rangesTotal);
  });
});
