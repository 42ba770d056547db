import cliProgress from 'cli-progress';
import { logEvent, logFormat } from './log.js';

export interface Progress {
  rangeFinished(): void;
  stop(): void;
}

/**
 * On a terminal, a progress bar (ranges, rows, rows/s, ETA); elsewhere (cron, CI) one plain line every
 * 10 s on stderr, and a last one when the run ends; nothing with --quiet. `window`: the in-flight window
 * --max-latency moves, shown when given.
 */
export function startProgress(label: string, rangesTotal: number, rangesDone: number, rows: () => number, quiet: boolean, window?: () => number): Progress {
  if (quiet) return { rangeFinished: () => undefined, stop: () => undefined };
  const started = Date.now();
  let done = rangesDone;
  const windowText = () => (window ? `, ${window()} requests in flight at most` : '');
  const rate = () => Math.round(rows() / Math.max(0.001, (Date.now() - started) / 1000));

  if (process.stderr.isTTY && logFormat() === 'text') {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {value}/{total} ranges | {rows} rows | {rate} rows/s{window} | ETA {eta_formatted}`, hideCursor: true, stream: process.stderr },
      cliProgress.Presets.shades_classic,
    );
    bar.start(rangesTotal, done, { rows: 0, rate: 0, window: windowText() });
    const timer = setInterval(() => bar.update(done, { rows: rows(), rate: rate(), window: windowText() }), 500);
    timer.unref();
    return {
      rangeFinished: () => bar.update(++done, { rows: rows(), rate: rate(), window: windowText() }),
      stop: () => {
        clearInterval(timer);
        bar.update(done, { rows: rows(), rate: rate(), window: windowText() });
        bar.stop();
      },
    };
  }
  const line = () =>
    logEvent('progress', { job: label, rangesDone: done, rangesTotal, rows: rows(), rowsPerSecond: rate(), ...(window ? { inFlightWindow: window() } : {}) }, `${label}: ${done}/${rangesTotal} ranges, ${rows()} rows, ${rate()} rows/s${windowText()}`);
  const timer = setInterval(line, 10_000);
  timer.unref();
  return {
    rangeFinished: () => void ++done,
    stop: () => {
      clearInterval(timer);
      line();
    },
  };
}
