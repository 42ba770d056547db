import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NODE_FLAGS, relaunchArgv } from '../../../src/cli/node-flags.js';

describe('the entry script', () => {
  it('starts through `#!/usr/bin/env node`, a line BusyBox env (Alpine) takes too: no `env -S`', () => {
    const first = readFileSync(new URL('../../../src/cli/bin.ts', import.meta.url), 'utf8').split('\n')[0];
    expect(first).toBe('#!/usr/bin/env node');
  });
});

describe('relaunchArgv', () => {
  it('starts the same script with the same arguments again, the missing flags first', () => {
    expect(NODE_FLAGS).toEqual(['--single-threaded-gc']);
    expect(relaunchArgv('/usr/bin/node', [], ['/usr/bin/node', '/opt/bin/migrate', 'copy', '--table', 'a b'])).toEqual([
      '/usr/bin/node', '--single-threaded-gc', '/opt/bin/migrate', 'copy', '--table', 'a b',
    ]);
  });

  it('keeps the flags node was started with (a worker process has its heap flags)', () => {
    expect(relaunchArgv('/n', ['--max-old-space-size=512'], ['/n', '/w.js'])).toEqual(['/n', '--single-threaded-gc', '--max-old-space-size=512', '/w.js']);
  });

  it('is undefined once the process has them: it starts again at most once', () => {
    expect(relaunchArgv('/n', ['--single-threaded-gc'], ['/n', '/bin.js', 'copy'])).toBeUndefined();
    expect(relaunchArgv('/n', ['--inspect', '--single-threaded-gc'], ['/n', '/bin.js'])).toBeUndefined();
  });
});
