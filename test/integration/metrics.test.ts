import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type cassandra from 'cassandra-driver';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Summary } from '../../src/report/summary.js';
import { EXIT_CODE_MEANINGS } from '../../src/errors.js';
import { jobArgs, runCli, spawnCli } from '../support/cli.js';
import { z } from 'zod';
import { freshSampleKeyspace, REPO_ROOT } from '../support/clusters.js';
import { clientsForFile } from '../support/file-clients.js';
import { parsePrometheus, sampleValue } from '../support/prometheus-text.js';

const KS = 'metrics_sample';
const PORT = 19_600 + Math.floor(Math.random() * 300);

// Opened before the hooks below run, closed after the file's tests.
const clients = clientsForFile();
let source: cassandra.Client;
let target: cassandra.Client;
/** Every metric family the runs below exposed. */
const scraped = new Set<string>();

beforeAll(async () => {
  source = clients.source();
  target = clients.target();
  await freshSampleKeyspace(source, target, KS, 3);
});


async function scrape(): Promise<ReturnType<typeof parsePrometheus> | null> {
  const response = await fetch(`http://127.0.0.1:${PORT}/metrics`).catch(() => null);
  return response?.ok ? parsePrometheus(await response.text()) : null;
}

describe('--metrics-port and --metrics-file', () => {
  it('a copy serves its metrics over HTTP while it runs: counters rise, and end equal to the summary', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'migrate-metrics-'));
    const metricsFile = join(stateDir, 'copy.prom');
    const run = spawnCli(['copy', ...jobArgs(KS, 'profiles', stateDir, ['--run-id', 'm', '--json', '--rate-limit', '300', '--concurrency', '2', '--metrics-port', String(PORT), '--metrics-file', metricsFile])]);
    const labels = { command: 'copy', keyspace: KS, table: 'profiles', run_id: 'm' };
    const seen: number[] = [];
    let exited = false;
    void run.code.then(() => (exited = true));
    while (!exited) {
      const families = await scrape();
      const rows = families && sampleValue(families, 'cql_migrate_rows_read_total', labels);
      if (rows !== undefined && rows !== null) seen.push(rows);
      await sleep(300);
    }
    expect({ code: await run.code, err: run.err() }).toEqual({ code: 0, err: '' });
    const summary = JSON.parse(run.out()) as Summary;
    // scraped mid-run, several times, rising
    expect(seen.length).toBeGreaterThan(3);
    expect(seen.some((v) => v > 0 && v < summary.rowsRead)).toBe(true);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);

    expect(existsSync(metricsFile)).toBe(true);
    const finalText = await readFile(metricsFile, 'utf8');
    const final = parsePrometheus(finalText);
    for (const name of final.keys()) scraped.add(name);
    expect(sampleValue(final, 'cql_migrate_rows_read_total', labels)).toBe(summary.rowsRead);
    expect(sampleValue(final, 'cql_migrate_rows_written_total', labels)).toBe(summary.rowsWritten);
    expect(sampleValue(final, 'cql_migrate_ranges', { ...labels, state: 'done' })).toBe(summary.rangesDone);
    expect(sampleValue(final, 'cql_migrate_ranges', { ...labels, state: 'total' })).toBe(summary.rangesTotal);
    expect(sampleValue(final, 'cql_migrate_ranges', { ...labels, state: 'failed' })).toBe(0);
    expect(sampleValue(final, 'cql_migrate_run_stamp_micros', labels)).toBe(Number(summary.jobStartMicros));
    // The parser folds labelled histograms into one sample (prom-client writes `le` first): their counts are
    // read from the `_count` lines.
    const count = (cluster: string, operation: string) =>
      Number(new RegExp(`^cql_migrate_request_duration_seconds_count\\{cluster="${cluster}",operation="${operation}"\\} (\\d+)$`, 'm').exec(finalText)?.[1] ?? 0);
    expect(count('source', 'page')).toBeGreaterThanOrEqual(summary.rangesTotal);
    expect(count('target', 'write')).toBeGreaterThan(0);
  });

  it('a validate writes its differences by kind to --metrics-file, equal to the summary', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'migrate-metrics-validate-'));
    const metricsFile = join(stateDir, 'validate.prom');
    const old = String((Date.now() - 86_400_000) * 1000);
    for (const id of [70_001, 70_002]) await source.execute(`INSERT INTO ${KS}.profiles (id, tags) VALUES (?, {'late'}) USING TIMESTAMP ${old}`, [id], { prepare: true });
    const run = await runCli(['validate', ...jobArgs(KS, 'profiles', stateDir, ['--run-id', 'v', '--json', '--autocorrect', '--metrics-file', metricsFile])]);
    expect({ code: run.code, err: run.err }).toEqual({ code: 0, err: '' });
    const summary = JSON.parse(run.out) as Summary;
    const final = parsePrometheus(await readFile(metricsFile, 'utf8'));
    for (const name of final.keys()) scraped.add(name);
    const labels = { command: 'validate', keyspace: KS, table: 'profiles', run_id: 'v' };
    expect(sampleValue(final, 'cql_migrate_differences_total', { ...labels, kind: 'missing' })).toBe(2);
    expect(sampleValue(final, 'cql_migrate_differences_total', { ...labels, kind: 'corrected' })).toBe(summary.corrected);
    expect(sampleValue(final, 'cql_migrate_differences_total', { ...labels, kind: 'extra' })).toBe(0);
    expect(sampleValue(final, 'cql_migrate_rows_compared_total', labels)).toBe(summary.rowsCompared);
  });

  it('--max-latency: with a bound no request can meet, the in-flight window shrinks, and the run still completes', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'migrate-latency-'));
    const metricsFile = join(stateDir, 'latency.prom');
    const args = jobArgs(KS, 'profiles', stateDir, ['--json', '--max-latency', '0.001', '--max-in-flight', '64', '--rate-limit', '400', '--metrics-file', metricsFile]).filter((a) => a !== '--quiet');
    const run = spawnCli(['copy', ...args]);
    expect(await run.code).toBe(0);
    const summary = JSON.parse(run.out()) as Summary;
    expect({ failed: summary.rangesFailed, written: summary.rowsWritten }).toEqual({ failed: 0, written: summary.rowsRead });
    const final = parsePrometheus(await readFile(metricsFile, 'utf8'));
    for (const name of final.keys()) scraped.add(name);
    // 64, then halved every second over the bound
    expect(sampleValue(final, 'cql_migrate_in_flight_window_min')).toBeLessThanOrEqual(16);
    expect(run.err()).toMatch(/^copy metrics_sample\.profiles: \d+\/\d+ ranges, \d+ rows, \d+ rows\/s, \d+ requests in flight at most, \S+ left$/m);
  });

  it('the Grafana dashboard is a dashboard, and every metric it queries is one the runs exposed', async () => {
    const dashboard = dashboardShape.parse(JSON.parse(await readFile(join(REPO_ROOT, 'examples/grafana/cql-migrate.json'), 'utf8')));
    const queried = new Set(dashboard.panels.flatMap((p) => p.targets.flatMap((t) => [...t.expr.matchAll(/cql_migrate_[a-z_]+/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, '')))));
    expect(queried.size).toBeGreaterThanOrEqual(8);
    expect([...queried].filter((name) => !scraped.has(name))).toEqual([]);
    // the exit-code panel names each code as the one table in the code does
    const exitPanel = JSON.parse(await readFile(join(REPO_ROOT, 'examples/grafana/cql-migrate.json'), 'utf8')).panels.find((p: { title: string }) => p.title === 'Exit code of the last run');
    const mapped = Object.entries(exitPanel.fieldConfig.defaults.mappings[0].options as Record<string, { text: string }>).map(([code, { text }]) => [code, text]);
    expect(mapped).toEqual(Object.entries(EXIT_CODE_MEANINGS).map(([code, meaning]) => [code, `${code}: ${meaning}`]));
  });
});

/** What Grafana needs of a dashboard to import it: the fields the panels and queries stand on. */
const dashboardShape = z.object({
  uid: z.string().min(1),
  title: z.string().min(1),
  schemaVersion: z.number().int().positive(),
  templating: z.object({ list: z.array(z.object({ name: z.string(), type: z.enum(['datasource', 'query', 'custom', 'interval']) })) }),
  panels: z
    .array(
      z.object({
        id: z.number().int(),
        type: z.enum(['timeseries', 'stat', 'bargauge', 'gauge', 'table']),
        title: z.string().min(1),
        gridPos: z.object({ h: z.number().int().positive(), w: z.number().int().min(1).max(24), x: z.number().int().min(0).max(23), y: z.number().int().min(0) }),
        datasource: z.object({ type: z.literal('prometheus'), uid: z.string() }),
        targets: z.array(z.object({ refId: z.string(), expr: z.string().min(1) })).min(1),
      }),
    )
    .min(1),
});
