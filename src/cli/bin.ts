#!/usr/bin/env node
import { holdYoungGeneration } from '../jobs/heap-limits.js';

// First, before the rest is loaded: loading it alone grows V8's young generation to 16 MB (jobs/heap-limits.ts).
holdYoungGeneration();
const { runProcess } = await import('./main.js');
await runProcess();
