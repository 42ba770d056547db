import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ExitCode, InputError } from '../errors.js';
import { listRuns, readCheckpoints } from '../state/run-state.js';
import type { Io } from './main.js';

/** `migrate status [RUN_ID]`: the runs in the state folder (a keyspace job's, table by table), their ranges done and their outcome. */
export async function status(stateDir: string, runId: string | undefined, json: boolean, io: Io): Promise<number> {
  // A keyspace job's id names its tables' runs too (ID/TABLE).
  const runs = (await listRuns(stateDir)).filter((r) => runId === undefined || r.runId === runId || r.runId.startsWith(`${runId}/`));
  if (runId !== undefined && runs.length === 0) throw new InputError(`run ${runId} was not found in ${stateDir}: run "migrate status --state-dir ${stateDir}" to list runs`);
  const rows = await Promise.all(
    runs.map(async (run) => {
      const dir = join(stateDir, 'runs', run.runId);
      const done = await readCheckpoints(dir);
      const summary = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8').catch(() => 'null')) as Record<string, unknown> | null;
      return {
        runId: run.runId,
        command: run.command,
        job: run.jobKey,
        startedAt: run.startedAt,
        finishedAt: (summary?.finishedAt as string | undefined) ?? null,
        rangesTotal: run.ranges.length,
        rangesDone: done.size,
        rangesFailed: (summary?.rangesFailed as number | undefined) ?? 0,
        jobStartMicros: run.jobStartMicros,
        rowsRead: [...done.values()].reduce((sum, c) => sum + (c.counts.rowsRead ?? 0), 0),
      };
    }),
  );
  if (json) io.out(JSON.stringify(runId !== undefined && rows.length === 1 && rows[0]?.runId === runId ? rows[0] : rows));
  else if (rows.length === 0) io.out(`no runs in ${stateDir}`);
  else
    for (const r of rows) {
      const state = r.rangesDone === r.rangesTotal ? 'complete' : r.finishedAt ? `stopped, ${r.rangesFailed} ranges failed` : 'running or interrupted';
      io.out(`${r.runId}  ${r.command}  ${r.rangesDone}/${r.rangesTotal} ranges  ${r.rowsRead} rows  ${state}  started ${r.startedAt}\n  ${r.job}`);
    }
  return ExitCode.ok;
}
