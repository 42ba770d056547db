#!/usr/bin/env node
// The plain `env node` line: it is the one every env takes. BusyBox's (Alpine's) refuses `env -S`, which
// passing V8 flags on this line needs, so the tool would not start there at all.
import { relaunchArgv } from './node-flags.js';
import { holdYoungGeneration } from '../jobs/heap-limits.js';

// The V8 flags the tool runs with (node-flags.ts), by executing this script again in the same process:
// the same pid, so a signal or kill -9 aimed at it reaches the tool. process.execve is in Node 22.15 and
// later; Node 20 runs without the flags. Should the exec fail, the tool runs as it is.
const relaunch = relaunchArgv(process.execPath, process.execArgv, process.argv);
const node = process as unknown as { execve?: (file: string, args: string[], env: NodeJS.ProcessEnv) => never };
if (relaunch && node.execve) {
  try {
    node.execve(process.execPath, relaunch, process.env);
  } catch {
    // runs without the flags
  }
}

// First, before the rest is loaded: loading it alone grows V8's young generation to 16 MB (jobs/heap-limits.ts).
holdYoungGeneration();
const { runProcess } = await import('./main.js');
await runProcess();
