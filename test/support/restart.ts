import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { SpawnedCli } from './cli.js';
import { REPO_ROOT } from './clusters.js';

/** One node (or cluster) of scripts/cassandra.sh started or stopped. */
export const clusterScript = (action: 'start' | 'stop', ...nodes: string[]) => promisify(execFile)('bash', [join(REPO_ROOT, 'scripts/cassandra.sh'), action, ...nodes]);

/** Waits until the run has finished a range (its checkpoint log exists), then takes `node` down for `downSeconds` and up again. */
export async function restartDuring(run: SpawnedCli, runDir: string, node: string, downSeconds: number): Promise<void> {
  let exited = false;
  void run.code.then(() => (exited = true));
  while (!existsSync(join(runDir, 'ranges.jsonl'))) {
    if (exited) throw new Error(`the run ended before the restart: exit ${await run.code}, ${run.err()} ${run.out()}`);
    await sleep(100);
  }
  await clusterScript('stop', node);
  await sleep(downSeconds * 1000);
  await clusterScript('start', node);
}
