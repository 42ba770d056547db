import { setTimeout as sleep } from 'node:timers/promises';

export interface RetryPolicy {
  attempts: number;
  firstDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, firstDelayMs: 200 };

/** Runs `task` until it succeeds or the attempts are spent, waiting 200 ms, 800 ms, 3.2 s... between tries. */
export async function withRetry<T>(task: () => Promise<T>, policy: RetryPolicy = DEFAULT_RETRY, signal?: AbortSignal): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await task();
    } catch (error) {
      if (attempt >= policy.attempts || signal?.aborted || !isTransient(error)) throw error;
      await sleep(policy.firstDelayMs * 4 ** (attempt - 1), undefined, { signal });
    }
  }
}

/** Server-side invalid requests and type errors will fail the same way again: no retry. */
function isTransient(error: unknown): boolean {
  const code = (error as { code?: number }).code;
  const invalid = code === 0x2200 || code === 0x2000 || code === 0x2100 || code === 0x2300 || code === 0x2400 || code === 0x2500;
  return !invalid && !(error instanceof TypeError);
}
