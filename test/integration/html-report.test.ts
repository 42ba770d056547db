/// <reference lib="dom" />
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type cassandra from 'cassandra-driver';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyspaceSummary } from '../../src/report/keyspace-report.js';
import type { Summary } from '../../src/report/summary.js';
import { jobArgs, runCli } from '../support/cli.js';
import { freshSampleKeyspace, SOURCE, TARGET } from '../support/clusters.js';
import { clientsForFile } from '../support/file-clients.js';

/** report.html, opened in a real headless Chromium (Debian's, installed by scripts/test-tools.sh). */
const KS = 'report_sample';

// Opened before the hooks below run, closed after the file's tests.
const clients = clientsForFile();
let source: cassandra.Client;
let target: cassandra.Client;
let browser: Browser;

beforeAll(async () => {
  source = clients.source();
  target = clients.target();
  await freshSampleKeyspace(source, target, KS, 2);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    // This machine's network is closed: no background connections, no sandbox as root.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

afterAll(async () => {
  await browser?.close();
});

describe('report.html', () => {
  it("opens without errors and shows the summary's numbers, the ranges around the ring, and the worst ranges", async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'migrate-report-'));
    expect((await runCli(['copy', ...jobArgs(KS, 'profiles', stateDir)])).code).toBe(0);
    const old = String((Date.now() - 86_400_000) * 1000);
    for (const id of [80_001, 80_002, 80_003]) await source.execute(`INSERT INTO ${KS}.profiles (id, tags) VALUES (?, {'late'}) USING TIMESTAMP ${old}`, [id], { prepare: true });
    const run = await runCli(['validate', ...jobArgs(KS, 'profiles', stateDir, ['--run-id', 'drift', '--json'])]);
    expect(run.code).toBe(1);
    const summary = JSON.parse(run.out) as Summary;

    const { page, problems } = await openReport(join(stateDir, 'runs', 'drift', 'report.html'));
    const number = (label: string) => page.locator(`[data-number="${label}"] b`).innerText();
    expect({
      done: await number('ranges done'),
      failed: await number('ranges failed'),
      compared: await number('rows compared'),
      missing: await number('missing'),
      mismatched: await number('mismatched'),
      extra: await number('extra'),
    }).toEqual({
      done: `${summary.rangesDone}/${summary.rangesTotal}`,
      failed: String(summary.rangesFailed),
      compared: String(summary.rowsCompared),
      missing: '3',
      mismatched: String(summary.mismatched),
      extra: String(summary.extra),
    });
    const states = await page.locator('svg path').evaluateAll((paths) => paths.map((p) => p.getAttribute('data-state')));
    expect(states).toHaveLength(summary.rangesTotal);
    expect(states.filter((s) => s === 'done' || s === 'differences')).toHaveLength(summary.rangesDone);
    expect(states.filter((s) => s === 'differences').length).toBeGreaterThanOrEqual(1);
    expect(await page.getByRole('heading', { name: 'Ranges with the most differences' }).isVisible()).toBe(true);
    const screenshot = await page.screenshot({ fullPage: true });
    await writeFile(join(stateDir, 'runs', 'drift', 'report.png'), screenshot);
    expect(problems).toEqual([]);
    // The picture agrees with the summary: ranges with differences (orange) and none failed (red), counted
    // in the screenshot's own pixels, decoded by the browser.
    const pixels = await countColours(screenshot, { done: [0x4c, 0xaf, 0x50], differences: [0xff, 0x98, 0x00], failed: [0xe5, 0x39, 0x35] });
    expect(pixels.differences).toBeGreaterThan(500);
    expect(pixels.done).toBeGreaterThan(pixels.differences);
    // the legend's swatches are the only red and the only extra orange and green
    expect(pixels.failed).toBeLessThan(200);
  });
});

describe('the keyspace report.html', () => {
  it('lists every table with its counts and exit code, the drifted table first, linking to its page, which shows the differences by column', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'migrate-keyspace-report-'));
    const job = (command: string, extra: string[] = []) => [command, '--source', SOURCE, '--target', TARGET, '--keyspace', KS, '--tables', 'audit', 'users', 'page_views', '--state-dir', stateDir, '--quiet', '--json', ...extra];
    expect((await runCli(job('copy'))).code).toBe(0);
    // drift in users only: two rows changed in the source after the copy
    const ids = (await source.execute(`SELECT id FROM ${KS}.users LIMIT 2`)).rows.map((r) => r.get('id'));
    for (const [i, id] of ids.entries()) await source.execute(`UPDATE ${KS}.users SET email = ? WHERE id = ?`, [`changed-${i}@example.com`, id], { prepare: true });
    const run = await runCli(job('validate', ['--run-id', 'keyspace-drift']));
    expect(run.code).toBe(1);
    const summary = JSON.parse(run.out) as KeyspaceSummary;

    const { page, problems } = await openReport(join(stateDir, 'runs', 'keyspace-drift', 'report.html'));
    const order = await page.locator('tr[data-table]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-table')));
    expect(order[0]).toBe('users');
    expect([...order].sort()).toEqual(['audit', 'page_views', 'users']);
    for (const table of order as string[]) {
      const shown = async (column: string) => page.locator(`tr[data-table="${table}"] td[data-count="${column}"]`).innerText();
      const s = summary.tables[table]?.summary as Summary;
      expect({ table, exit: await shown('exit code'), ranges: await shown('ranges'), compared: await shown('rows compared'), mismatched: await shown('mismatched'), missing: await shown('missing'), extra: await shown('extra') }).toEqual({
        table,
        exit: String(summary.tables[table]?.exitCode),
        ranges: `${s.rangesDone}/${s.rangesTotal}`,
        compared: String(s.rowsCompared),
        mismatched: String(s.mismatched),
        missing: String(s.missing),
        extra: String(s.extra),
      });
    }
    expect(await page.locator('[data-number="exit code"] b').innerText()).toBe(String(summary.exitCode));
    await page.locator('tr[data-table="users"] a').click();
    await page.waitForURL(/users\/report\.html$/);
    expect(await page.locator('tr[data-column="email"] td').allInnerTexts()).toEqual(['email', '2']);
    expect(await page.locator('table.sample tr').count()).toBe(3);
    expect(problems).toEqual([]);
  });
});

/** A report page in the browser, with every script error, console error and request off the file recorded. */
async function openReport(path: string): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
  page.on('request', (request) => !request.url().startsWith('file:') && problems.push(`network: ${request.url()}`));
  await page.goto(`file://${path}`);
  return { page, problems };
}

/** Pixels of each colour in a PNG, counted by Chromium itself (no image library in the tests). */
async function countColours<K extends string>(png: Buffer, colours: Record<K, [number, number, number]>): Promise<Record<K, number>> {
  const page = await browser.newPage();
  try {
    await page.setContent(`<img id="shot" src="data:image/png;base64,${png.toString('base64')}">`);
    await page.locator('#shot').evaluate((img: HTMLImageElement) => img.decode());
    return (await page.evaluate((wanted) => {
      const img = document.getElementById('shot') as HTMLImageElement;
      const canvas = document.createElement('canvas');
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      const context = canvas.getContext('2d') as CanvasRenderingContext2D;
      context.drawImage(img, 0, 0);
      const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
      const counts: Record<string, number> = Object.fromEntries(Object.keys(wanted).map((k) => [k, 0]));
      for (let i = 0; i < data.length; i += 4) {
        for (const [name, [r, g, b]] of Object.entries(wanted)) {
          if (Math.abs((data[i] as number) - r) < 6 && Math.abs((data[i + 1] as number) - g) < 6 && Math.abs((data[i + 2] as number) - b) < 6) counts[name] = (counts[name] ?? 0) + 1;
        }
      }
      return counts;
    }, colours as Record<string, [number, number, number]>)) as Record<K, number>;
  } finally {
    await page.close();
  }
}
