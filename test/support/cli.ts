import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { REPO_ROOT, SOURCE, TARGET } from './clusters.js';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** Runs the CLI in-process, as `migrate ARGS`, capturing its output. */
export async function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (t) => out.push(t), err: (t) => err.push(t), env });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** The connection and table flags of a job between the test clusters. */
export const jobArgs = (keyspace: string, table: string, stateDir: string, extra: string[] = []): string[] => [
  '--source', SOURCE, '--target', TARGET, '--keyspace', keyspace, '--table', table, '--state-dir', stateDir, '--quiet', ...extra,
];

const BUILT_CLI = join(REPO_ROOT, 'dist/cli/bin.js');

export interface SpawnedCli {
  code: Promise<number>;
  out: () => string;
  err: () => string;
  kill: (signal: NodeJS.Signals) => void;
  pid: number;
}

/** The built CLI as a user runs it, in its own process: `node dist/cli/bin.js ARGS`. */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv = {}): SpawnedCli {
  const child = spawn(process.execPath, [BUILT_CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  return {
    code: new Promise((resolve) => child.on('close', (code) => resolve(code ?? -1))),
    out: () => out,
    err: () => err,
    kill: (signal) => child.kill(signal),
    pid: child.pid as number,
  };
}
