/**
 * The closed set of ways a run ends, and the one place that maps them to exit codes (DESIGN.md).
 */
export const ExitCode = {
  /** Done (validate: no missing, extra or mismatched row remains, target-newer rows aside). */
  ok: 0,
  differencesRemain: 1,
  /** Bad input or configuration, found before anything was written. */
  badInput: 2,
  /** Another run of the job holds the lock. */
  locked: 3,
  /** Stopped by a signal; the state is saved and `--resume` goes on. */
  interrupted: 4,
  /** The run ended with ranges that failed after their retries (or rows the target refused). */
  failedRanges: 5,
  /** A cluster could not be reached or authenticated. */
  unreachable: 6,
  /** A defect of the tool: one line on stderr, the stack in the state folder's errors.log. */
  internal: 7,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** What each exit code means, for `--help` (the README's table says the same at more length). */
export const EXIT_CODE_MEANINGS: Record<ExitCode, string> = {
  0: 'done (validate: no missing, extra or mismatched row remains, target-newer rows aside)',
  1: 'differences remain',
  2: 'bad input or configuration, found before anything was written',
  3: 'another run of the job holds the lock',
  4: 'interrupted by a signal (state saved: --resume goes on)',
  5: 'ranges failed after their retries, or rows the target refused (rejected.csv)',
  6: 'a cluster could not be reached or refused the credentials',
  7: "internal error (the stack is in the state folder's errors.log)",
};

/** Every error the tool raises on purpose; its message is one line naming the problem and the fix. */
export abstract class MigrateError extends Error {
  abstract readonly exitCode: ExitCode;
  override readonly name: string = this.constructor.name;
}

/** A flag, config file or schema that cannot work; detected before anything is written. */
export class InputError extends MigrateError {
  readonly exitCode = ExitCode.badInput;
}

/** A cluster that cannot be reached or refuses us; detected before anything is written. */
export class ConnectError extends MigrateError {
  readonly exitCode = ExitCode.unreachable;
}

/** Another run of the same job holds the lock. */
export class LockedError extends MigrateError {
  readonly exitCode = ExitCode.locked;
}

/** A signal stopped the run; its state is saved and `--resume` goes on. */
export class InterruptedError extends MigrateError {
  readonly exitCode = ExitCode.interrupted;
}

/** More rows refused by the target than --max-errors allows: the run stops. */
export class TooManyRejectedRowsError extends MigrateError {
  readonly exitCode = ExitCode.failedRanges;
}

/**
 * Our own errors carry their code; the driver's for a cluster that cannot be reached, that timed out
 * through every retry or that refused our credentials are an outage (6); anything else is a defect (7).
 */
export function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof MigrateError) return error.exitCode;
  const name = (error as { name?: string } | null)?.name;
  if (name === 'NoHostAvailableError' || name === 'OperationTimedOutError' || name === 'AuthenticationError' || name === 'BusyConnectionError' || name === 'RetriesExhaustedError') return ExitCode.unreachable;
  return ExitCode.internal;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
