/**
 * The time a run has left, from how much of the ring its finished ranges cover and how fast that grew
 * lately. A range's share of the work is its share of the ring's tokens (rows spread over tokens by the
 * hash), so one wide range counts for more than many narrow ones; the rate is that of the last
 * `windowMs`, so a run that slowed down (a cluster under load, a throttle) is estimated at its new pace. Pure.
 */
export class TimeLeft {
  private covered: number;
  /** (time, share of the work done then), oldest first, trimmed to the window. */
  private readonly samples: { at: number; covered: number }[];

  /**
   * @param widths each range's share of the work, by range id (they need not sum to 1: only ratios count)
   * @param done the ranges finished before this process started
   */
  constructor(
    private readonly widths: ReadonlyMap<string, number>,
    done: Iterable<string>,
    startedAt: number,
    private readonly windowMs = 60_000,
  ) {
    this.total = [...widths.values()].reduce((a, b) => a + b, 0);
    this.covered = [...done].reduce((sum, id) => sum + (widths.get(id) ?? 0), 0);
    this.samples = [{ at: startedAt, covered: this.covered }];
  }

  private readonly total: number;

  rangeFinished(id: string, at: number): void {
    this.covered += this.widths.get(id) ?? 0;
    this.samples.push({ at, covered: this.covered });
    // Keep the newest sample older than the window too, so the window's rate spans the whole window.
    while (this.samples.length > 2 && (this.samples[1] as { at: number }).at <= at - this.windowMs) this.samples.shift();
  }

  /** Seconds left, or null before any progress was made in the window. */
  secondsLeft(now: number): number | null {
    const first = this.samples[0] as { at: number; covered: number };
    const gained = this.covered - first.covered;
    const seconds = (now - first.at) / 1000;
    if (gained <= 0 || seconds <= 0) return this.covered >= this.total ? 0 : null;
    return Math.max(0, (this.total - this.covered) / (gained / seconds));
  }
}

/** "1h02m", "4m05s", "12s"; "?" before there is an estimate. */
export function formatTimeLeft(seconds: number | null): string {
  if (seconds === null) return '?';
  const s = Math.round(seconds);
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}
