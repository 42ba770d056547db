import { describe, expect, it } from 'vitest';
import { LatencyGovernor } from '../../../src/connect/latency-governor.js';

describe('LatencyGovernor', () => {
  it('halves the window while the p99 is over the bound, then widens it by one per busy second under it', () => {
    const governor = new LatencyGovernor(0.05, 64);
    const second = (latency: number, busy = true) => {
      for (let i = 0; i < 100; i++) governor.observe(i === 99 ? latency : 0.001);
      return governor.tick(busy);
    };
    expect([second(0.2), second(0.2), second(0.2)]).toEqual([32, 16, 8]);
    expect([second(0.01), second(0.01), second(0.01, false)]).toEqual([9, 10, 10]);
    expect(governor.smallest).toBe(8);
    // never below one, never above --max-in-flight
    for (let i = 0; i < 10; i++) second(1);
    expect(governor.current).toBe(1);
    for (let i = 0; i < 100; i++) second(0.001);
    expect(governor.current).toBe(64);
  });

  it('a second with no requests changes nothing', () => {
    const governor = new LatencyGovernor(0.05, 10);
    expect(governor.tick(true)).toBe(10);
  });
});
