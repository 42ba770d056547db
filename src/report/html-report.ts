import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseRangeId } from '../ring/token-range.js';
import type { RangeCheckpoint } from '../state/run-state.js';
import { type DifferencesDigest, digestDifferences } from './differences-digest.js';
import type { Summary } from './summary.js';

export interface RangeReport {
  range: string;
  /** Present when the range finished (in this process or an earlier one of the run). */
  checkpoint: RangeCheckpoint | undefined;
  /** Present when it failed in this process. */
  error: string | undefined;
}

/** report.html beside summary.json: self-contained (no script, no network), for a person to look at. */
export async function writeHtmlReport(dir: string, summary: Summary, ranges: RangeReport[]): Promise<string> {
  const path = join(dir, 'report.html');
  const digest = summary.command === 'validate' ? await digestDifferences(join(dir, 'differences.csv')) : null;
  await writeFile(path, renderHtmlReport(summary, ranges, digest));
  return path;
}

/** What every page of ours is dressed in. */
export const PAGE_STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}h1{font-size:20px}h2{font-size:16px;margin-top:28px}
.numbers{display:flex;flex-wrap:wrap;gap:12px}.number{border:1px solid #ddd;border-radius:6px;padding:8px 12px;min-width:110px}
.number b{display:block;font-size:22px}
table{border-collapse:collapse}td,th{border-bottom:1px solid #eee;padding:4px 10px;text-align:left}`;

/**
 * Pure: the summary's numbers, the ranges drawn around the token ring, the worst and the slowest ranges,
 * and (validate) the differences by column with a sample of differing rows.
 */
export function renderHtmlReport(summary: Summary, ranges: RangeReport[], digest: DifferencesDigest | null = null): string {
  const numbers: [string, string | number][] = [
    ['ranges done', `${summary.rangesDone}/${summary.rangesTotal}`],
    ['ranges failed', summary.rangesFailed],
    ['rows read', summary.rowsRead],
    ...(summary.command === 'copy'
      ? ([['rows written', summary.rowsWritten]] as [string, number][])
      : ([
          ['rows compared', summary.rowsCompared],
          ['missing', summary.missing],
          ['mismatched', summary.mismatched],
          ['target newer', summary.targetNewer],
          ['extra', summary.extra],
          ['corrected', summary.corrected],
          ['deleted', summary.deleted],
        ] as [string, number][])),
  ];
  const differences = (r: RangeReport) => (r.checkpoint ? (r.checkpoint.counts.missing ?? 0) + (r.checkpoint.counts.mismatched ?? 0) + (r.checkpoint.counts.extra ?? 0) : 0);
  const worst = ranges.filter((r) => differences(r) > 0).sort((a, b) => differences(b) - differences(a)).slice(0, 10);
  const slowest = ranges.filter((r) => r.checkpoint?.seconds !== undefined).sort((a, b) => (b.checkpoint?.seconds ?? 0) - (a.checkpoint?.seconds ?? 0)).slice(0, 10);
  const title = `${summary.command} ${summary.keyspace}.${summary.table} -> ${summary.targetKeyspace}.${summary.targetTable}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} (run ${escapeHtml(summary.runId)})</title>
<style>${PAGE_STYLE}
.ring{display:flex;gap:24px;align-items:center}.legend span{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;vertical-align:middle}
</style></head><body>
<h1>${escapeHtml(title)}</h1>
<p>Run <code>${escapeHtml(summary.runId)}</code>, ${escapeHtml(summary.startedAt)} to ${escapeHtml(summary.finishedAt)}; writetime ${escapeHtml(summary.writetimeMode)} (stamp ${escapeHtml(summary.jobStartMicros)}).</p>
<div class="numbers">${numbers.map(([label, value]) => `<div class="number" data-number="${escapeHtml(label)}"><b>${escapeHtml(String(value))}</b>${escapeHtml(label)}</div>`).join('')}</div>
<h2>The token ring</h2>
<div class="ring">${ringSvg(ranges, differences)}
<div class="legend"><span style="background:${COLORS.done}"></span>done<span style="background:${COLORS.differences}"></span>done, with differences<span style="background:${COLORS.failed}"></span>failed<span style="background:${COLORS.pending}"></span>not done</div></div>
${rangeTable('Ranges with the most differences', worst, (r) => `${differences(r)} difference${differences(r) === 1 ? '' : 's'}`)}
${differencesSection(digest)}
${rangeTable('Slowest ranges', slowest, (r) => `${(r.checkpoint?.seconds ?? 0).toFixed(2)} s, ${r.checkpoint?.counts.rowsRead ?? 0} rows`)}
${summary.errors.length > 0 ? `<h2>Errors</h2><ul>${summary.errors.map((e) => `<li>${escapeHtml(e)}</li>`).join('')}</ul>` : ''}
${summary.notes.length > 0 ? `<h2>Notes</h2><ul>${summary.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : ''}
</body></html>
`;
}

const COLORS = { done: '#4caf50', differences: '#ff9800', failed: '#e53935', pending: '#cfd8dc' };

/** Each range an arc of the ring, placed by its tokens (the ring's lowest token at the top, clockwise; any partitioner). */
function ringSvg(ranges: RangeReport[], differences: (r: RangeReport) => number): string {
  const size = 320;
  const center = size / 2;
  const radius = 120;
  const bounds = ranges.map((r) => parseRangeId(r.range));
  const lowest = bounds.reduce((min, b) => (b.start < min ? b.start : min), bounds[0]?.start ?? 0n);
  const span = bounds.reduce((max, b) => (b.end > max ? b.end : max), lowest + 1n) - lowest;
  const angle = (token: bigint) => (Number(((token - lowest) * 1_000_000n) / span) / 1_000_000) * 2 * Math.PI;
  const point = (a: number) => `${(center + radius * Math.sin(a)).toFixed(2)} ${(center - radius * Math.cos(a)).toFixed(2)}`;
  const arcs = ranges.map((r) => {
    const { start, end } = parseRangeId(r.range);
    const from = angle(start);
    const to = end > start ? angle(end) : angle(end) + 2 * Math.PI;
    const color = r.error ? COLORS.failed : !r.checkpoint ? COLORS.pending : differences(r) > 0 ? COLORS.differences : COLORS.done;
    const state = r.error ? 'failed' : !r.checkpoint ? 'pending' : differences(r) > 0 ? 'differences' : 'done';
    return `<path data-range="${escapeHtml(r.range)}" data-state="${state}" d="M ${point(from)} A ${radius} ${radius} 0 ${to - from > Math.PI ? 1 : 0} 1 ${point(to)}" stroke="${color}" stroke-width="36" fill="none"><title>${escapeHtml(r.range)}: ${state}</title></path>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}" role="img" aria-label="token ring">${arcs.join('')}</svg>`;
}

function differencesSection(digest: DifferencesDigest | null): string {
  if (!digest || digest.byColumn.length + digest.sample.length === 0) return '';
  const byColumn = digest.byColumn.map(([column, rows]) => `<tr data-column="${escapeHtml(column)}"><td>${escapeHtml(column)}</td><td>${rows}</td></tr>`).join('');
  const sample = digest.sample.map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`).join('');
  return `<h2>Differences by column</h2><table><tr><th>column</th><th>rows</th></tr>${byColumn}</table>
<h2>First differing rows (differences.csv has them all)</h2><table class="sample"><tr>${digest.header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>${sample}</table>`;
}

function rangeTable(heading: string, ranges: RangeReport[], detail: (r: RangeReport) => string): string {
  if (ranges.length === 0) return '';
  return `<h2>${escapeHtml(heading)}</h2><table><tr><th>range</th><th></th></tr>${ranges.map((r) => `<tr><td><code>${escapeHtml(r.range)}</code></td><td>${escapeHtml(detail(r))}</td></tr>`).join('')}</table>`;
}

export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
