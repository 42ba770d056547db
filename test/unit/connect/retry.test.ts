import { describe, expect, it } from 'vitest';
import { Retrier, type RetryClock, retryPolicy } from '../../../src/connect/retry.js';

/** A clock whose sleeps only move time forward. */
function fakeClock(): RetryClock & { slept: number[] } {
  let now = 1_000_000;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    random: () => 0.5,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

const noHost = () => Object.assign(new Error('All host(s) tried for query failed. First host tried, 127.0.0.1:29042: Error: connect ECONNREFUSED'), { name: 'NoHostAvailableError' });

/** A task that fails `failures` times with `error`, then returns "ok". */
function flaky(failures: number, error: () => Error) {
  let calls = 0;
  const task = async () => {
    calls++;
    if (calls <= failures) throw error();
    return 'ok';
  };
  return { task, calls: () => calls };
}

describe('Retrier', () => {
  it('outlasts a 30 s outage with growing, capped delays, and says so once when it starts and once when it ends', async () => {
    const clock = fakeClock();
    const lines: string[] = [];
    const retrier = new Retrier('target', retryPolicy(120_000), (_event, l) => lines.push(l), clock);
    const flakyTasks = [flaky(12, noHost), flaky(12, noHost), flaky(12, noHost)];
    const results = await Promise.all(flakyTasks.map((f) => retrier.run(f.task)));
    expect(results).toEqual(['ok', 'ok', 'ok']);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^migrate: the target cluster fails requests \(All host\(s\) tried .*\); retrying each for up to 120 s$/);
    expect(lines[1]).toMatch(/^migrate: the target cluster answers again, after \d+ s$/);
  });

  it('says nothing of a blip: a request that fails once and then succeeds', async () => {
    const lines: string[] = [];
    const retrier = new Retrier('target', retryPolicy(60_000), (_event, l) => lines.push(l), fakeClock());
    expect(await retrier.run(flaky(2, noHost).task)).toBe('ok');
    expect(lines).toEqual([]);
  });

  it('waits 200 ms doubling, never above 5 s, with jitter', async () => {
    const clock = fakeClock();
    const retrier = new Retrier('target', retryPolicy(120_000), () => undefined, clock);
    await retrier.run(flaky(8, noHost).task);
    // equal jitter with random() = 0.5: three quarters of each ceiling
    expect(clock.slept).toEqual([150, 300, 600, 1200, 2400, 3750, 3750, 3750]);
  });

  it('a throttled request (Cosmos DB\'s OverloadedException with RetryAfterMs) waits as long as asked, counted as throttled, not announced as an outage', async () => {
    const clock = fakeClock();
    const lines: string[] = [];
    const counted: boolean[] = [];
    const throttled = () =>
      Object.assign(new Error('Request rate is large: ActivityID=7d1c2b3a-0000-0000-0000-000000000000, RetryAfterMs=480, Additional details=\'Response status code does not indicate success: TooManyRequests (429)\''), {
        name: 'ResponseError',
        code: 0x1001,
      });
    const retrier = new Retrier('target', retryPolicy(120_000), (_event, l) => lines.push(l), clock, (_error, isThrottled) => counted.push(isThrottled));
    expect(await retrier.run(flaky(6, throttled).task)).toBe('ok');
    expect(clock.slept).toEqual([480, 480, 480, 480, 480, 480]);
    expect(counted).toEqual([true, true, true, true, true, true]);
    expect(lines).toEqual([]);
    // An overload without a hint is waited out like any outage.
    const plain = fakeClock();
    await new Retrier('target', retryPolicy(120_000), () => undefined, plain).run(flaky(2, () => Object.assign(new Error('Server is overloaded'), { code: 0x1001 })).task);
    expect(plain.slept).toEqual([150, 300]);
  });

  it('gives up after --retry-for, with the cause and the flag in the message', async () => {
    const clock = fakeClock();
    const retrier = new Retrier('source', retryPolicy(10_000), () => undefined, clock);
    const { task, calls } = flaky(1_000, noHost);
    await expect(retrier.run(task)).rejects.toThrow(/^All host\(s\) tried .* \(retried for \d+ s; --retry-for sets how long\)$/);
    expect(clock.slept.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(10_000);
    expect(calls()).toBeGreaterThan(4);
  });

  it('does not retry a request the server refused as invalid', async () => {
    const retrier = new Retrier('target', retryPolicy(60_000), () => undefined, fakeClock());
    const { task, calls } = flaky(5, () => Object.assign(new Error('Undefined column name x'), { code: 0x2200 }));
    await expect(retrier.run(task)).rejects.toThrow('Undefined column name x');
    expect(calls()).toBe(1);
  });

  it('retries a write that may have been applied (a counter increment) only when it surely was not', async () => {
    const retrier = new Retrier('target', retryPolicy(60_000), () => undefined, fakeClock());
    const unsent = flaky(3, noHost);
    expect(await retrier.run(unsent.task, undefined, 'maybe')).toBe('ok');
    const timedOut = flaky(3, () => Object.assign(new Error('Operation timed out'), { name: 'OperationTimedOutError' }));
    await expect(retrier.run(timedOut.task, undefined, 'maybe')).rejects.toThrow('Operation timed out');
    expect(timedOut.calls()).toBe(1);
    const unavailable = flaky(2, () => Object.assign(new Error('Cannot achieve consistency level'), { code: 0x1000 }));
    expect(await retrier.run(unavailable.task, undefined, 'maybe')).toBe('ok');
  });

  it('stops waiting when the job is interrupted', async () => {
    const retrier = new Retrier('target', retryPolicy(60_000), () => undefined, fakeClock());
    const abort = new AbortController();
    abort.abort();
    const { task, calls } = flaky(5, noHost);
    await expect(retrier.run(task, abort.signal)).rejects.toThrow(/All host/);
    expect(calls()).toBe(1);
  });
});
