import type { StatusOptions } from '../config/command-options.js';
import { ExitCode, InputError } from '../errors.js';
import { withTarget } from '../connect/both-clusters.js';
import { CassandraStore } from '../state/cassandra-store.js';
import { LocalStore } from '../state/local-store.js';
import type { RunProgress } from '../state/run-outcome.js';
import type { Io } from './io.js';

/**
 * `migrate status [RUN_ID]`: the runs of the local state folder (a keyspace job's, table by table) or of
 * the target's ledger keyspace, their ranges done and their outcome.
 */
export async function status(options: StatusOptions, io: Io): Promise<number> {
  const where = whereRunsAre(options);
  const rows = await collectRuns(options);
  if (options.run.runId !== undefined && rows.length === 0) {
    throw new InputError(`run ${options.run.runId} was not found in ${where}: run "migrate status" with the same --state${options.run.state.kind === 'local' ? '-dir' : ''} to list runs`);
  }
  if (options.output.json) {
    const shown = rows.map(({ jobKey, ...rest }) => ({ job: jobKey, ...rest }));
    io.out(JSON.stringify(options.run.runId !== undefined && shown.length === 1 && shown[0]?.runId === options.run.runId ? shown[0] : shown));
  }
  else if (rows.length === 0) io.out(`no runs in ${where}`);
  else
    for (const r of rows) {
      const state =
        r.rangesDone === r.rangesTotal
          ? 'complete'
          : r.rangesClaimed > 0
            ? `running: ${r.rangesClaimed} ranges held by ${r.workers.length} workers (${r.workers.join(', ')})`
            : r.finishedAt || r.rangesFailed > 0
              ? `stopped, ${r.rangesFailed} ranges failed`
              : 'running or interrupted';
      io.out(`${r.runId}  ${r.command}  ${r.rangesDone}/${r.rangesTotal} ranges  ${r.rowsRead} rows  ${state}${outcomeText(r)}  started ${r.startedAt}\n  ${r.jobKey}`);
    }
  return ExitCode.ok;
}

/** " (exit 1: 0 missing, 500 mismatched, 0 extra, 0 target-newer)" for a finished run. */
function outcomeText(r: RunProgress): string {
  if (r.exitCode === null) return '';
  if (r.command === 'validate') return ` (exit ${r.exitCode}: ${r.missing} missing, ${r.mismatched} mismatched, ${r.extra} extra, ${r.targetNewer} target-newer)`;
  return ` (exit ${r.exitCode}${r.rejected > 0 ? `: ${r.rejected} rows refused` : ''})`;
}

export const whereRunsAre = (options: StatusOptions): string => (options.run.state.kind === 'local' ? options.run.stateDir : `keyspace ${options.run.state.keyspace} of the target cluster`);

/** Every table run of the store (or those of one run id), with what each did and who works on it now. */
export async function collectRuns(options: StatusOptions): Promise<RunProgress[]> {
  const { runId } = options.run;
  if (options.run.state.kind === 'local') return new LocalStore(options.run.stateDir).progress(runId);
  const { keyspace } = options.run.state;
  const { target: cluster, ...requests } = options.clusters;
  // Any machine that reaches the target sees the whole shared run.
  return withTarget(cluster, requests, async (target) => (await CassandraStore.history(target, keyspace))?.progress(runId) ?? []);
}
