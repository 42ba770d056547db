import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

describe('the entry script', () => {
  it('starts Node with --single-threaded-gc through its #! line, the one way V8 takes that flag', () => {
    const first = readFileSync(new URL('../../../src/cli/bin.ts', import.meta.url), 'utf8').split('\n')[0];
    expect(first).toBe('#!/usr/bin/env -S node --single-threaded-gc');
  });
});
