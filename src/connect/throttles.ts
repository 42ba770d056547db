/**
 * Requests this process's clusters throttled (answered with a RetryAfterMs hint), for summary.json. Ranges
 * run at once and a throttle belongs to none of them in particular: each is counted once, into the next
 * range this process finishes, so the run's total (what the summary shows) is exact for finished ranges.
 */
export class ThrottleCount {
  private seen = 0;
  private reported = 0;

  throttled(): void {
    this.seen++;
  }

  /** The throttles since the last take. */
  take(): number {
    const count = this.seen - this.reported;
    this.reported = this.seen;
    return count;
  }
}

export const processThrottles = new ThrottleCount();
