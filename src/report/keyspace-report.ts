import { writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { escapeHtml, PAGE_STYLE } from './html-report.js';
import type { Readiness } from './readiness.js';
import type { Summary } from './summary.js';

/** How one table of a keyspace job ended. */
export interface TableOutcome {
  exitCode: number;
  summary?: Summary;
  reportDir?: string;
  /** Why the table did not run (bad input for that table, for example). */
  error?: string;
}

/** The keyspace job's summary.json: each table's outcome, and the job's exit code, the worst of them. */
export interface KeyspaceSummary {
  command: 'copy' | 'validate';
  runId: string;
  keyspace: string;
  targetKeyspace: string;
  startedAt: string;
  finishedAt: string;
  jobStartMicros: string;
  exitCode: number;
  tables: Record<string, TableOutcome>;
}

/** report.html beside the keyspace summary.json: every table at a glance, linking to its own page. */
export async function writeKeyspaceReport(dir: string, summary: KeyspaceSummary, readiness: Readiness | null): Promise<string> {
  const path = join(dir, 'report.html');
  await writeFile(path, renderKeyspaceReport(summary, (outcome) => (outcome.reportDir ? `${relative(dir, outcome.reportDir) || '.'}/report.html` : undefined), readiness));
  return path;
}

/** The cut-over verdict (`migrate ready` with its defaults), at the top of a keyspace validate's page. */
function readinessSection(readiness: Readiness | null): string {
  if (!readiness) return '';
  const notReady = readiness.tables.filter((t) => !t.ready);
  const items = notReady.map((t) => `<li data-not-ready="${escapeHtml(t.table)}"><b>${escapeHtml(t.table)}</b>: ${escapeHtml(t.reasons.join('; '))}</li>`).join('');
  return `<section class="readiness" data-ready="${readiness.ready}"><h2>${readiness.ready ? 'Ready to move reads to the target' : `Not ready to move reads to the target (${notReady.length} of ${readiness.tables.length} tables)`}</h2>${items ? `<ul>${items}</ul>` : ''}</section>`;
}

const differencesOf = (o: TableOutcome) => (o.summary ? o.summary.missing + o.summary.mismatched + o.summary.extra : 0);

/**
 * Pure. Tables that differ first (most differences first), then those that failed or did not run, then the
 * clean ones; each with its counts and exit code, and a link to its page.
 */
export function renderKeyspaceReport(summary: KeyspaceSummary, pageOf: (outcome: TableOutcome) => string | undefined, readiness: Readiness | null = null): string {
  const tables = Object.entries(summary.tables).sort(([a, x], [b, y]) => differencesOf(y) - differencesOf(x) || y.exitCode - x.exitCode || a.localeCompare(b));
  const validate = summary.command === 'validate';
  const columns = validate ? ['rows compared', 'missing', 'mismatched', 'target newer', 'extra', 'corrected', 'deleted'] : ['rows read', 'rows written'];
  const cells = (s: Summary) => (validate ? [s.rowsCompared, s.missing, s.mismatched, s.targetNewer, s.extra, s.corrected, s.deleted] : [s.rowsRead, s.rowsWritten]);
  const rows = tables.map(([name, outcome]) => {
    const href = pageOf(outcome);
    const label = href ? `<a href="${escapeHtml(href)}">${escapeHtml(name)}</a>` : escapeHtml(name);
    const counts = outcome.summary ? cells(outcome.summary).map((n, i) => `<td data-count="${escapeHtml(columns[i] as string)}">${n}</td>`).join('') : `<td colspan="${columns.length}">${escapeHtml(outcome.error ?? '')}</td>`;
    const ranges = outcome.summary ? `${outcome.summary.rangesDone}/${outcome.summary.rangesTotal}` : '';
    return `<tr data-table="${escapeHtml(name)}" class="${outcome.exitCode === 0 ? 'clean' : 'attention'}"><td>${label}</td><td data-count="exit code">${outcome.exitCode}</td><td data-count="ranges">${ranges}</td>${counts}</tr>`;
  });
  const title = `${summary.command} of keyspace ${summary.keyspace} -> ${summary.targetKeyspace}`;
  const clean = tables.filter(([, o]) => o.exitCode === 0).length;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} (run ${escapeHtml(summary.runId)})</title>
<style>${PAGE_STYLE}
tr.attention td:first-child{font-weight:600}tr.attention td[data-count="exit code"]{color:#e53935}
</style></head><body>
<h1>${escapeHtml(title)}</h1>
${readinessSection(readiness)}
<p>Run <code>${escapeHtml(summary.runId)}</code>, ${escapeHtml(summary.startedAt)} to ${escapeHtml(summary.finishedAt)}; stamp ${escapeHtml(summary.jobStartMicros)}.</p>
<div class="numbers"><div class="number" data-number="exit code"><b>${summary.exitCode}</b>exit code</div><div class="number" data-number="tables exit 0"><b>${clean}/${tables.length}</b>tables exit 0</div></div>
<h2>Tables</h2>
<table><tr><th>table</th><th>exit</th><th>ranges</th>${columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr>${rows.join('')}</table>
</body></html>
`;
}
