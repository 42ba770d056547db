import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type cassandra from 'cassandra-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WHOLE_LIST_NOTE } from '../../src/diff/list-repair.js';
import type { Summary } from '../../src/report/summary.js';
import { runCli } from '../support/cli.js';
import { dropKeyspace, GUARDED, guardedRole, SOURCE, testClient } from '../support/clusters.js';

/**
 * A target with a managed service's guardrails (scripts/cassandra.sh start guarded: list operations that read
 * before writing refused, SimpleStrategy refused), run as an ordinary role: the keyspace made by `migrate
 * schema --apply`, copied, drifted in its lists, and brought back exact by validate --autocorrect
 * --delete-extra, which repairs lists whole once the target refuses removals by value.
 */
const KS = 'guarded_lists';
let source: cassandra.Client;
let guarded: cassandra.Client;
let env: NodeJS.ProcessEnv;
let stateDir: string;

const job = (command: string, extra: string[] = []) => [command, '--source', SOURCE, '--target', GUARDED, '--target-user', 'migrator', '--keyspace', KS, ...extra];
const lists = async (client: cassandra.Client) => (await client.execute(`SELECT id, l, v FROM ${KS}.t`)).rows.map((r) => `${r.get('id')}:${((r.get('l') as number[] | null) ?? []).join(',')}:${r.get('v')}`).sort();

beforeAll(async () => {
  source = await testClient('source');
  guarded = await testClient('guarded');
  env = { MIGRATE_TARGET_PASSWORD: (await guardedRole(guarded)).password };
  await dropKeyspace(source, KS);
  await dropKeyspace(guarded, KS);
  await source.execute(`CREATE KEYSPACE ${KS} WITH replication = {'class': 'NetworkTopologyStrategy', 'datacenter1': 1}`);
  await source.execute(`CREATE TABLE ${KS}.t (id int PRIMARY KEY, l list<int>, v text)`);
  for (let id = 0; id < 30; id++) await source.execute(`INSERT INTO ${KS}.t (id, l, v) VALUES (?, ?, ?)`, [id, [id, id + 1, id + 2], `v${id}`], { prepare: true });
  stateDir = await mkdtemp(join(tmpdir(), 'migrate-guarded-'));
});

afterAll(async () => {
  await source?.shutdown();
  await guarded?.shutdown();
});

describe('a guarded target (managed-service guardrails)', () => {
  it('schema --apply, copy, list drift, validate --autocorrect --delete-extra: exact', async () => {
    const schema = await runCli(job('schema', ['--apply']), env);
    expect({ code: schema.code, err: schema.err }).toEqual({ code: 0, err: '' });
    const copied = await runCli(job('copy', ['--table', 't', '--state-dir', stateDir, '--quiet']), env);
    expect({ code: copied.code, err: copied.err }).toEqual({ code: 0, err: '' });
    expect(await lists(guarded)).toEqual(await lists(source));

    // drift in lists: elements the target lost, holds twice or in another order, a list the source grew, a target-only row
    await guarded.execute(`DELETE l[1] FROM ${KS}.t WHERE id = 1`);
    await guarded.execute(`UPDATE ${KS}.t USING TIMESTAMP 1 SET l = l + [2] WHERE id = 2`);
    await guarded.execute(`UPDATE ${KS}.t USING TIMESTAMP 1 SET l = [77] + l WHERE id = 3`);
    await source.execute(`UPDATE ${KS}.t SET l = l + [99] WHERE id = 4`);
    await guarded.execute(`INSERT INTO ${KS}.t (id, l, v) VALUES (500, [5], 'extra') USING TIMESTAMP 1`);
    const fixed = await runCli(job('validate', ['--table', 't', '--state-dir', stateDir, '--quiet', '--json', '--autocorrect', '--delete-extra']), env);
    const summary = JSON.parse(fixed.out) as Summary;
    expect({ code: fixed.code, err: fixed.err, mismatched: summary.mismatched, extra: summary.extra, corrected: summary.corrected, deleted: summary.deleted }).toEqual({ code: 0, err: '', mismatched: 4, extra: 1, corrected: 4, deleted: 1 });
    expect(summary.notes).toContain(WHOLE_LIST_NOTE);
    const last = await runCli(job('validate', ['--table', 't', '--state-dir', stateDir, '--quiet']), env);
    expect({ code: last.code, err: last.err }).toEqual({ code: 0, err: '' });
    expect(await lists(guarded)).toEqual(await lists(source));
  });

  it('a warning the target sends back with a write (a value over the 2 KiB warning threshold) is in the run\'s notes, once', async () => {
    for (const client of [source, guarded]) await client.execute(`CREATE TABLE ${KS}.w (id int PRIMARY KEY, v text)`);
    for (let id = 0; id < 20; id++) await source.execute(`INSERT INTO ${KS}.w (id, v) VALUES (?, ?)`, [id, id % 10 === 1 ? 'w'.repeat(3000) : `v${id}`], { prepare: true });
    const copied = await runCli(job('copy', ['--table', 'w', '--state-dir', stateDir, '--quiet', '--json']), env);
    const summary = JSON.parse(copied.out) as Summary;
    expect({ code: copied.code, err: copied.err, written: summary.rowsWritten }).toEqual({ code: 0, err: '', written: 20 });
    expect(summary.notes).toHaveLength(1);
    expect(summary.notes[0]).toMatch(/^the target warned of a write \(the first such warning; look in its log for the others\): .*\bv\b.*3000/);
    const row = (await guarded.execute(`SELECT v FROM ${KS}.w WHERE id = 11`)).first();
    expect(row?.get('v')).toBe('w'.repeat(3000));
  });
});
