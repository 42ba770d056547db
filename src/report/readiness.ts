import type { RunOutcome } from '../state/run-outcome.js';

/** `migrate ready`: when the applications' reads may move to the target, judged from recorded runs. Pure. */
/** What `migrate ready` asks for unless told otherwise, and what a keyspace validate job reports. */
export const DEFAULT_CLEAN_RUNS = 3;
export const DEFAULT_MAX_AGE_MS = 24 * 3_600_000;

export interface ReadinessRules {
  /** How many of the latest validate runs must each have covered every range and found nothing. */
  cleanRuns: number;
  /** The newest of them must be younger than this. */
  maxAgeMs: number;
  now: number;
}

export interface TableReadiness {
  /** keyspace.table, the source's. */
  table: string;
  ready: boolean;
  /** What is missing for a "yes" (empty when ready). */
  reasons: string[];
  /** Rows found missing, mismatched or extra by the latest complete validate runs, oldest first (at most 10). */
  trend: number[];
  /** When the newest complete validate run that found nothing finished. */
  lastCleanAt: string | null;
}

export interface Readiness {
  ready: boolean;
  tables: TableReadiness[];
}

const TREND_LENGTH = 10;
const differences = (r: RunOutcome) => r.missing + r.mismatched + r.extra;

/**
 * A table is ready when it has a complete copy run (every range done, no row refused), its last
 * `cleanRuns` validate runs each covered every range and found no missing, mismatched or extra row
 * (target-newer rows are live writes and allowed), and the newest of them is younger than `maxAgeMs`.
 */
export function judgeTable(table: string, runs: readonly RunOutcome[], rules: ReadinessRules): TableReadiness {
  const mine = runs.filter((r) => `${r.keyspace}.${r.table}` === table).sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  const reasons: string[] = [];
  if (!mine.some((r) => r.command === 'copy' && r.exitCode !== null && r.rejected === 0)) {
    reasons.push(mine.some((r) => r.command === 'copy') ? 'no copy run completed (ranges left, or rows refused)' : 'never copied');
  }
  const validations = mine.filter((r) => r.command === 'validate' && r.exitCode !== null);
  const latest = validations.slice(-rules.cleanRuns);
  const newest = validations.at(-1);
  if (!mine.some((r) => r.command === 'validate')) reasons.push('never validated');
  else if (!newest) reasons.push('no validate run covered every range');
  else {
    if (differences(newest) > 0) reasons.push(`differences in the last run (${newest.missing} missing, ${newest.mismatched} mismatched, ${newest.extra} extra)`);
    else if (latest.some((r) => differences(r) > 0)) reasons.push(`differences in one of the last ${rules.cleanRuns} runs`);
    if (latest.length < rules.cleanRuns) reasons.push(`${latest.length} of the ${rules.cleanRuns} clean validate runs needed`);
    const age = rules.now - Date.parse(newest.finishedAt ?? newest.startedAt);
    if (age > rules.maxAgeMs) reasons.push(`the last validate run is ${Math.round(age / 3_600_000)} h old (more than ${Math.round(rules.maxAgeMs / 3_600_000)} h)`);
  }
  const clean = validations.filter((r) => differences(r) === 0);
  return {
    table,
    ready: reasons.length === 0,
    reasons,
    trend: validations.slice(-TREND_LENGTH).map(differences),
    lastCleanAt: clean.at(-1)?.finishedAt ?? null,
  };
}

/** Every table of the scope: those named, or every table of the keyspace the recorded runs know. */
export function judgeReadiness(keyspace: string, table: string | undefined, runs: readonly RunOutcome[], rules: ReadinessRules): Readiness {
  const known = [...new Set(runs.filter((r) => r.keyspace === keyspace).map((r) => r.table))].sort();
  const tables = (table === undefined ? known : [table]).map((t) => judgeTable(`${keyspace}.${t}`, runs, rules));
  return { ready: tables.length > 0 && tables.every((t) => t.ready), tables };
}
