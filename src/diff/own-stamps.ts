/**
 * The write timestamps this tool writes, and how a later run recognises them (DESIGN.md, "The one rule").
 *
 * A job-start copy writes every cell at its stamp S (the job start minus the skew margin). Everything
 * autocorrect writes to beat our own earlier writes goes into a small window just above S: validate run k
 * of the job writes at S + (k + 1) * LEVEL_STEP, so each run's level is above every stamp an earlier run
 * could have written (copy, corrections, and the tombstones of deletions, which are at a stamp we wrote).
 * A live write with a clock no slower than the skew margin is newer than S + margin, far above the window,
 * so a target cell whose writetime falls in a window is ours. Pure.
 */
export const OWN_WINDOW_MICROS = 1_000_000n;
export const LEVEL_STEP_MICROS = 1_000n;

export interface OwnWindow {
  /** A job-start (or explicit) copy stamp. */
  from: bigint;
  /** Exclusive. */
  to: bigint;
}

export class OwnStamps {
  /**
   * @param windows the windows of every job-start copy of this table pair (none after a preserve copy)
   * @param level the stamp this run writes where it must beat our own writes; null without a window
   */
  constructor(
    readonly windows: readonly OwnWindow[],
    readonly level: bigint | null,
  ) {}

  static none(): OwnStamps {
    return new OwnStamps([], null);
  }

  /**
   * @param copies the stamps of the job-start copies of this table pair and the windows they recorded
   * @param earlierValidations how many validate runs of this table pair started before this one
   */
  static fromRuns(copies: readonly { stamp: bigint; windowMicros: bigint }[], earlierValidations: number): OwnStamps {
    if (copies.length === 0) return OwnStamps.none();
    const windows = copies.map(({ stamp, windowMicros }) => ({ from: stamp, to: stamp + windowMicros }));
    const latest = copies.map((c) => c.stamp).reduce((a, b) => (b > a ? b : a));
    // Past the window's top the level stays there: a cell rewritten by that many runs is still ours.
    const steps = BigInt(earlierValidations + 1) * LEVEL_STEP_MICROS;
    const level = latest + (steps < OWN_WINDOW_MICROS ? steps : OWN_WINDOW_MICROS - 1n);
    return new OwnStamps(windows, level);
  }

  isOurs(stamp: bigint): boolean {
    return this.windows.some((w) => stamp >= w.from && stamp < w.to);
  }

  /**
   * The stamp that writes a source cell the target lacks: its own writetime, raised to this run's level when
   * below it, so that no tombstone we wrote before (all are below the level) can hide it.
   */
  fill(sourceStamp: bigint): bigint {
    return this.level !== null && sourceStamp < this.level ? this.level : sourceStamp;
  }
}
