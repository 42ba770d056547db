/**
 * Keeps the p99 latency of the requests to both clusters under a bound by moving the in-flight window:
 * every second, a p99 above the bound halves the window (multiplicative decrease); one under it, with the
 * window in use, widens it by one (additive increase), never past --max-in-flight. Pure: fed latencies
 * and ticks, it returns the window.
 */
export class LatencyGovernor {
  private window: number;
  private lowest: number;
  private latencies: number[] = [];

  constructor(
    private readonly maxLatencySeconds: number,
    private readonly maxWindow: number,
  ) {
    this.window = maxWindow;
    this.lowest = maxWindow;
  }

  observe(seconds: number): void {
    this.latencies.push(seconds);
  }

  /** One interval's verdict; `busy`: the window was full at some point (growing it could help). */
  tick(busy: boolean): number {
    const sorted = this.latencies.sort((a, b) => a - b);
    this.latencies = [];
    if (sorted.length === 0) return this.window;
    const p99 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] as number;
    if (p99 > this.maxLatencySeconds) this.window = Math.max(1, Math.floor(this.window / 2));
    else if (busy) this.window = Math.min(this.maxWindow, this.window + 1);
    this.lowest = Math.min(this.lowest, this.window);
    return this.window;
  }

  get current(): number {
    return this.window;
  }

  get smallest(): number {
    return this.lowest;
  }
}
