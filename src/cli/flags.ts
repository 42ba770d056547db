import type { Argv, Options } from 'yargs';
import type { RawJobOptions } from '../config/options.js';

type Group = 'connection' | 'table' | 'copy' | 'validate' | 'output';
interface Flag extends Options {
  group: Group;
  /** Read from the config file or the environment only, never from argv (passwords). */
  configOnly?: boolean;
}

/**
 * Every job option's flag. Typed against the validated options, so an option cannot lack its flag.
 * Defaults live in the option schema, not here, so that config-file values are not shadowed.
 */
/** Options that may come from the config file or the environment, never from the command line. */
export const CONFIG_ONLY_FLAGS = ['source-password', 'target-password', 'source-keystore-password', 'target-keystore-password'] as const;

export const JOB_FLAGS: { [K in keyof Required<RawJobOptions>]: Flag } = {
  source: { group: 'connection', type: 'string', describe: 'source contact points HOST[:PORT][,HOST...]' },
  target: { group: 'connection', type: 'string', describe: 'target contact points HOST[:PORT][,HOST...]' },
  'source-dc': { group: 'connection', type: 'string', describe: "source local DC (default: the contact point's DC)" },
  'target-dc': { group: 'connection', type: 'string', describe: "target local DC (default: the contact point's DC)" },
  'source-user': { group: 'connection', type: 'string', describe: 'source username (password: MIGRATE_SOURCE_PASSWORD)' },
  'target-user': { group: 'connection', type: 'string', describe: 'target username (password: MIGRATE_TARGET_PASSWORD)' },
  'source-tls': { group: 'connection', type: 'boolean', describe: "TLS to the source, checking its certificate against the system's CAs" },
  'target-tls': { group: 'connection', type: 'boolean', describe: "TLS to the target, checking its certificate against the system's CAs" },
  'source-ca': { group: 'connection', type: 'string', describe: 'TLS to the source, trusting this CA certificate (PEM file)' },
  'target-ca': { group: 'connection', type: 'string', describe: 'TLS to the target, trusting this CA certificate (PEM file)' },
  'source-cert': { group: 'connection', type: 'string', describe: 'client certificate for the source (PEM file), with --source-key: mutual TLS' },
  'target-cert': { group: 'connection', type: 'string', describe: 'client certificate for the target (PEM file), with --target-key: mutual TLS' },
  'source-key': { group: 'connection', type: 'string', describe: 'the private key of --source-cert (PEM file)' },
  'target-key': { group: 'connection', type: 'string', describe: 'the private key of --target-cert (PEM file)' },
  'source-keystore': { group: 'connection', type: 'string', describe: 'client certificate and key for the source as PKCS#12 (password: MIGRATE_SOURCE_KEYSTORE_PASSWORD)' },
  'target-keystore': { group: 'connection', type: 'string', describe: 'client certificate and key for the target as PKCS#12 (password: MIGRATE_TARGET_KEYSTORE_PASSWORD)' },
  'source-password': { group: 'connection', configOnly: true },
  'target-password': { group: 'connection', configOnly: true },
  'source-keystore-password': { group: 'connection', configOnly: true },
  'target-keystore-password': { group: 'connection', configOnly: true },
  'read-consistency': { group: 'connection', type: 'string', describe: 'consistency of reads (default LOCAL_QUORUM)' },
  'write-consistency': { group: 'connection', type: 'string', describe: 'consistency of writes (default LOCAL_QUORUM)' },
  keyspace: { group: 'table', type: 'string', describe: 'source keyspace' },
  table: { group: 'table', type: 'string', describe: 'source table (none: the whole keyspace, see --tables)' },
  tables: { group: 'table', type: 'array', describe: 'without --table: these tables of the keyspace (default: every table; views are never copied)' },
  'exclude-tables': { group: 'table', type: 'array', string: true, describe: 'without --table: tables of the keyspace to leave out' },
  'table-concurrency': { group: 'table', type: 'number', describe: 'without --table: tables run at once (default 1)' },
  'target-keyspace': { group: 'table', type: 'string', describe: 'target keyspace (default: --keyspace)' },
  'target-table': { group: 'table', type: 'string', describe: 'target table (default: --table)' },
  rename: { group: 'table', type: 'array', string: true, describe: 'SOURCE_COLUMN:TARGET_COLUMN, repeatable or comma-separated' },
  exclude: { group: 'table', type: 'array', string: true, describe: 'source columns to leave out' },
  splits: { group: 'table', type: 'number', describe: 'token-range work units (default: 8 per core at least, more for big tables)' },
  concurrency: { group: 'table', type: 'number', describe: 'token ranges in flight, all worker processes together (default 8)' },
  'max-in-flight': { group: 'table', type: 'number', describe: 'requests in flight to each cluster, all ranges together (default 256)' },
  'page-size': { group: 'table', type: 'number', describe: 'rows per page read (default 1000)' },
  'retry-for': { group: 'connection', type: 'string', describe: 'how long a failing request is retried before its range fails: 300 (s), 90s, 5m, 1h (default 5m)' },
  'max-latency': { group: 'table', type: 'number', describe: 'MS: keep the p99 latency of requests to either cluster under this, by narrowing the in-flight window (AIMD)' },
  'rate-limit': { group: 'table', type: 'number', describe: 'rows per second, read and written (default: no limit)' },
  'run-id': { group: 'table', type: 'string', describe: 'name of this run (default: generated); with --state cassandra, every process given the same id joins the run' },
  resume: { group: 'table', type: 'string', describe: 'continue a run (default: the latest of this job), skipping finished ranges' },
  'state-dir': { group: 'table', type: 'string', describe: 'run state folder (default .migrate)' },
  state: { group: 'table', type: 'string', describe: 'where runs are kept: local (--state-dir, the default) or cassandra[:KEYSPACE] in the target (default cql_migrate): processes on any machines join one run with --run-id' },
  lease: { group: 'table', type: 'number', describe: "--state cassandra: seconds a worker's claim on a range lasts unless renewed; a dead worker's ranges go to others after it (default 30)" },
  workers: { group: 'table', type: 'number', describe: 'worker processes, each with its own connections, sharing the ranges (default: the number of cores)' },
  'ranges-file': { group: 'table', type: 'string', describe: 'rerun the ranges of a failed-ranges.csv, inside the run they failed in' },
  shard: { group: 'table', type: 'string', describe: 'I/N: this process takes shard I of N of the ranges' },
  writetime: { group: 'copy', type: 'string', describe: 'job-start (default), preserve, or MICROS: the write timestamp of copied cells' },
  'skew-margin': { group: 'table', type: 'number', describe: "seconds subtracted from the run's start for its stamp (default 60)" },
  'live-since': { group: 'copy', type: 'string', describe: 'preserve mode: MICROS when the dual-write proxy went live (list elements written since are not copied again), or none' },
  ttl: { group: 'copy', type: 'string', describe: 'preserve (default: keep remaining TTLs) or none' },
  'max-errors': { group: 'copy', type: 'number', describe: 'rows the target may refuse (a guardrail, a size limit): each goes to rejected.csv and the copy goes on; past N the run stops (default 0: the first refusal fails its range). Either way exit 5' },
  autocorrect: { group: 'validate', type: 'string', describe: 'write differences to the target: all (default), missing or mismatched' },
  'delete-extra': { group: 'validate', type: 'boolean', describe: 'delete target-only rows (at their newest writetime: a later live write wins)' },
  'compare-writetime': { group: 'validate', type: 'boolean', describe: 'also compare cell writetimes' },
  'compare-ttl': { group: 'validate', type: 'boolean', describe: 'also compare TTLs (within --ttl-tolerance seconds)' },
  'ttl-tolerance': { group: 'validate', type: 'number', describe: 'seconds two TTLs may differ by (default 60)' },
  'float-tolerance': { group: 'validate', type: 'number', describe: 'float/double values closer than this are equal (default 0)' },
  ignore: { group: 'validate', type: 'array', string: true, describe: 'columns not compared' },
  'range-budget': { group: 'validate', type: 'number', describe: 'rows compared in memory at once; a range holding more is compared in chunks (default 5000)' },
  'report-dir': { group: 'output', type: 'string', describe: "summary.json and differences.csv folder (default: the run's state folder)" },
  json: { group: 'output', type: 'boolean', describe: 'print the summary as JSON' },
  quiet: { group: 'output', type: 'boolean', describe: 'no progress output' },
  'metrics-port': { group: 'output', type: 'number', describe: 'serve Prometheus metrics at http://HOST:PORT/metrics while the run lasts' },
  'log-format': { group: 'output', type: 'string', describe: 'stderr as text (default) or json: one JSON object per event (run start and end, range failures, retries, outages, progress)' },
  pushgateway: { group: 'output', type: 'string', describe: 'push the final metrics (and the time of the last success) to this Prometheus Pushgateway URL when the run ends' },
  'metrics-file': { group: 'output', type: 'string', describe: "write the final metrics to this file (the node exporter's textfile collector)" },
};

const GROUP_TITLES: Record<Group, string> = {
  connection: 'Connection:',
  table: 'Table and run:',
  copy: 'Copy:',
  validate: 'Validate:',
  output: 'Output:',
};

function addGroup(group: Group) {
  return (y: Argv): Argv => {
    let out = y;
    for (const [name, { group: g, configOnly, ...spec }] of Object.entries(JOB_FLAGS)) {
      // Config-only options are known to the parser (so a config file may hold them) but never shown;
      // main refuses them on the command line.
      if (g === group) out = out.option(name, configOnly ? { type: 'string', hidden: true } : { ...spec, group: GROUP_TITLES[g] });
    }
    return out;
  };
}

export const connectionFlags = addGroup('connection');
export const tableFlags = addGroup('table');
export const outputFlags = addGroup('output');
/** `migrate schema`: the keyspace to create in the target, and how. */
export const schemaFlags = (y: Argv): Argv =>
  y
    .option('keyspace', { type: 'string', group: 'Schema:', describe: 'source keyspace' })
    .option('target-keyspace', { type: 'string', group: 'Schema:', describe: 'target keyspace (default: --keyspace)' })
    .option('replication', { type: 'string', group: 'Schema:', describe: 'JSON replication of a keyspace created in the target (default: the source factor in every target DC)' })
    .option('apply', { type: 'boolean', group: 'Schema:', describe: 'run the statements and wait for schema agreement (default: print them)' });

/** Each command lists only the options it uses. */
export const copyFlags = addGroup('copy');
export const validateFlags = addGroup('validate');
