import cliProgress from 'cli-progress';
import { logEvent, logFormat } from './log.js';

export interface Progress {
  rangeFinished(): void;
  stop(): void;
}

/**
 * On a terminal, a progress bar (ranges, rows, rows/s, ETA); elsewhere (cron, CI) one plain line every
 * 10 s on stderr, and a last one when the run ends; nothing with --quiet.
 */
export function startProgress(label: string, rangesTotal: number, rangesDone: number, rows: () => number, quiet: boolean): Progress {
  if (quiet) return { rangeFinished: () => undefined, stop: () => undefined };
  const started = Date.now();
  let done = rangesDone;
  const rate = () => Math.round(rows() / Math.max(0.001, (Date.now() - started) / 1000));

  if (process.stderr.isTTY && logFormat() === 'text') {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {value}/{total} ranges | {rows} rows | {rate} rows/s | ETA {eta_formatted}`, hideCursor: true, stream: process.stderr },
      cliProgress.Presets.shades_classic,
    );
    bar.start(rangesTotal, done, { rows: 0, rate: 0 });
    const timer = setInterval(() => bar.update(done, { rows: rows(), rate: rate() }), 500);
    timer.unref();
    return {
      rangeFinished: () => bar.update(++done, { rows: rows(), rate: rate() }),
      stop: () => {
        clearInterval(timer);
        bar.update(done, { rows: rows(), rate: rate() });
        bar.stop();
      },
    };
  }
  const line = () => logEvent('progress', { job: label, rangesDone: done, rangesTotal, rows: rows(), rowsPerSecond: rate() }, `${label}: ${done}/${rangesTotal} ranges, ${rows()} rows, ${rate()} rows/s`);
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
