import { main } from '../../src/cli/main.js';
import { SOURCE, TARGET } from './clusters.js';

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
