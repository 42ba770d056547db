import { join } from 'node:path';
import type { JobLock, LedgerStore, RunLedger } from './ledger.js';
import { acquireJobLock } from './lock.js';
import { isRunOf, progressOf, type RunProgress } from './run-outcome.js';
import { createKeyspaceRun, type KeyspaceRunRecord, latestRunOf, listRuns, readCheckpoints, readFailedRanges, resumeKeyspaceRun, type RunRecord, RunState } from './run-state.js';

/** Runs kept in the local state folder (`--state-dir`): one process works on a run at a time. */
export class LocalStore implements LedgerStore {
  constructor(readonly stateDir: string) {}

  get where(): string {
    return this.stateDir;
  }

  listRuns(): Promise<RunRecord[]> {
    return listRuns(this.stateDir);
  }

  async progress(runId?: string): Promise<RunProgress[]> {
    const runs = (await listRuns(this.stateDir)).filter((run) => isRunOf(runId, run));
    return Promise.all(
      runs.map(async (run) => {
        const dir = join(this.stateDir, 'runs', run.runId);
        // One process works on a local run: nobody else holds its ranges.
        return progressOf(run, [...(await readCheckpoints(dir)).values()], { failed: await readFailedRanges(dir), liveClaims: [] });
      }),
    );
  }

  latestRunOf(jobKey: string): Promise<string> {
    return latestRunOf(this.stateDir, jobKey);
  }

  exists(runId: string): Promise<boolean> {
    return RunState.exists(this.stateDir, runId);
  }

  create(record: RunRecord): Promise<RunLedger> {
    return RunState.create(this.stateDir, record);
  }

  resume(jobKey: string, runId: string): Promise<RunLedger> {
    return RunState.resume(this.stateDir, jobKey, runId);
  }

  async createKeyspaceRun(record: KeyspaceRunRecord): Promise<KeyspaceRunRecord> {
    await createKeyspaceRun(this.stateDir, record);
    return record;
  }

  resumeKeyspaceRun(jobKey: string, runId: string | true): Promise<KeyspaceRunRecord> {
    return resumeKeyspaceRun(this.stateDir, jobKey, runId);
  }

  lock(jobKey: string): Promise<JobLock> {
    return acquireJobLock(this.stateDir, jobKey);
  }
}
