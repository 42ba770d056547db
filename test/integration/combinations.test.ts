import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { KeyspaceSummary } from '../../src/jobs/keyspace.js';
import type { Summary } from '../../src/report/summary.js';
import { jobArgs, runCli } from '../support/cli.js';
import { dropKeyspace, SOURCE, TARGET } from '../support/clusters.js';
import { clientsForFile } from '../support/file-clients.js';
import { blankCells, dumpTable, expectSameCells } from '../support/table-dump.js';

/**
 * Options that each work alone must work together. Nine two-valued options, and a set of runs in which
 * every pair of values of every two options meets at least once (a pairwise covering array, checked below):
 * each run copies small real tables, drifts the target, validates (with or without --autocorrect
 * --delete-extra), corrects what is left, and must exit as documented and leave the target exact.
 */
const factors = {
  scope: ['table', 'keyspace'],
  workers: ['1', '2'],
  state: ['local', 'cassandra'],
  maxLatency: [undefined, '500'],
  rateLimit: [undefined, '20000'],
  metricsPort: [false, true],
  writetime: ['job-start', 'preserve'],
  correct: [false, true],
  // detected at connect, or given: the override must change nothing on a target it names rightly
  profile: [undefined, 'cassandra'],
} as const;
type Factor = keyof typeof factors;
const names = Object.keys(factors) as Factor[];

/** Columns of a 6-run binary covering array: weight-3 vectors over runs 1..5 (run 0 all first values), so no column is another's complement. */
function coveringRuns(): Record<Factor, number>[] {
  const columns: number[][] = [];
  for (let mask = 0; mask < 32 && columns.length < names.length; mask++) {
    const bits = [0, ...Array.from({ length: 5 }, (_, i) => (mask >> i) & 1)];
    if (bits.reduce((a, b) => a + b, 0) === 3) columns.push(bits);
  }
  return Array.from({ length: 6 }, (_, run) => Object.fromEntries(names.map((name, f) => [name, (columns[f] as number[])[run] as number])) as Record<Factor, number>);
}

const runs = coveringRuns();
const clients = clientsForFile();
const TABLES = ['kv', 'pairs'];

describe('option combinations (pairwise)', () => {
  it('the runs cover every pair of values of every two options', () => {
    for (const a of names) {
      for (const b of names) {
        if (a >= b) continue;
        const seen = new Set(runs.map((r) => `${r[a]}${r[b]}`));
        expect({ a, b, pairs: [...seen].sort() }).toEqual({ a, b, pairs: ['00', '01', '10', '11'] });
      }
    }
  });

  runs.forEach((choice, i) => {
    const value = <F extends Factor>(f: F) => factors[f][choice[f]] as (typeof factors)[F][number];
    const label = names.map((n) => `${n}=${String(value(n))}`).join(' ');
    it(`run ${i}: ${label}`, async () => {
      const [source, target] = [clients.source(), clients.target()];
      const ks = `combo_${i}`;
      for (const client of [source, target]) {
        await dropKeyspace(client, ks);
        await client.execute(`CREATE KEYSPACE ${ks} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`);
        await client.execute(`CREATE TABLE ${ks}.kv (id int PRIMARY KEY, v text, l list<int>, s set<text>)`);
        await client.execute(`CREATE TABLE ${ks}.pairs (pk int, ck int, v int, PRIMARY KEY (pk, ck))`);
      }
      for (let id = 0; id < 40; id++) {
        await source.execute(`INSERT INTO ${ks}.kv (id, v, l, s) VALUES (?, ?, ?, ?)`, [id, `v${id}`, [id, id + 1], new Set([`s${id}`])], { prepare: true });
        await source.execute(`INSERT INTO ${ks}.pairs (pk, ck, v) VALUES (?, ?, ?)`, [id % 5, id, id], { prepare: true });
      }
      const stateDir = await mkdtemp(join(tmpdir(), `migrate-combo-${i}-`));
      const common = ['--workers', value('workers'), '--splits', '8', '--json'];
      if (value('state') === 'cassandra') common.push('--state', `cassandra:combo_ledger_${i}`);
      if (value('maxLatency')) common.push('--max-latency', value('maxLatency') as string);
      if (value('rateLimit')) common.push('--rate-limit', value('rateLimit') as string);
      if (value('metricsPort')) common.push('--metrics-port', String(19_500 + i));
      if (value('profile')) common.push('--target-profile', value('profile') as string);
      const args = (command: 'copy' | 'validate', extra: string[]) =>
        value('scope') === 'table'
          ? [command, ...jobArgs(ks, 'kv', stateDir, [...common, ...extra])]
          : [command, '--source', SOURCE, '--target', TARGET, '--keyspace', ks, '--state-dir', stateDir, '--quiet', ...common, ...extra];
      const tables = value('scope') === 'table' ? ['kv'] : TABLES;

      const copied = await runCli(args('copy', ['--writetime', value('writetime')]));
      expect({ step: 'copy', code: copied.code, err: copied.err }).toEqual({ step: 'copy', code: 0, err: '' });

      // drift in kv, as writes the target missed make it: a row and a change written to the source after the
      // copy (missing, mismatched), and a row only the target holds (extra)
      await source.execute(`INSERT INTO ${ks}.kv (id, v) VALUES (100, 'late')`);
      await source.execute(`UPDATE ${ks}.kv SET v = 'changed' WHERE id = 2`);
      await target.execute(`INSERT INTO ${ks}.kv (id, v) VALUES (999, 'extra') USING TIMESTAMP 1`);
      const first = await runCli(args('validate', value('correct') ? ['--autocorrect', '--delete-extra'] : []));
      expect({ step: 'validate', code: first.code, err: first.err }).toEqual({ step: 'validate', code: value('correct') ? 0 : 1, err: '' });
      const found = JSON.parse(first.out) as Summary & KeyspaceSummary;
      const kv = value('scope') === 'table' ? found : (found.tables.kv?.summary as Summary);
      expect({ missing: kv.missing, mismatched: kv.mismatched, extra: kv.extra, corrected: kv.corrected, deleted: kv.deleted }).toEqual(
        value('correct') ? { missing: 1, mismatched: 1, extra: 1, corrected: 2, deleted: 1 } : { missing: 1, mismatched: 1, extra: 1, corrected: 0, deleted: 0 },
      );
      if (!value('correct')) {
        const fixed = await runCli(args('validate', ['--autocorrect', '--delete-extra']));
        expect({ step: 'autocorrect', code: fixed.code, err: fixed.err }).toEqual({ step: 'autocorrect', code: 0, err: '' });
      }
      const last = await runCli(args('validate', []));
      expect({ step: 'final validate', code: last.code, err: last.err }).toEqual({ step: 'final validate', code: 0, err: '' });
      for (const table of tables) {
        expectSameCells(blankCells(await dumpTable(source, ks, table), { writetime: null, ttl: null }), blankCells(await dumpTable(target, ks, table), { writetime: null, ttl: null }));
      }
      for (const client of [source, target]) await dropKeyspace(client, ks);
    }, 240_000);
  });
});
