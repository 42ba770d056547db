import cliProgress from 'cli-progress';
import { parseRangeId } from '../ring/token-range.js';
import { logEvent, logFormat } from './log.js';
import { formatTimeLeft, TimeLeft } from './time-left.js';

/** A range's width in tokens: its share of the work, relative to the others (any partitioner's tokens). */
const ringShare = (id: string): number => {
  const { start, end } = parseRangeId(id);
  return Number(end - start);
};

export interface Progress {
  rangeFinished(range: string): void;
  stop(): void;
}

/**
 * On a terminal, a progress bar (ranges, rows, rows/s, time left); elsewhere (cron, CI) one plain line every
 * 10 s on stderr, and a last one when the run ends; nothing with --quiet. `window`: the in-flight window
 * --max-latency moves, shown when given. The time left weighs ranges by their share of the ring, at the
 * last minute's pace (time-left.ts).
 */
export function startProgress(label: string, ranges: readonly string[], finished: ReadonlySet<string>, rows: () => number, quiet: boolean, window?: () => number): Progress {
  if (quiet) return { rangeFinished: () => undefined, stop: () => undefined };
  const started = Date.now();
  const rangesTotal = ranges.length;
  let done = ranges.filter((id) => finished.has(id)).length;
  const timeLeft = new TimeLeft(new Map(ranges.map((id) => [id, ringShare(id)])), ranges.filter((id) => finished.has(id)), started);
  const left = () => formatTimeLeft(timeLeft.secondsLeft(Date.now()));
  const finish = (range: string) => {
    done++;
    timeLeft.rangeFinished(range, Date.now());
  };
  const windowText = () => (window ? `, ${window()} requests in flight at most` : '');
  const rate = () => Math.round(rows() / Math.max(0.001, (Date.now() - started) / 1000));

  if (process.stderr.isTTY && logFormat() === 'text') {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {value}/{total} ranges | {rows} rows | {rate} rows/s{window} | {left} left`, hideCursor: true, stream: process.stderr },
      cliProgress.Presets.shades_classic,
    );
    const fields = () => ({ rows: rows(), rate: rate(), window: windowText(), left: left() });
    bar.start(rangesTotal, done, fields());
    const timer = setInterval(() => bar.update(done, fields()), 500);
    timer.unref();
    return {
      rangeFinished: (range) => {
        finish(range);
        bar.update(done, fields());
      },
      stop: () => {
        clearInterval(timer);
        bar.update(done, fields());
        bar.stop();
      },
    };
  }
  const line = () =>
    logEvent(
      'progress',
      { job: label, rangesDone: done, rangesTotal, rows: rows(), rowsPerSecond: rate(), secondsLeft: timeLeft.secondsLeft(Date.now()), ...(window ? { inFlightWindow: window() } : {}) },
      `${label}: ${done}/${rangesTotal} ranges, ${rows()} rows, ${rate()} rows/s${windowText()}, ${left()} left`,
    );
  const timer = setInterval(line, 10_000);
  timer.unref();
  return {
    rangeFinished: finish,
    stop: () => {
      clearInterval(timer);
      line();
    },
  };
}
