import { ExitCode, MigrateError } from '../errors.js';

/** How a table run ended: stopped (a signal, --max-errors), with failed ranges, or finished with the command's verdict. */
export type RunEnd =
  | { kind: 'stopped'; reason: unknown }
  | { kind: 'ranges-failed' }
  | { kind: 'finished'; verdict: ExitCode | undefined };

/** The exit code of each way a run ends. */
export function exitCodeOfRun(end: RunEnd): ExitCode {
  switch (end.kind) {
    case 'stopped':
      return end.reason instanceof MigrateError ? end.reason.exitCode : ExitCode.interrupted;
    case 'ranges-failed':
      return ExitCode.failedRanges;
    case 'finished':
      return end.verdict ?? ExitCode.ok;
  }
}
