import { setTimeout as sleep } from 'node:timers/promises';
import { messageOf } from '../errors.js';

export interface RetryPolicy {
  /** How long one request keeps being retried after its first failure (--retry-for). */
  retryForMs: number;
  firstDelayMs: number;
  /** Backoff stops growing here, so that a cluster that comes back is noticed within this long. */
  maxDelayMs: number;
}

export const retryPolicy = (retryForMs: number): RetryPolicy => ({ retryForMs, firstDelayMs: 200, maxDelayMs: 5_000 });

export interface RetryClock {
  now(): number;
  random(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: RetryClock = {
  now: Date.now,
  random: Math.random,
  sleep: (ms, signal) => sleep(ms, undefined, signal ? { signal } : {}),
};

/** Failures for less than this are a blip (a node shutting down answers "shutting down" once), not news. */
const ANNOUNCE_AFTER_MS = 2_000;

/**
 * Retries one cluster's requests through an outage: exponential backoff with jitter, for up to
 * `retryForMs` after each request's first failure. An outage is announced once, when requests have been
 * failing for 2 s, and its end once, when a request succeeds again; the requests in between stay quiet.
 */
/** One line when an outage starts (`outage`) and one when it ends (`recovered`). */
export type OutageWarning = (event: 'outage' | 'recovered', line: string) => void;

export class Retrier {
  private outageSince: number | undefined;
  private announced = false;

  constructor(
    private readonly cluster: string,
    readonly policy: RetryPolicy,
    private readonly warn: OutageWarning,
    private readonly clock: RetryClock = realClock,
    private readonly retried: ((error: unknown, throttled: boolean) => void) | undefined = undefined,
  ) {}

  /**
   * `applied: 'maybe'`: the task may have taken effect when it failed (a counter increment), so it is
   * retried only on errors that prove it never reached a replica.
   */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal, applied: 'never' | 'maybe' = 'never'): Promise<T> {
    let deadline: number | undefined;
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await task();
        this.recovered();
        return result;
      } catch (error) {
        const retryable = applied === 'never' ? isTransient(error) : neverReachedReplica(error);
        if (!retryable || signal?.aborted) throw error;
        const now = this.clock.now();
        // A throttled request (the service says when to come back) is not an outage.
        const hint = retryAfterMs(error);
        if (hint === undefined) this.failing(error, now);
        deadline ??= now + this.policy.retryForMs;
        // Equal jitter: requests that failed together do not all come back in the same instant.
        const ceiling = Math.min(this.policy.maxDelayMs, this.policy.firstDelayMs * 2 ** attempt);
        const delay = hint ?? ceiling / 2 + this.clock.random() * (ceiling / 2);
        if (now + delay > deadline) {
          throw new RetriesExhaustedError(`${firstLine(error)} (retried for ${Math.round((now - (deadline - this.policy.retryForMs)) / 1000)} s; --retry-for sets how long)`);
        }
        await this.clock.sleep(delay, signal);
        this.retried?.(error, hint !== undefined);
      }
    }
  }

  private failing(error: unknown, now: number): void {
    this.outageSince ??= now;
    if (this.announced || now - this.outageSince < ANNOUNCE_AFTER_MS) return;
    this.announced = true;
    this.warn('outage', `migrate: the ${this.cluster} cluster fails requests (${firstLine(error)}); retrying each for up to ${Math.round(this.policy.retryForMs / 1000)} s`);
  }

  private recovered(): void {
    if (this.outageSince === undefined) return;
    if (this.announced) this.warn('recovered', `migrate: the ${this.cluster} cluster answers again, after ${Math.round((this.clock.now() - this.outageSince) / 1000)} s`);
    this.outageSince = undefined;
    this.announced = false;
  }
}

/** A request that kept failing with transient errors for all of --retry-for: the cluster is out of reach. */
export class RetriesExhaustedError extends Error {
  override readonly name = 'RetriesExhaustedError';
}

const firstLine = (error: unknown): string => messageOf(error).split('\n')[0] ?? '';

/**
 * How long a throttling service asks to wait: Cosmos DB answers a request over its provisioned rate with
 * OverloadedException (0x1001) carrying `RetryAfterMs=N` in its message.
 */
export function retryAfterMs(error: unknown): number | undefined {
  if ((error as { code?: number }).code !== 0x1001) return undefined;
  const hint = /RetryAfterMs=(\d+)/.exec(messageOf(error));
  return hint ? Number(hint[1]) : undefined;
}

/** Server-side invalid requests, auth errors and type errors fail the same way again: no retry. */
export function isTransient(error: unknown): boolean {
  if (error instanceof TypeError || error instanceof RangeError) return false;
  const code = (error as { code?: number }).code;
  // Syntax, unauthorized, invalid, config error, already exists, unprepared (the driver reprepares), bad credentials.
  return !(code === 0x2000 || code === 0x2100 || code === 0x2200 || code === 0x2300 || code === 0x2400 || code === 0x2500 || code === 0x0100);
}

/** The server refused the request for what it holds (an invalid request: a guardrail, a size limit): the same row fails again. */
export function isRefusal(error: unknown): boolean {
  return (error as { code?: number }).code === 0x2200;
}

/** The target's guardrail against list operations that read before writing (removal by index or by value). */
export function isListRemovalRefused(error: unknown): boolean {
  return isRefusal(error) && /read before write/i.test((error as { message?: string }).message ?? '');
}

/**
 * Errors after which a request is known not to have been applied: no host could take it (the driver
 * gives up on a non-idempotent request as soon as it may have been sent), or the coordinator refused it
 * before writing (unavailable, bootstrapping).
 */
export function neverReachedReplica(error: unknown): boolean {
  if ((error as { name?: string }).name === 'NoHostAvailableError') return true;
  const code = (error as { code?: number }).code;
  return code === 0x1000 || code === 0x1002;
}
