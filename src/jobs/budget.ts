import { RateLimiter } from 'limiter';
import pLimit from 'p-limit';
import type { JobOptions } from '../config/job-options.js';
import { LatencyGovernor } from '../connect/latency-governor.js';
import type { JobMetrics } from '../report/metrics.js';

/**
 * The one budget of a job: requests in flight to each cluster, rows per second, and the p99 latency to keep
 * under. Its spec is the options' throughput slice (plain data, sent to worker processes as it is); the live
 * budget is what the command, its worker processes and a keyspace job's tables draw on.
 */
export type BudgetSpec = Pick<JobOptions['throughput'], 'maxInFlight' | 'rateLimit' | 'maxLatencyMs'>;

export interface Budget {
  /** Caps the requests in flight to either cluster, across all range workers. */
  inFlight: ReturnType<typeof pLimit>;
  /** Waits until `rows` more rows may be read (--rate-limit); resolves at once without a limit. */
  throttle(rows: number): Promise<void>;
}

/** A live budget; with --max-latency and metrics to observe, the in-flight window follows the latency governor. */
export function liveBudget(spec: BudgetSpec, metrics?: JobMetrics): Budget {
  const limit = spec.rateLimit;
  const limiter = limit ? new RateLimiter({ tokensPerInterval: limit, interval: 'second' }) : undefined;
  const inFlight = pLimit(spec.maxInFlight);
  if (spec.maxLatencyMs !== undefined && metrics) governLatency(inFlight, spec.maxLatencyMs, spec.maxInFlight, metrics);
  return {
    inFlight,
    throttle: async (rows) => {
      if (!limiter || !limit) return;
      for (let left = rows; left > 0; left -= limit) await limiter.removeTokens(Math.min(left, limit));
    },
  };
}

/** One of `parts` equal shares (worker processes, tables at once): the in-flight cap and the rate limit split evenly. */
export function shareOf<S extends BudgetSpec>(spec: S, parts: number): S {
  const n = Math.max(1, parts);
  return { ...spec, maxInFlight: Math.max(1, Math.ceil(spec.maxInFlight / n)), rateLimit: spec.rateLimit === undefined ? undefined : Math.max(1, Math.floor(spec.rateLimit / n)) };
}

/** A share narrowed by a table's own rate limit (its config entry), the lower of the two. */
export function narrowedTo<S extends BudgetSpec>(spec: S, ownRateLimit: number | undefined): S {
  if (ownRateLimit === undefined) return spec;
  return { ...spec, rateLimit: spec.rateLimit === undefined ? ownRateLimit : Math.min(spec.rateLimit, ownRateLimit) };
}

/** The shared live budget with a table's own rate limit on top (the table draws on both). */
export function withOwnRate(shared: Budget, ownRateLimit: number | undefined): Budget {
  if (ownRateLimit === undefined) return shared;
  const own = liveBudget({ maxInFlight: 1, rateLimit: ownRateLimit, maxLatencyMs: undefined });
  return {
    inFlight: shared.inFlight,
    throttle: async (rows) => {
      await own.throttle(rows);
      await shared.throttle(rows);
    },
  };
}

/** --max-latency: the in-flight window follows the governor's verdict every second, until the run ends. */
function governLatency(inFlight: ReturnType<typeof pLimit>, maxLatencyMs: number, maxInFlight: number, metrics: JobMetrics): void {
  const governor = new LatencyGovernor(maxLatencyMs / 1000, maxInFlight);
  let busy = false;
  metrics.onRequest((seconds) => {
    governor.observe(seconds);
    busy ||= inFlight.activeCount >= inFlight.concurrency || inFlight.pendingCount > 0;
  });
  const timer = setInterval(() => {
    inFlight.concurrency = governor.tick(busy);
    busy = false;
  }, 1000);
  timer.unref();
  metrics.onEnd(() => clearInterval(timer));
  metrics.trackWindow(() => governor.current, () => governor.smallest);
}
