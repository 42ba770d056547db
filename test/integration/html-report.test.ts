import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type cassandra from 'cassandra-driver';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Summary } from '../../src/report/summary.js';
import { jobArgs, runCli } from '../support/cli.js';
import { freshSampleKeyspace, testClient } from '../support/clusters.js';

/** report.html, opened in a real headless Chromium (Debian's, installed by scripts/test-tools.sh). */
const KS = 'report_sample';

let source: cassandra.Client;
let target: cassandra.Client;
let browser: Browser;

beforeAll(async () => {
  source = await testClient('source');
  target = await testClient('target');
  await freshSampleKeyspace(source, target, KS, 2);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    // This machine's network is closed: no background connections, no sandbox as root.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

afterAll(async () => {
  await browser?.close();
  await source?.shutdown();
  await target?.shutdown();
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

    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
    page.on('request', (request) => !request.url().startsWith('file:') && problems.push(`network: ${request.url()}`));
    await page.goto(`file://${join(stateDir, 'runs', 'drift', 'report.html')}`);
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
    expect(screenshot.subarray(1, 4).toString()).toBe('PNG');
    expect(problems).toEqual([]);
  });
});
