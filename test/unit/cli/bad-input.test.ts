import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';

// Bad input stops before any connection is made (the contact points here answer nothing), with exit 2 and
// one line that names the problem and the fix.
const dir = mkdtempSync(join(tmpdir(), 'migrate-bad-input-'));
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
const job = ['--source', '127.0.0.1:1', '--target', '127.0.0.1:2', '--keyspace', 'k', '--table', 't'];

const cases: [what: string, args: string[], line: RegExp][] = [
  ['a config file that is not YAML', ['copy', '--config', file('bad.yaml', 'a: [\n')], /^migrate: --config .*bad\.yaml is not valid YAML \(.+\): fix the file$/],
  ['a config file that is not there', ['copy', '--config', join(dir, 'missing.yaml')], /^migrate: --config .*missing\.yaml cannot be read: check the path$/],
  ['--ttl with a value it does not take', ['copy', ...job, '--ttl', 'bogus'], /^migrate: Invalid values: Argument: ttl, Given: "bogus", Choices: "preserve", "none": see "migrate --help"$/],
  ['--page-size that is not a number', ['copy', ...job, '--page-size', 'abc'], /^migrate: --page-size takes a number$/],
  ['a password on the command line', ['copy', ...job, '--target-password', 'hunter2'], /^migrate: --target-password is not taken on the command line .*: set MIGRATE_TARGET_PASSWORD or put it in the --config file$/],
  ['--live-since that is not a stamp', ['copy', ...job, '--live-since', 'yesterday'], /^migrate: --live-since: give the moment the dual-write proxy went live/],
  ['a --ranges-file with no ranges', ['copy', ...job, '--ranges-file', file('failed-ranges.csv', 'range,error\n')], /^migrate: --ranges-file .*failed-ranges\.csv lists no ranges: nothing to rerun/],
  ['--writetime later than now', ['copy', ...job, '--writetime', '9999999999999999'], /^migrate: --writetime 9999999999999999 is later than now/],
];

describe('bad input: exit 2 and one line naming the problem and the fix', () => {
  for (const [what, args, line] of cases) {
    it(what, async () => {
      const err: string[] = [];
      const code = await main(args, { out: () => undefined, err: (t) => err.push(t), env: {} });
      expect({ code, lines: err.length }).toEqual({ code: 2, lines: 1 });
      expect(err[0]).toMatch(line);
      expect(err[0]).not.toContain('hunter2');
    });
  }

  it('a password in the config file is taken (as the README shows), and never printed', async () => {
    const config = file('pw.yaml', 'source: 127.0.0.1:1\ntarget: 127.0.0.1:2\nkeyspace: k\ntable: t\ntarget-password: hunter2\n');
    const err: string[] = [];
    const code = await main(['copy', '--config', config, '--state-dir', dir], { out: () => undefined, err: (t) => err.push(t), env: {} });
    // It gets as far as connecting: the source answers nothing there.
    expect(code).toBe(2);
    expect(err.join('\n')).toMatch(/^migrate: cannot connect to the source cluster at 127\.0\.0\.1:1/);
    expect(err.join('\n')).not.toContain('hunter2');
  });

  it('--version prints the package version', async () => {
    const out: string[] = [];
    expect(await main(['--version'], { out: (t) => out.push(t), err: () => undefined, env: {} })).toBe(0);
    expect(out.join('')).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
