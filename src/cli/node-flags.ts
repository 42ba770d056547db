/**
 * V8 flags the tool runs with. V8 takes them only on the command line (set from JavaScript, it aborts:
 * bench/HISTORY.md, 2026-12-05), so the entry script starts the process again with them (bin.ts).
 *
 * --single-threaded-gc: V8 otherwise collects on 4 helper threads, which on a host shared with Cassandra
 * contend with its nodes for the cores. On this project's 2-core bench host, 1,000,000-row default copies
 * with it ran at 17.1-18.2 user CPU s in 54-59 s (6 of 6); without it, a third ran at 26-27 s in 66-68 s.
 */
export const NODE_FLAGS: readonly string[] = ['--single-threaded-gc'];

/**
 * The argv (argv[0] first) to execute this script again with the NODE_FLAGS it lacks, or undefined when it
 * has them all. `argv` is process.argv: the node binary, the script, then the tool's arguments.
 */
export function relaunchArgv(execPath: string, execArgv: readonly string[], argv: readonly string[]): string[] | undefined {
  const missing = NODE_FLAGS.filter((flag) => !execArgv.includes(flag));
  if (missing.length === 0) return undefined;
  return [execPath, ...missing, ...execArgv, ...argv.slice(1)];
}
