/**
 * What the run tells the operator on stderr, as events. `text` (the default): the lines a person reads
 * (nothing for events that have no line); `json`: one JSON object per event, every line, for log shippers.
 */
export type LogFormat = 'text' | 'json';

let format: LogFormat = 'text';

/** Where events go instead of stderr: a worker process sends them to the process that started it. */
type LogSink = (event: string, fields: Record<string, unknown>, line: string | undefined) => void;
let sink: LogSink | undefined;

export function setLogSink(to: LogSink): void {
  sink = to;
}

export function setLogFormat(chosen: LogFormat): void {
  format = chosen;
}

export const logFormat = (): LogFormat => format;

/** `line`: what a person reads in text mode (omitted: the event is for log shippers only). */
export function logEvent(event: string, fields: Record<string, unknown>, line?: string): void {
  if (sink) sink(event, fields, line);
  else if (format === 'json') {
    process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), event, ...fields, ...(line === undefined ? {} : { message: line }) }, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}\n`);
  } else if (line !== undefined) {
    // On a terminal, clear the progress bar's line first; the bar redraws itself on its next tick.
    process.stderr.write(`${process.stderr.isTTY ? '\r\x1b[K' : ''}${line}\n`);
  }
}
