import { randomBytes } from 'node:crypto';
import { open, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { InputError } from '../errors.js';
import { makeFolder } from '../state/make-folder.js';

/** What a run writes on this machine: its state folder (local store), its report folder, its metrics file. */
export interface Outputs {
  stateDir?: string | undefined;
  reportDir?: string | undefined;
  metricsFile?: string | undefined;
}

/**
 * Every folder and file the run will write is tried before the first write anywhere (a file written and
 * removed; a folder made if missing): a path that cannot be written is bad input, named with its flag,
 * found within seconds rather than after the copy (when a report could not be written, say).
 */
export async function checkOutputs({ stateDir, reportDir, metricsFile }: Outputs): Promise<void> {
  if (stateDir !== undefined) await checkFolder('--state-dir', stateDir);
  if (reportDir !== undefined) await checkFolder('--report-dir', reportDir);
  if (metricsFile !== undefined) await checkFile('--metrics-file', metricsFile);
}

async function checkFolder(flag: string, path: string): Promise<void> {
  try {
    await makeFolder(path);
    const probe = join(path, `.write-check-${randomBytes(4).toString('hex')}`);
    await (await open(probe, 'wx')).close();
    await rm(probe, { force: true });
  } catch (error) {
    throw new InputError(`${flag} ${path} cannot be written (${reasonOf(error)}): give a folder this user can create and write`);
  }
}

async function checkFile(flag: string, path: string): Promise<void> {
  const existed = await stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
  try {
    await (await open(path, 'a')).close();
    if (!existed) await rm(path, { force: true });
  } catch (error) {
    throw new InputError(`${flag} ${path} cannot be written (${reasonOf(error)}): give a file in a folder that exists and this user can write (${dirname(path)})`);
  }
}

const reasonOf = (error: unknown): string => (error as { code?: string }).code ?? (error instanceof Error ? error.message : String(error));
