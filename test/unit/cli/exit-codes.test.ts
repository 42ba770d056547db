import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { ConnectError, ExitCode, exitCodeOf, InputError, InterruptedError, LockedError, TooManyRejectedRowsError } from '../../../src/errors.js';
import { RetriesExhaustedError } from '../../../src/connect/retry.js';

describe('exit codes: one table (README: Outputs and exit codes)', () => {
  it('maps each kind of ending to its code; a driver error for an unreachable cluster is 6, anything unexpected 7', () => {
    const driverError = (name: string) => Object.assign(new Error('x'), { name });
    expect(
      [new InputError('x'), new LockedError('x'), new InterruptedError('x'), new TooManyRejectedRowsError('x'), new ConnectError('x'), driverError('NoHostAvailableError'), driverError('AuthenticationError'), new RetriesExhaustedError('x'), new TypeError('x')].map(exitCodeOf),
    ).toEqual([2, 3, 4, 5, 6, 6, 6, 6, 7]);
    expect(ExitCode).toEqual({ ok: 0, differencesRemain: 1, badInput: 2, locked: 3, interrupted: 4, failedRanges: 5, unreachable: 6, internal: 7 });
  });

  it('an unexpected exception (here: the output sink throwing) exits 7 with one line, the stack in the state folder', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'migrate-internal-'));
    const err: string[] = [];
    const code = await main(['status', '--state-dir', stateDir], {
      out: () => {
        throw new Error('write EPIPE');
      },
      err: (line) => err.push(line),
      env: {},
    });
    expect({ code, err }).toEqual({ code: 7, err: [`migrate: internal error: write EPIPE (a defect of migrate: please report it with the stack, written to ${join(stateDir, 'errors.log')})`] });
    expect(await readFile(join(stateDir, 'errors.log'), 'utf8')).toMatch(/^\S+ Error: write EPIPE\n\s+at /);
  });
});
