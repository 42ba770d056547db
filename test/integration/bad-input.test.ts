import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type cassandra from 'cassandra-driver';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { spawnCli } from '../support/cli.js';
import { freshSampleKeyspace, RING, SOURCE, TARGET } from '../support/clusters.js';
import { clientsForFile } from '../support/file-clients.js';

/**
 * Every kind of bad input a user has met, against the real clusters: exit 2, one line on stderr naming the
 * problem and the fix, no password in it, and nothing written to the target (its tables stay empty) or to
 * the run state.
 */
const KS = 'bad_input';
const dir = mkdtempSync(join(tmpdir(), 'migrate-bad-input-'));
const stateDir = join(dir, 'state');
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
const job = (table = 'profiles') => ['--source', SOURCE, '--target', TARGET, '--keyspace', KS, '--table', table, '--state-dir', stateDir, '--quiet'];
const configOf = (extra: string) => file(`config-${Math.random().toString(36).slice(2)}.yaml`, `source: ${SOURCE}\ntarget: ${TARGET}\nkeyspace: ${KS}\nstate-dir: ${stateDir}\n${extra}`);

const cases: [what: string, args: string[], line: RegExp, env?: NodeJS.ProcessEnv][] = [
  // config files
  ['a config file that is not YAML', ['copy', '--config', file('bad.yaml', 'a: [\n')], /^migrate: --config .*bad\.yaml is not valid YAML \(.+\): fix the file$/],
  ['a config file that is not there', ['copy', '--config', join(dir, 'missing.yaml')], /^migrate: --config .*missing\.yaml cannot be read: check the path$/],
  ['a config file with an unknown option', ['copy', '--config', configOf('table: profiles\npage-sise: 10\n')], /^migrate: Unknown argument: page-sise: see "migrate --help"$/],
  // flags and their values
  ['a flag that does not exist', ['copy', ...job(), '--bogus-flag'], /^migrate: Unknown argument: bogus-flag: see "migrate --help"$/],
  ['a copy option given to validate', ['validate', ...job(), '--writetime', 'preserve'], /^migrate: Unknown argument: writetime: see "migrate --help"$/],
  ['a required flag missing', ['copy', '--target', TARGET, '--keyspace', KS, '--table', 'profiles'], /^migrate: give the source contact points: --source HOST\[:PORT\]\[,HOST\.\.\.\] \(or --source-bundle FILE for Astra\)$/],
  ['--target-profile that is not a profile', ['copy', ...job(), '--target-profile', 'mongo'], /^migrate: --target-profile: use one of cassandra, dse, astra, cosmos, keyspaces, scylla$/],
  ['--target-bundle that cannot be read', ['copy', '--source', SOURCE, '--target-bundle', join(dir, 'no-bundle.zip'), '--keyspace', KS, '--table', 'profiles', '--state-dir', stateDir, '--quiet'], /^migrate: --target-bundle .*no-bundle\.zip cannot be read: give the Secure Connect Bundle \(a zip file\) downloaded for the database$/],
  ['contact points and a bundle both', ['copy', ...job(), '--target-bundle', join(dir, 'no-bundle.zip')], /^migrate: --target and --target-bundle both say where the target is: keep one$/],
  ['a bundle with TLS options', ['copy', '--source', SOURCE, '--target-bundle', join(dir, 'no-bundle.zip'), '--target-tls', '--keyspace', KS, '--table', 'profiles', '--state-dir', stateDir, '--quiet'], /^migrate: --target-bundle brings its own certificates: drop the --target-tls, -ca, -cert, -key and -keystore options$/],
  ['the shared ledger on a target without lightweight transactions', ['copy', ...job(), '--target-profile', 'cosmos', '--state', 'cassandra:bad_input_ledger'], /^migrate: --state cassandra keeps claims and locks with lightweight transactions, which Azure Cosmos DB for Apache Cassandra does not offer everywhere: keep the run state locally/],
  ['--ttl with a value it does not take', ['copy', ...job(), '--ttl', 'bogus'], /^migrate: --ttl: use preserve \(keep the remaining TTLs\) or none$/],
  ['--page-size that is not a number', ['copy', ...job(), '--page-size', 'abc'], /^migrate: --page-size takes a number$/],
  ['--retry-for that is not a duration', ['copy', ...job(), '--retry-for', 'soon'], /^migrate: --retry-for: give a duration such as 300 \(seconds\), 90s, 5m or 1h$/],
  ['--writetime that is not a stamp', ['copy', ...job(), '--writetime', 'now'], /^migrate: --writetime: use job-start, preserve, or a timestamp in microseconds/],
  ['--writetime later than now', ['copy', ...job(), '--writetime', '9999999999999999'], /^migrate: --writetime 9999999999999999 is later than now: .*give the moment the proxy went live/],
  ['--live-since that is not a stamp', ['copy', ...job(), '--live-since', 'yesterday'], /^migrate: --live-since: give the moment the dual-write proxy went live/],
  ['--autocorrect with a value it does not take', ['validate', ...job(), '--autocorrect=some'], /^migrate: --autocorrect: use --autocorrect, --autocorrect=missing, --autocorrect=mismatched or --autocorrect=all$/],
  ['--shard out of range', ['copy', ...job(), '--shard', '4/4'], /^migrate: --shard 4\/4: I must be below N \(shards are numbered 0 to N-1\)$/],
  ['--run-id with a slash', ['copy', ...job(), '--run-id', 'a/b'], /^migrate: --run-id: use letters, digits, "\.", "_" and "-"$/],
  ['a consistency level that does not exist', ['copy', ...job(), '--read-consistency', 'BOGUS'], /^migrate: --read-consistency BOGUS is not a consistency level: use ANY, ONE/],
  ['a password on the command line', ['copy', ...job(), '--target-password', 'hunter2'], /^migrate: --target-password is not taken on the command line .*: set MIGRATE_TARGET_PASSWORD or put it in the --config file$/],
  // files the run reads
  ['a --ranges-file that is not there', ['copy', ...job(), '--ranges-file', join(dir, 'nope.csv')], /^migrate: --ranges-file .*nope\.csv cannot be read: give the failed-ranges\.csv of an earlier run$/],
  ['a --ranges-file with no ranges', ['copy', ...job(), '--ranges-file', file('failed-ranges.csv', 'range,error\n')], /^migrate: --ranges-file .*failed-ranges\.csv lists no ranges: nothing to rerun/],
  ['a --ranges-file with a range that is not one', ['copy', ...job(), '--ranges-file', file('bad-ranges.csv', 'range,error\n12-40,x\n')], /^migrate: --ranges-file .*bad-ranges\.csv line 2: /],
  ['a CA file that is not there', ['copy', ...job(), '--target-ca', join(dir, 'nope.pem')], /^migrate: --target-ca .*nope\.pem cannot be read: give the PEM file of the CA that signed the target cluster's certificate$/],
  // clusters
  ['a data center the cluster does not have', ['copy', ...job(), '--source-dc', 'dc9'], /^migrate: --source-dc dc9 is not a data center of the source cluster: use one of datacenter1$/],
  // keyspaces, tables and columns
  ['the same cluster and table as source and target', ['copy', ...job().map((a) => (a === TARGET ? SOURCE : a))], /^migrate: --source and --target are the same cluster and bad_input\.profiles is both the source and the target table: point --target at the other cluster, or give --target-keyspace\/--target-table$/],
  ['--ignore of a column the table lacks', ['validate', ...job(), '--ignore', 'nosuchcol'], /^migrate: column nosuchcol named in --ignore is not in bad_input\.profiles: use one of /],
  // folders and files the run writes
  ['a --report-dir that cannot be made', ['copy', ...job(), '--report-dir', '/proc/nope'], /^migrate: --report-dir \/proc\/nope cannot be written \(\w+\): give a folder this user can create and write$/],
  ['a --state-dir that is a file', ['copy', ...job().map((a) => (a === stateDir ? file('not-a-folder', 'x') : a))], /^migrate: --state-dir .*not-a-folder cannot be written \(\w+\): give a folder this user can create and write$/],
  ['a --metrics-file in a folder that does not exist', ['copy', ...job(), '--metrics-file', join(dir, 'no', 'such', 'metrics.prom')], /^migrate: --metrics-file .*metrics\.prom cannot be written \(ENOENT\): give a file in a folder that exists/],
  ['a keyspace that exists on neither cluster', ['copy', ...job().map((a) => (a === KS ? 'nowhere' : a))], /^migrate: keyspace nowhere does not exist on the source cluster: check --keyspace or create it$/],
  ['a table the source lacks', ['copy', ...job('nope')], /^migrate: table bad_input\.nope does not exist on the source cluster/],
  ['a table the target lacks', ['copy', ...job(), '--target-table', 'nope'], /^migrate: table bad_input\.nope does not exist on the target cluster/],
  ['a target table of another shape', ['copy', ...job(), '--target-table', 'page_views'], /^migrate: the primary keys differ: source \(id partition_key\) vs target bad_input\.page_views \(page partition_key, day clustering\): create the target table with the same partition and clustering columns/],
  ['a column of another type', ['copy', ...job(), '--target-table', 'retyped', '--exclude', 'attrs,history,home,nested,pairs,scores,visits'], /^migrate: column tags is set<text> in the source but tags is list<text> in the target bad_input\.retyped: alter the target column to set<text> or leave it out with --exclude tags$/],
  ['--rename to a column the target lacks', ['copy', ...job(), '--rename', 'tags:nope'], /^migrate: --rename tags:nope: the target bad_input\.profiles has no column nope: use one of id, /],
  ['a column the target lacks', ['copy', ...job(), '--target-table', 'narrow'], /^migrate: column attrs \(map<text, int>\) is missing in the target bad_input\.narrow: add it there, map it with --rename attrs:NAME, or leave it out with --exclude attrs$/],
  ['--exclude of a key column', ['copy', ...job(), '--exclude', 'id'], /^migrate: --exclude id: .*key/],
  ['--resume with no earlier run', ['validate', ...job(), '--resume'], /^migrate: no earlier run of this job in .*: drop --resume to start one$/],
  ['--resume of a run that does not exist', ['copy', ...job(), '--resume', 'nope'], /^migrate: run nope was not found in .*: list runs with "migrate status --state-dir .*"$/],
  // where runs are kept, and by how many processes
  ['--state that is not a store', ['copy', ...job(), '--state', 'redis'], /^migrate: --state: use local \(the --state-dir folder\) or cassandra\[:KEYSPACE\]/],
  ['--lease too short to renew', ['copy', ...job(), '--state', 'cassandra', '--lease', '1'], /^migrate: --lease: give a lease of 3 seconds or more$/],
  ['--workers 0', ['copy', ...job(), '--workers', '0'], /^migrate: --workers: give 1 or more worker processes \(default: one less than the number of cores, at least 1\)$/],
  ['--resume from a ledger keyspace the target does not have', ['copy', ...job(), '--state', 'cassandra:no_ledger_here', '--resume', 'r1'], /^migrate: --resume: the target cluster has no ledger keyspace no_ledger_here, so no run to resume/],
  ['status of a shared run without the target', ['status', '--state', 'cassandra'], /^migrate: --state cassandra reads the runs from the target cluster: give its contact points with --target HOST\[:PORT\]$/],
];

// Opened before the hooks below run, closed after the file's tests.
const clients = clientsForFile();
let source: cassandra.Client;
let target: cassandra.Client;

beforeAll(async () => {
  source = clients.source();
  target = clients.target();
  await freshSampleKeyspace(source, target, KS, 1);
  await target.execute(`CREATE TABLE ${KS}.narrow (id int PRIMARY KEY, tags set<text>)`);
  await target.execute(`CREATE TABLE ${KS}.retyped (id int PRIMARY KEY, tags list<text>)`);
});


/** Clusters that cannot be reached or refuse us: exit 6 (an outage or credentials, not a typo), one line. */
const unreachable: typeof cases = [
  ['a port where no cluster listens', ['copy', ...job().map((a) => (a === SOURCE ? '127.0.0.1:1' : a))], /^migrate: cannot connect to the source cluster at 127\.0\.0\.1:1: .*ECONNREFUSED.*; check the hosts, the port and that the cluster is up$/],
  ['TLS to a cluster whose certificate no trusted CA signed', ['copy', ...job(), '--target-tls'], /^migrate: cannot connect to the target cluster at 127\.0\.0\.1:29042: .*self-signed certificate; check --target-ca \(the CA that signed the target cluster's certificate\)$/],
  ['a wrong password', ['copy', ...job().map((a) => (a === SOURCE ? RING : a)), '--source-user', 'cassandra'], /^migrate: cannot connect to the source cluster at .*: .*(Authentication|password).*; check --source-user and MIGRATE_SOURCE_PASSWORD$/, { MIGRATE_SOURCE_PASSWORD: 'hunter2' }],
];

describe('bad input: exit 2, one line naming the problem and the fix, nothing written; a cluster out of reach: exit 6', () => {
  const expectRefused = (expected: number) => ([what, args, line, env]: (typeof cases)[number]) => {
    it(`${what} (exit ${expected})`, async () => {
      const err: string[] = [];
      const started = Date.now();
      const code = await main(args, { out: () => undefined, err: (t) => err.push(t), env: env ?? {} });
      expect({ code, err }).toMatchObject({ code: expected, err: [expect.stringMatching(line)] });
      expect(err[0]).not.toContain('hunter2');
      expect(existsSync(join(stateDir, 'runs'))).toBe(false);
      expect(Date.now() - started).toBeLessThan(20_000);
    });
  };
  cases.forEach(expectRefused(2));
  unreachable.forEach(expectRefused(6));

  it('--workers far beyond the cores is capped with a one-line note, and the copy runs', async () => {
    try {
      const run = spawnCli(['copy', ...job('page_views').map((a) => (a === stateDir ? join(dir, 'workers-state') : a)), '--workers', '1000', '--splits', '2']);
      expect({ code: await run.code, err: run.err() }).toEqual({ code: 0, err: expect.stringMatching(/^migrate: --workers 1000 is more than 4 per core on this machine: running \d+\n$/) });
    } finally {
      await target.execute(`TRUNCATE ${KS}.page_views`);
    }
  });

  it('left the target empty and recorded no run', async () => {
    for (const table of ['orders', 'profiles', 'page_views']) {
      expect((await target.execute(`SELECT * FROM ${KS}.${table} LIMIT 1`)).rows).toHaveLength(0);
    }
    expect(existsSync(join(stateDir, 'runs'))).toBe(false);
  });

  it('a password in the config file is taken (as the README shows), and never printed', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['copy', '--config', configOf('table: page_views\ntarget-user: bob\ntarget-password: hunter2\n'), '--quiet'], { out: (t) => out.push(t), err: (t) => err.push(t), env: {} });
    expect({ code, err }).toEqual({ code: 0, err: [] });
    expect(out.join('\n')).not.toContain('hunter2');
  });

  it('validate --help lists the validate options and none of the copy-only ones; --version prints the version', async () => {
    const out: string[] = [];
    expect(await main(['validate', '--help'], { out: (t) => out.push(t), err: () => undefined, env: {} })).toBe(0);
    expect(out.join('\n')).toContain('--autocorrect');
    expect(out.join('\n')).toMatch(/^Exit codes:\n  0  done .*\n  1  differences remain\n  2  bad input.*\n  3 .*\n  4 .*\n  5  ranges failed.*\n  6  a cluster could not be reached.*\n  7  internal error/m);
    for (const copyOnly of ['--writetime', '--ttl ', '--live-since']) expect(out.join('\n')).not.toContain(copyOnly);
    const version: string[] = [];
    expect(await main(['--version'], { out: (t) => version.push(t), err: () => undefined, env: {} })).toBe(0);
    expect(version.join('')).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
