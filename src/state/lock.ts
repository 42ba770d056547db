import { createHash } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { LockedError } from '../errors.js';
import type { JobLock } from './ledger.js';
import { makeFolder } from './make-folder.js';

/**
 * Holds the job's lock for the run. A lock left by a crashed process goes stale after 30 s (the holder
 * refreshes it every 10 s), so a cron schedule never wedges; a holder on this machine that is known to be
 * dead (`kill -9`) gives the lock up at once. A holder that could not refresh it in time (a process
 * stopped for longer than that) has lost it: its `lost` signal aborts.
 */
export async function acquireJobLock(stateDir: string, jobKey: string): Promise<JobLock> {
  const dir = join(stateDir, 'locks');
  await makeFolder(dir);
  const path = join(dir, createHash('sha256').update(jobKey).digest('hex').slice(0, 24));
  const owner = `${path}.owner`;
  const lost = new AbortController();
  const onCompromised = (error: Error) =>
    lost.abort(new LockedError(`this run lost its job lock in ${stateDir} (${error.message}): another run of the job may have started; check "migrate status --state-dir ${stateDir}", then rerun with --resume`));
  const lock = () => lockfile.lock(path, { realpath: false, stale: 30_000, update: 10_000, retries: 0, onCompromised });
  let release: () => Promise<void>;
  try {
    release = await lock();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    if (!(await holderIsDead(owner))) {
      throw new LockedError(`another run of this job holds its lock (${jobKey}): wait for it to finish, or check "migrate status --state-dir ${stateDir}"`);
    }
    await rm(`${path}.lock`, { recursive: true, force: true });
    release = await lock();
  }
  await writeFile(owner, JSON.stringify({ pid: process.pid, host: hostname() }));
  return {
    lost: lost.signal,
    release: async () => {
      await rm(owner, { force: true });
      await release();
    },
  };
}

/** Only a holder on this machine can be known dead: its process is gone. */
async function holderIsDead(ownerFile: string): Promise<boolean> {
  const owner = JSON.parse(await readFile(ownerFile, 'utf8').catch(() => 'null')) as { pid: number; host: string } | null;
  if (!owner || owner.host !== hostname()) return false;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
