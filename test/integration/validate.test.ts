import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import cassandra from 'cassandra-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Summary } from '../../src/report/summary.js';
import { jobArgs, runCli } from '../support/cli.js';
import { freshSampleKeyspace, testClient } from '../support/clusters.js';

const { types } = cassandra;
const KS = 'validate_sample';
const TABLES = ['orders', 'profiles', 'page_views'] as const;
const DAY = 86_400_000_000n;

let source: cassandra.Client;
let target: cassandra.Client;
let stateDir: string;

interface Run {
  code: number;
  summary: Summary;
  csv: string[][];
  err: string;
}

async function migrate(command: 'copy' | 'validate', table: string, extra: string[] = []): Promise<Run> {
  const reportDir = await mkdtemp(join(tmpdir(), `migrate-${command}-`));
  const run = await runCli([command, ...jobArgs(KS, table, stateDir, ['--json', '--report-dir', reportDir, ...extra])]);
  const text = command === 'validate' ? await readFile(join(reportDir, 'differences.csv'), 'utf8').catch(() => expect.fail(`no differences.csv: exit ${run.code}, ${run.err}`)) : '';
  const lines = text ? text.trim().split('\n').map((l) => l.split(',')) : [];
  // The last column names the token range each difference was found in; the rest is compared below.
  for (const [i, line] of lines.entries()) expect(line.at(-1)).toMatch(i === 0 ? /^range$/ : /^-?\d+:-?\d+$/);
  const csv = lines.map((line) => line.slice(0, -1));
  return { code: run.code, summary: run.out ? (JSON.parse(run.out) as Summary) : ({} as Summary), csv, err: run.err };
}

const counts = (s: Summary) => ({ missing: s.missing, mismatched: s.mismatched, extra: s.extra, targetNewer: s.targetNewer });
const nowMicros = () => BigInt(Date.now()) * 1000n;
const exec = (client: cassandra.Client, query: string, params: unknown[] = []) => client.execute(query, params, { prepare: true });

beforeAll(async () => {
  source = await testClient('source');
  target = await testClient('target');
  await freshSampleKeyspace(source, target, KS, 2);
  stateDir = await mkdtemp(join(tmpdir(), 'migrate-validate-'));
});

afterAll(async () => {
  await source?.shutdown();
  await target?.shutdown();
});

describe('migrate validate', () => {
  let copyStamp: bigint;

  it('after a copy: 0 differences and exit 0 on every sample table', async () => {
    for (const table of TABLES) {
      const copy = await migrate('copy', table);
      expect(copy.code).toBe(0);
      if (table === 'profiles') copyStamp = BigInt(copy.summary.jobStartMicros);
    }
    for (const table of TABLES) {
      const run = await migrate('validate', table);
      expect({ table, code: run.code, err: run.err, ...counts(run.summary) }).toEqual({ table, code: 0, err: '', missing: 0, mismatched: 0, extra: 0, targetNewer: 0 });
      expect(run.summary.rowsCompared).toBeGreaterThan(0);
      expect(run.csv).toEqual([['kind', ...(table === 'orders' ? ['customer_id', 'region', 'order_ts', 'order_id'] : table === 'profiles' ? ['id'] : ['page', 'day']), 'columns', 'note']]);
    }
  });

  it('finds exactly the drift a live migration leaves, with the right keys, and exits 1', async () => {
    const old = nowMicros() - 20n * DAY;
    // Rows the copy never saw: in the source only, with old writetimes.
    for (let id = 10_000; id < 10_005; id++) await exec(source, `INSERT INTO ${KS}.profiles (id, tags) VALUES (?, ?) USING TIMESTAMP ?`, [id, new Set(['old']), old.toString()]);
    const newCustomer = types.Uuid.fromString('11111111-1111-1111-1111-111111111111');
    for (const minute of [1, 2]) {
      await exec(source, `INSERT INTO ${KS}.orders (customer_id, region, order_ts, order_id, items, customer_name) VALUES (?, 'eu', ?, ?, 1, 'new') USING TIMESTAMP ?`, [newCustomer, new Date(Date.UTC(2024, 0, 1, 0, minute)), types.TimeUuid.fromDate(new Date(Date.UTC(2024, 0, 1)), minute), old.toString()]);
    }
    for (const day of ['2030-01-01', '2030-01-02']) await exec(source, `UPDATE ${KS}.page_views SET views = views + 5 WHERE page = '/new' AND day = ?`, [types.LocalDate.fromString(day)]);

    // Newer writes that only the source got: a collection element, a UDT field, a static column, a
    // decimal's scale, an empty string where the target has null, a counter.
    await exec(source, `UPDATE ${KS}.profiles SET tags = tags + {'new'} WHERE id = 20`);
    await exec(source, `UPDATE ${KS}.profiles SET home.zip = 1 WHERE id = 21`);
    const orders = (await source.execute(`SELECT customer_id, region, order_ts, order_id, total, items, note FROM ${KS}.orders`)).rows;
    const scaled = orders.find((r) => r.get('total')?.toString() === '1.10');
    const keyOnly = orders.find((r) => r.get('items') === null && r.get('note') === null);
    expect(scaled && keyOnly).toBeTruthy();
    const key = (r: cassandra.types.Row) => [r.get('customer_id'), r.get('region'), r.get('order_ts'), r.get('order_id')];
    const where = 'customer_id = ? AND region = ? AND order_ts = ? AND order_id = ?';
    await exec(source, `UPDATE ${KS}.orders SET total = ? WHERE ${where}`, [types.BigDecimal.fromString('1.1'), ...key(scaled as cassandra.types.Row)]);
    await exec(source, `UPDATE ${KS}.orders SET note = '' WHERE ${where}`, key(keyOnly as cassandra.types.Row));
    await exec(source, `UPDATE ${KS}.orders SET customer_name = 'renamed' WHERE customer_id = ? AND region = ?`, [keyOnly?.get('customer_id'), keyOnly?.get('region')]);
    await exec(source, `UPDATE ${KS}.page_views SET views = views + 1 WHERE page = '/page/3' AND day = ?`, [types.LocalDate.fromString('2024-01-04')]);

    // A live write the source has not seen yet: newer in the target.
    await exec(target, `UPDATE ${KS}.profiles USING TIMESTAMP ? SET attrs = attrs + {'proxy': 1} WHERE id = 30`, [nowMicros().toString()]);
    // A late live write from a host with a slow clock: older than our copy's stamp, so the copy's value hid it.
    await exec(source, `UPDATE ${KS}.profiles USING TIMESTAMP ? SET nested = {'slow': [1]} WHERE id = 40`, [(copyStamp - 1000n).toString()]);

    // Stray old rows in the target only.
    for (let id = 20_000; id < 20_003; id++) await exec(target, `INSERT INTO ${KS}.profiles (id, tags) VALUES (?, {'stray'}) USING TIMESTAMP ?`, [id, old.toString()]);
    await exec(target, `INSERT INTO ${KS}.orders (customer_id, region, order_ts, order_id, items) VALUES (?, ?, ?, ?, 9) USING TIMESTAMP ?`, [keyOnly?.get('customer_id'), keyOnly?.get('region'), new Date(0), types.TimeUuid.fromDate(new Date(0), 1), old.toString()]);
    await exec(target, `UPDATE ${KS}.page_views SET clicks = clicks + 1 WHERE page = '/stray' AND day = ?`, [types.LocalDate.fromString('2031-01-01')]);

    const profiles = await migrate('validate', 'profiles');
    expect({ code: profiles.code, ...counts(profiles.summary) }).toEqual({ code: 1, missing: 5, mismatched: 4, extra: 3, targetNewer: 1 });
    const byKind = (run: Run, kind: string) => run.csv.filter((l) => l[0] === kind).map((l) => l.slice(1)).sort();
    expect(byKind(profiles, 'missing')).toEqual(['10000', '10001', '10002', '10003', '10004'].map((id) => [id, '', '']));
    expect(byKind(profiles, 'extra')).toEqual(['20000', '20001', '20002'].map((id) => [id, '', '']));
    expect(byKind(profiles, 'mismatched')).toEqual([['20', 'tags', ''], ['21', 'home', ''], ['30', 'attrs', 'target-newer'], ['40', 'nested', '']]);

    // A range holding more rows than the budget is compared in parts, with the same exact totals.
    const budgeted = await migrate('validate', 'profiles', ['--range-budget', '8']);
    expect({ code: budgeted.code, compared: budgeted.summary.rowsCompared, ...counts(budgeted.summary) }).toEqual({
      code: 1, compared: profiles.summary.rowsCompared, missing: 5, mismatched: 4, extra: 3, targetNewer: 1,
    });

    const ordersRun = await migrate('validate', 'orders');
    expect({ code: ordersRun.code, ...counts(ordersRun.summary) }).toEqual({ code: 1, missing: 2, mismatched: 3, extra: 1, targetNewer: 0 });
    const customer = String(keyOnly?.get('customer_id'));
    expect(byKind(ordersRun, 'mismatched').map((l) => [l[0], l[2] === '' ? 'static' : 'row', l.at(-2)]).sort()).toEqual(
      [[customer, 'row', 'note'], [customer, 'static', 'customer_name'], [String(scaled?.get('customer_id')), 'row', 'total']].sort(),
    );
    expect(byKind(ordersRun, 'missing').every((l) => l[0] === '11111111-1111-1111-1111-111111111111')).toBe(true);

    const views = await migrate('validate', 'page_views');
    expect({ code: views.code, ...counts(views.summary) }).toEqual({ code: 1, missing: 2, mismatched: 1, extra: 1, targetNewer: 0 });
    expect(byKind(views, 'extra')).toEqual([['/stray', '2031-01-01', '', '']]);
  });

  it('--autocorrect --delete-extra brings the target back, leaving the newer live write alone', async () => {
    const fixes = { profiles: [8, 3], orders: [5, 1], page_views: [3, 1] } as const;
    for (const table of TABLES) {
      const run = await migrate('validate', table, ['--autocorrect', '--delete-extra']);
      expect({ table, code: run.code, corrected: run.summary.corrected, deleted: run.summary.deleted }).toEqual({ table, code: 0, corrected: fixes[table][0], deleted: fixes[table][1] });
    }
    for (const table of TABLES) {
      const run = await migrate('validate', table);
      expect({ table, code: run.code, ...counts(run.summary) }).toEqual({
        table, code: 0, missing: 0, mismatched: table === 'profiles' ? 1 : 0, extra: 0, targetNewer: table === 'profiles' ? 1 : 0,
      });
    }
    const attrs = (await target.execute(`SELECT attrs FROM ${KS}.profiles WHERE id = 30`)).first().get('attrs') as Map<string, number>;
    expect(attrs.get('proxy')).toBe(1);
    const nested = (await target.execute(`SELECT nested, WRITETIME(nested) FROM ${KS}.profiles WHERE id = 40`)).first();
    expect([...(nested.get('nested') as Map<string, number[]>).entries()]).toEqual([['slow', [1]]]);
    // above our copy's stamp, inside the window that marks it as ours
    expect(BigInt(nested.get('writetime(nested)').toString()) - copyStamp).toBeGreaterThan(0n);
    expect(BigInt(nested.get('writetime(nested)').toString()) - copyStamp).toBeLessThan(1_000_000n);
    const views = (await target.execute(`SELECT views FROM ${KS}.page_views WHERE page = '/page/3' AND day = '2024-01-04'`)).first();
    const sourceViews = (await source.execute(`SELECT views FROM ${KS}.page_views WHERE page = '/page/3' AND day = '2024-01-04'`)).first();
    expect(views.get('views').toString()).toBe(sourceViews.get('views').toString());
  });

  it('a source row hidden in the target by a newer deletion is reported as shadowed, never forced in', async () => {
    await exec(target, `DELETE FROM ${KS}.profiles USING TIMESTAMP ? WHERE id = 50`, [nowMicros().toString()]);
    const run = await migrate('validate', 'profiles', ['--autocorrect']);
    expect({ code: run.code, missing: run.summary.missing, corrected: run.summary.corrected }).toEqual({ code: 1, missing: 1, corrected: 0 });
    expect(run.csv.filter((l) => l[0] === 'missing')).toEqual([['missing', '50', '', 'shadowed']]);
    expect((await target.execute(`SELECT id FROM ${KS}.profiles WHERE id = 50`)).rowLength).toBe(0);
  });

  it('a live write that has reached the target and not yet the source is left, not deleted under it', async () => {
    // The proxy writes both sides at once: validate may read the target's half before the source's lands.
    const stamp = nowMicros().toString();
    const customer = types.Uuid.random();
    const insert = `INSERT INTO ${KS}.orders (customer_id, region, order_ts, order_id, customer_name, items) VALUES (?, 'eu', ?, ?, 'live', 3) USING TIMESTAMP ?`;
    const params = [customer, new Date(Date.UTC(2025, 0, 1)), types.TimeUuid.fromDate(new Date(Date.UTC(2025, 0, 1)), 7), stamp];
    await exec(target, insert, params);
    const inFlight = await migrate('validate', 'orders', ['--autocorrect', '--delete-extra']);
    expect({ code: inFlight.code, ...counts(inFlight.summary), deleted: inFlight.summary.deleted }).toEqual({ code: 0, missing: 0, mismatched: 0, extra: 1, targetNewer: 1, deleted: 0 });
    expect(inFlight.csv.filter((l) => l[0] === 'extra').map((l) => [l[1], l.at(-1)])).toEqual([[customer.toString(), 'target-newer']]);
    // the source's half lands at the same stamp: both sides agree, and the row is in the target
    await exec(source, insert, params);
    const after = await migrate('validate', 'orders');
    expect({ code: after.code, ...counts(after.summary) }).toEqual({ code: 0, missing: 0, mismatched: 0, extra: 0, targetNewer: 0 });
    const row = (await target.execute(`SELECT customer_name, items FROM ${KS}.orders WHERE customer_id = ? AND region = 'eu'`, [customer], { prepare: true })).first();
    expect([row?.get('customer_name'), row?.get('items')]).toEqual(['live', 3]);
  });
});
