/**
 * The closed set of ways a run ends, and the one place that maps them to exit codes (DESIGN.md).
 */
export const ExitCode = {
  ok: 0,
  differencesRemain: 1,
  badInput: 2,
  locked: 3,
  interrupted: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

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
  readonly exitCode = ExitCode.badInput;
}

/** Another run of the same job holds the lock. */
export class LockedError extends MigrateError {
  readonly exitCode = ExitCode.locked;
}

/** A signal stopped the run; its state is saved and `--resume` goes on. */
export class InterruptedError extends MigrateError {
  readonly exitCode = ExitCode.interrupted;
}

export function exitCodeOf(error: unknown): ExitCode {
  return error instanceof MigrateError ? error.exitCode : ExitCode.differencesRemain;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
