import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/clusters.js';

/**
 * Validate's young-generation limit rests on V8 reading --semi-space-growth-factor at each growth, which no
 * Node.js API promises: this runs the built module in a fresh process (a test worker's young generation has
 * long grown), started as the tool's entry starts and loading its modules, then allocates as a job does: pages of 5000 rows of 20
 * cells, three in flight, each dropped once worked on, with an await between slices of 100 rows.
 */
const script = `
import { getHeapSpaceStatistics } from 'node:v8';
import { holdYoungGeneration, limitHeap } from ${JSON.stringify(join(REPO_ROOT, 'dist/jobs/heap-limits.js'))};
holdYoungGeneration();
await import(${JSON.stringify(join(REPO_ROOT, 'dist/cli/main.js'))});
await import(${JSON.stringify(join(REPO_ROOT, 'dist/jobs/validate.js'))});
const youngMb = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size / 1048576;
async function pages() {
  let largest = 0;
  const inFlight = [];
  for (let page = 0; page < 40; page++) {
    const rows = Array.from({ length: 5000 }, (_, r) => Array.from({ length: 20 }, (_, c) => r + ":" + c));
    inFlight.push(rows);
    if (inFlight.length > 3) inFlight.shift();
    for (let slice = 0; slice < rows.length; slice += 100) {
      rows.slice(slice, slice + 100).map((row) => row.join(','));
      await new Promise((resolve) => setImmediate(resolve));
    }
    largest = Math.max(largest, youngMb());
  }
  return largest;
}
const startup = youngMb();
limitHeap('validate');
const validate = await pages();
limitHeap('copy');
const copy = await pages();
console.log(JSON.stringify({ startup, validate, copy }));
`;

describe('heap limits', () => {
  it("holds validate's young generation at 8 MB from the process's start, and gives a copy V8's own growth back", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]);
    const largest = JSON.parse(stdout) as { startup: number; validate: number; copy: number };
    expect(largest.startup).toBeLessThanOrEqual(2);
    expect(largest.validate).toBeLessThanOrEqual(8);
    expect(largest.validate).toBeGreaterThan(2);
    expect(largest.copy).toBeGreaterThan(8);
  });
});
