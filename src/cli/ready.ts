import type { ReadyOptions } from '../config/command-options.js';
import { ExitCode, InputError } from '../errors.js';
import { judgeReadiness, type TableReadiness } from '../report/readiness.js';
import type { Io } from './io.js';
import { collectRuns, whereRunsAre } from './status.js';

/**
 * `migrate ready --keyspace KS [--table T]`: may the applications' reads move to the target now? Answered
 * from the recorded runs (the local state folder or the ledger in the target), without reading the data:
 * exit 0 when every table is ready, 1 naming each that is not and why.
 */
export async function ready(options: ReadyOptions, io: Io): Promise<number> {
  const runs = await collectRuns(options);
  const verdict = judgeReadiness(options.scope.keyspace, options.scope.table, runs, { cleanRuns: options.scope.cleanRuns, maxAgeMs: options.scope.maxAgeMs, now: Date.now() });
  if (options.scope.table === undefined && verdict.tables.length === 0) {
    throw new InputError(`no runs of keyspace ${options.scope.keyspace} in ${whereRunsAre(options)}: check --keyspace and --state${options.run.state.kind === 'local' ? '-dir' : ''}`);
  }
  if (options.output.json) io.out(JSON.stringify(verdict));
  else {
    const notReady = verdict.tables.filter((t) => !t.ready);
    io.out(verdict.ready ? `${options.scope.keyspace}: ready to move reads to the target` : `${options.scope.keyspace}: not ready (${notReady.length} of ${verdict.tables.length} tables)`);
    const width = Math.max(...verdict.tables.map((t) => t.table.length));
    for (const t of [...notReady, ...verdict.tables.filter((x) => x.ready)]) io.out(`  ${t.table.padEnd(width)}  ${tableLine(t)}`);
  }
  return verdict.ready ? ExitCode.ok : ExitCode.differencesRemain;
}

function tableLine(t: TableReadiness): string {
  const verdict = t.ready ? 'ready' : `NOT READY: ${t.reasons.join('; ')}`;
  const clean = t.lastCleanAt ? `; last clean run ${t.lastCleanAt}` : '; no clean run yet';
  const trend = t.trend.length > 0 ? `; differences by run, oldest first: ${t.trend.join(' ')}` : '';
  return `${verdict}${clean}${trend}`;
}
