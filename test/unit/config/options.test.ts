import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readConfigFile } from '../../../src/config/config-file.js';
import { parseJobOptions, redactOptions } from '../../../src/config/job-options.js';
import { pageSizeOf, rangesInFlight } from '../../../src/config/run-options.js';

const base = { source: 'a:1', target: 'b:2', keyspace: 'ks', table: 't' };

describe('job options', () => {
  it('fills the documented defaults', () => {
    const o = parseJobOptions(base, {});
    expect(o).toMatchObject({
      write: { writetime: 'job-start', ttl: 'preserve' },
      run: { skewMarginSeconds: 60, stateDir: '.migrate' },
      throughput: { concurrency: undefined, pageSize: undefined, maxInFlight: 256 },
      clusters: { readConsistency: 'LOCAL_QUORUM', writeConsistency: 'LOCAL_QUORUM' },
      selection: { targetKeyspace: 'ks', targetTable: 't' },
      compare: { autocorrect: undefined, deleteExtra: false, floatTolerance: 0, rangeBudget: 5_000 },
    });
  });
  it('keeps each command\'s ranges and page size per worker process unless --concurrency and --page-size are given', () => {
    const defaults = parseJobOptions(base, {}).throughput;
    expect([rangesInFlight(defaults, 'copy', 1), rangesInFlight(defaults, 'copy', 0), rangesInFlight(defaults, 'copy', 3)]).toEqual([3, 3, 9]);
    expect([rangesInFlight(defaults, 'validate', 1), rangesInFlight(defaults, 'validate', 2)]).toEqual([3, 6]);
    expect([pageSizeOf(defaults, 'copy'), pageSizeOf(defaults, 'validate')]).toEqual([2000, 5000]);
    const given = parseJobOptions({ ...base, concurrency: 6, 'page-size': 700 }, {}).throughput;
    expect([rangesInFlight(given, 'copy', 3), rangesInFlight(given, 'validate', 1), pageSizeOf(given, 'copy'), pageSizeOf(given, 'validate')]).toEqual([6, 6, 700, 700]);
  });
  it('reads an explicit stamp, renames, lists and shards', () => {
    const o = parseJobOptions({ ...base, writetime: '1767225600000000', rename: ['a:b', 'c:d'], exclude: ['x,y'], shard: '1/4', autocorrect: '' }, {});
    expect(o.write.writetime).toBe(1767225600000000n);
    expect([...o.selection.renames]).toEqual([['a', 'b'], ['c', 'd']]);
    expect(o.selection.exclude).toEqual(['x', 'y']);
    expect(o.run.shard).toEqual({ index: 1, count: 4 });
    expect(o.compare.autocorrect).toBe('all');
  });
  it('takes passwords from the environment and never shows them', () => {
    const o = parseJobOptions(base, { MIGRATE_SOURCE_PASSWORD: 's3cret', MIGRATE_TARGET_PASSWORD: 't0p' });
    expect([o.clusters.source.password, o.clusters.target.password]).toEqual(['s3cret', 't0p']);
    const shown = JSON.stringify(redactOptions(o));
    expect(shown).not.toContain('s3cret');
    expect(shown).not.toContain('t0p');
    expect(redactOptions(o)).toMatchObject({ clusters: { source: { password: '***' }, target: { password: '***' } } });
  });
  it('refuses bad values with one line naming the option and the fix', () => {
    expect(() => parseJobOptions({ ...base, writetime: 'now' }, {})).toThrow('--writetime: use job-start, preserve, or a timestamp in microseconds');
    expect(() => parseJobOptions({ ...base, keyspace: undefined }, {})).toThrow('--keyspace is required');
    expect(() => parseJobOptions({ ...base, shard: '4/4' }, {})).toThrow('--shard 4/4: I must be below N');
    expect(() => parseJobOptions({ ...base, autocorrect: 'some' }, {})).toThrow('--autocorrect: use --autocorrect, --autocorrect=missing');
    expect(() => parseJobOptions({ ...base, concurrency: 0 }, {})).toThrow('--concurrency');
  });
});

describe('example config files', () => {
  const dir = fileURLToPath(new URL('../../../examples/', import.meta.url));
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
  it('exist', () => expect(files.length).toBeGreaterThanOrEqual(2));
  for (const file of files) {
    it(`${file} parses into valid options`, () => {
      const options = parseJobOptions(readConfigFile(`${dir}${file}`), {});
      expect(options.selection.keyspace).toBe('shop');
    });
  }
  it('a config that is not a mapping is refused with the fix', () => {
    const list = join(mkdtempSync(join(tmpdir(), 'migrate-config-')), 'list.yaml');
    writeFileSync(list, '- keyspace\n- shop\n');
    expect(() => readConfigFile(list)).toThrow(/must be a mapping of option names to values/);
    expect(() => readConfigFile(`${dir}sample-schema.cql`)).toThrow(/is not valid YAML .*: fix the file/);
    expect(() => readConfigFile('/no/such/file.yaml')).toThrow('--config /no/such/file.yaml cannot be read: check the path');
  });
});
