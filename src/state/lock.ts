import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { LockedError } from '../errors.js';

/**
 * Holds the job's lock for the run. A lock left by a crashed process goes stale after 30 s (the holder
 * refreshes it every 10 s), so a cron schedule never wedges.
 */
export async function acquireJobLock(stateDir: string, jobKey: string): Promise<() => Promise<void>> {
  const dir = join(stateDir, 'locks');
  await mkdir(dir, { recursive: true });
  const path = join(dir, createHash('sha256').update(jobKey).digest('hex').slice(0, 24));
  try {
    return await lockfile.lock(path, { realpath: false, stale: 30_000, update: 10_000, retries: 0 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED') {
      throw new LockedError(`another run of this job holds its lock (${jobKey}): wait for it to finish, or check "migrate status --state-dir ${stateDir}"`);
    }
    throw error;
  }
}
