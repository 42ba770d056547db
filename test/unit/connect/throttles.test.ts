import { describe, expect, it } from 'vitest';
import { ThrottleCount } from '../../../src/connect/throttles.js';

describe('throttled requests in the summary', () => {
  it('each counted once, into the next range a process finishes, whatever ranges ran at once', () => {
    const count = new ThrottleCount();
    const ranges: number[] = [];
    count.throttled();
    count.throttled();
    ranges.push(count.take());
    ranges.push(count.take());
    count.throttled();
    ranges.push(count.take());
    expect(ranges).toEqual([2, 0, 1]);
    expect(ranges.reduce((a, b) => a + b, 0)).toBe(3);
  });
});
