#!/usr/bin/env -S node --single-threaded-gc
// --single-threaded-gc (the line above; V8 takes it only on the command line, and aborts when it is set
// later): V8 otherwise collects on 4 helper threads, which on a host shared with Cassandra contend with its
// nodes for the cores. On this project's 2-core bench host, 1,000,000-row default copies with it ran at
// 17.1-18.2 user CPU s in 54-59 s (6 of 6); without it, a third ran at 26-27 s in 66-68 s (bench/HISTORY.md).
// `migrate` and `npx cql-migrate` start the tool through this line; `node dist/cli/bin.js` does not.
import { holdYoungGeneration } from '../jobs/heap-limits.js';

// First, before the rest is loaded: loading it alone grows V8's young generation to 16 MB (jobs/heap-limits.ts).
holdYoungGeneration();
const { runProcess } = await import('./main.js');
await runProcess();
