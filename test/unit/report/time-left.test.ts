import { describe, expect, it } from 'vitest';
import { formatTimeLeft, TimeLeft } from '../../../src/report/time-left.js';

describe('time left', () => {
  // Four ranges: one covers half the ring, three share the other half.
  const widths = new Map([
    ['a', 0.5],
    ['b', 1 / 6],
    ['c', 1 / 6],
    ['d', 1 / 6],
  ]);

  it('weighs a finished range by its share of the ring, at the recent rate', () => {
    const left = new TimeLeft(widths, [], 0, 60_000);
    expect(left.secondsLeft(5_000)).toBeNull();
    // the wide range took 30 s: half the work in 30 s, the other half should take 30 s more
    left.rangeFinished('a', 30_000);
    expect(left.secondsLeft(30_000)).toBeCloseTo(30, 6);
    // a narrow one 10 s later: 2/3 done in 40 s, 1/3 left at that pace is 20 s
    left.rangeFinished('b', 40_000);
    expect(left.secondsLeft(40_000)).toBeCloseTo(20, 6);
  });

  it('follows a slowdown: only the last window counts', () => {
    const left = new TimeLeft(widths, [], 0, 60_000);
    left.rangeFinished('a', 10_000); // fast: half the ring in 10 s
    left.rangeFinished('b', 100_000); // then 90 s for a sixth
    left.rangeFinished('c', 190_000); // and 90 s for another
    // window [130 s, 190 s] starts from the sample at 100 s (kept to span it): 1/6 in 90 s, 1/6 left: 90 s
    expect(left.secondsLeft(190_000)).toBeCloseTo(90, 6);
    left.rangeFinished('d', 280_000);
    expect(left.secondsLeft(280_000)).toBe(0);
  });

  it('counts the ranges an earlier process finished as done, not as speed', () => {
    const left = new TimeLeft(widths, ['a'], 0, 60_000);
    expect(left.secondsLeft(1_000)).toBeNull();
    left.rangeFinished('b', 20_000);
    expect(left.secondsLeft(20_000)).toBeCloseTo(40, 6);
  });

  it('formats', () => {
    expect([null, 0, 12.4, 245, 3725].map(formatTimeLeft)).toEqual(['?', '0s', '12s', '4m05s', '1h02m']);
  });
});
