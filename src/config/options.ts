import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { DEFAULT_CLEAN_RUNS, DEFAULT_MAX_AGE_MS } from '../report/readiness.js';

/** More worker processes than 4 per core only add memory and contention: --workers is capped there. */
export const maxWorkers = (): number => 4 * availableParallelism();

/**
 * The validated options of a copy or validate run. Flags, the config file (same long names) and the
 * environment all end here; nothing downstream reads argv.
 */
const positiveInt = z.coerce.number().int().positive();
const identifier = z.string().min(1);

const consistency = z.string().min(1);

/** How to reach both clusters: shared by every command that connects. */
const connectionShape = {
  source: z.string().min(1, 'give the source contact points: --source HOST[:PORT][,HOST...]'),
  target: z.string().min(1, 'give the target contact points: --target HOST[:PORT][,HOST...]'),
  'read-consistency': consistency.default('LOCAL_QUORUM'),
  'write-consistency': consistency.default('LOCAL_QUORUM'),
  'retry-for': z
    .union([z.number(), z.string()])
    .transform((v) => String(v))
    .pipe(z.string().regex(/^\d+(\.\d+)?(ms|s|m|h)?$/, 'give a duration such as 300 (seconds), 90s, 5m or 1h'))
    .default('5m'),
  'source-dc': z.string().optional(),
  'target-dc': z.string().optional(),
  'source-user': z.string().optional(),
  'target-user': z.string().optional(),
  'source-password': z.string().optional(),
  'target-password': z.string().optional(),
  'source-tls': z.boolean().default(false),
  'target-tls': z.boolean().default(false),
  'source-cert': z.string().optional(),
  'target-cert': z.string().optional(),
  'source-key': z.string().optional(),
  'target-key': z.string().optional(),
  'source-keystore': z.string().optional(),
  'target-keystore': z.string().optional(),
  'source-keystore-password': z.string().optional(),
  'target-keystore-password': z.string().optional(),
  'source-ca': z.string().optional(),
  'target-ca': z.string().optional(),
};

const stateOption = z
  .string()
  .regex(/^(local|cassandra(:[A-Za-z][A-Za-z0-9_]{0,47})?)$/, 'use local (the --state-dir folder) or cassandra[:KEYSPACE] (a keyspace of the target cluster, default cql_migrate)')
  .default('local');

type RunStore = { kind: 'local' } | { kind: 'cassandra'; keyspace: string };
const runStore = (state: string): RunStore => (state === 'local' ? { kind: 'local' } : { kind: 'cassandra', keyspace: state.split(':')[1] ?? 'cql_migrate' });

export const jobOptionsSchema = z
  .object({
    ...connectionShape,
    keyspace: identifier,
    table: identifier.optional(),
    // Keyspace jobs (no --table): which tables, how many at once. A config file's entry may be an object
    // with the table's own options: {name: orders, target-table: orders_v2, exclude: [note]}.
    tables: z.array(z.union([identifier, z.object({ name: identifier }).passthrough()])).optional(),
    'exclude-tables': z.array(z.string()).default([]),
    'table-concurrency': positiveInt.default(1),
    'target-keyspace': identifier.optional(),
    'target-table': identifier.optional(),
    writetime: z
      .string()
      .regex(/^(job-start|preserve|\d{13,17})$/, 'use job-start, preserve, or a timestamp in microseconds since the epoch (16 digits)')
      .default('job-start'),
    'skew-margin': z.coerce.number().nonnegative().default(60),
    'live-since': z
      .string()
      .regex(/^(none|\d{13,17})$/, 'give the moment the dual-write proxy went live, in microseconds since the epoch, or none when no writes come through a proxy')
      .optional(),
    ttl: z.enum(['preserve', 'none'], { error: 'use preserve (keep the remaining TTLs) or none' }).default('preserve'),
    splits: positiveInt.optional(),
    concurrency: positiveInt.default(8),
    'max-in-flight': positiveInt.default(256),
    'max-errors': z.coerce.number({ error: 'give the number of rows the target may refuse before the run stops (default 0)' }).int().nonnegative().default(0),
    'page-size': positiveInt.default(1000),
    'rate-limit': positiveInt.optional(),
    'max-latency': z.coerce.number().positive().optional(),
    'run-id': z.string().regex(/^[A-Za-z0-9._-]+$/, 'use letters, digits, ".", "_" and "-"').optional(),
    resume: z.union([z.string(), z.boolean()]).optional(),
    'state-dir': z.string().default('.migrate'),
    state: stateOption,
    lease: z.coerce.number().min(3, 'give a lease of 3 seconds or more').default(30),
    workers: z.coerce.number().int().min(1, 'give 1 or more worker processes (default: the number of cores)').optional(),
    'report-dir': z.string().optional(),
    'ranges-file': z.string().optional(),
    rename: z.array(z.string().regex(/^[^:]+:[^:]+$/, 'use --rename SOURCE_COLUMN:TARGET_COLUMN')).default([]),
    exclude: z.array(z.string()).default([]),
    shard: z.string().regex(/^\d+\/\d+$/, 'use --shard I/N, for example 0/4').optional(),
    json: z.boolean().default(false),
    quiet: z.boolean().default(false),
    'log-format': z.enum(['text', 'json'], { error: 'use text (lines for a person, the default) or json (one object per line)' }).default('text'),
    'metrics-port': z.coerce.number().int().min(1).max(65535).optional(),
    'metrics-file': z.string().optional(),
    pushgateway: z.string().url('give the Pushgateway URL, e.g. http://pushgateway:9091').optional(),
    // validate
    // A bare `--autocorrect` arrives as "" (it also takes =missing|mismatched|all).
    autocorrect: z
      .union([z.literal('').transform(() => true), z.enum(['missing', 'mismatched', 'all']), z.boolean()], {
        error: 'use --autocorrect, --autocorrect=missing, --autocorrect=mismatched or --autocorrect=all',
      })
      .optional(),
    'delete-extra': z.boolean().default(false),
    'compare-writetime': z.boolean().default(false),
    'compare-ttl': z.boolean().default(false),
    'ttl-tolerance': z.coerce.number().nonnegative().default(60),
    'float-tolerance': z.coerce.number().nonnegative().default(0),
    ignore: z.array(z.string()).default([]),
    'range-budget': positiveInt.default(5_000),
  })
  .passthrough();

export type RawJobOptions = z.input<typeof jobOptionsSchema>;

/** TLS to one cluster: the CA to trust (else the system's), and a client certificate when the cluster asks for one. */
export type TlsOption =
  | false
  | {
      caFile: string | undefined;
      /** PEM certificate and its PEM private key. */
      certFile?: string | undefined;
      keyFile?: string | undefined;
      /** PKCS#12 holding both, and its password (environment or config file only). */
      keystoreFile?: string | undefined;
      keystorePassword?: string | undefined;
    };

/** How to reach both clusters. */
export interface ConnectionOptions {
  source: string;
  target: string;
  readConsistency: string;
  writeConsistency: string;
  /** How long a failing request is retried before its range fails (outlasts a node restart). */
  retryForMs: number;
  sourceDc: string | undefined;
  targetDc: string | undefined;
  sourceUser: string | undefined;
  targetUser: string | undefined;
  sourcePassword: string | undefined;
  targetPassword: string | undefined;
  /** TLS to each cluster: off, or on with the system's CAs, or on with this CA file (PEM). */
  sourceTls: TlsOption;
  targetTls: TlsOption;
}

/** A table of a keyspace job, with the options it alone takes (from a config file's `tables:` entry). */
export interface TableChoice {
  name: string;
  overrides: Record<string, unknown>;
}

/** The table of a keyspace job's shared options: every table of the keyspace (or of --tables). */
export const WHOLE_KEYSPACE = '*';

export interface JobOptions extends ConnectionOptions {
  keyspace: string;
  /** The source table, or WHOLE_KEYSPACE for a keyspace job (no --table). */
  table: string;
  /** Keyspace jobs: the tables named (all when undefined), left out, and run at once. */
  tables: TableChoice[] | undefined;
  excludeTables: string[];
  tableConcurrency: number;
  targetKeyspace: string;
  targetTable: string;
  writetime: 'job-start' | 'preserve' | bigint;
  skewMarginSeconds: number;
  /** Preserve mode: when the proxy went live (list elements written later are in the target already); null: no proxy. */
  liveSince: bigint | null | undefined;
  ttl: 'preserve' | 'none';
  splits: number | undefined;
  concurrency: number;
  maxInFlight: number;
  /** Rows the target may refuse (written to rejected.csv) before the run stops; 0: the first refusal fails its range. */
  maxErrors: number;
  pageSize: number;
  rateLimit: number | undefined;
  /** Keep the p99 request latency under this many milliseconds by shrinking the in-flight window. */
  maxLatencyMs: number | undefined;
  runId: string | undefined;
  resume: string | true | undefined;
  stateDir: string;
  /** Where the run's ledger lives: the state folder (one process), or a keyspace of the target (any number). */
  state: RunStore;
  /** Seconds a claim on a range (and a shared run's lock) lasts unless renewed: how soon a dead worker's ranges are taken over. */
  leaseSeconds: number;
  /** Worker processes this command runs, each with its own connections, sharing the run's ranges. */
  workers: number;
  reportDir: string | undefined;
  rangesFile: string | undefined;
  renames: Map<string, string>;
  exclude: string[];
  shard: { index: number; count: number } | undefined;
  json: boolean;
  quiet: boolean;
  logFormat: 'text' | 'json';
  /** Serve Prometheus metrics on this port while the run lasts. */
  metricsPort: number | undefined;
  /** Write the final metrics here (the node exporter's textfile collector). */
  metricsFile: string | undefined;
  /** Push the final metrics here when the run ends (cron runs). */
  pushgateway: string | undefined;
  autocorrect: 'missing' | 'mismatched' | 'all' | undefined;
  deleteExtra: boolean;
  compareWritetime: boolean;
  compareTtl: boolean;
  ttlToleranceSeconds: number;
  floatTolerance: number;
  ignore: string[];
  /** Rows of one range compared in memory at once; a larger range is split. */
  rangeBudget: number;
}

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
/** "300", "90s", "5m", "1h": a plain number is seconds. */
const durationMs = (text: string): number => {
  const [, amount, unit] = /^([\d.]+)([a-z]*)$/.exec(text) as RegExpExecArray;
  return Number(amount) * (DURATION_UNITS_MS[unit || 's'] as number);
};

const withoutName = ({ name: _name, ...rest }: { name: string } & Record<string, unknown>) => rest;

const list = (values: string[]) => values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);

/** Validates raw options (flags over config file over environment); one line per problem, naming the fix. */
export function parseJobOptions(raw: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): JobOptions {
  const o = parseWith(jobOptionsSchema, raw);
  const shard = o.shard ? o.shard.split('/').map(Number) : undefined;
  if (shard && (shard[1] === 0 || (shard[0] as number) >= (shard[1] as number))) {
    throw new InputError(`--shard ${o.shard}: I must be below N (shards are numbered 0 to N-1)`);
  }
  const stamp = /^\d+$/.test(o.writetime) ? BigInt(o.writetime) : undefined;
  if (stamp !== undefined && stamp > BigInt(Date.now()) * 1000n) {
    throw new InputError(`--writetime ${o.writetime} is later than now: every live write made before then would lose to the copy; give the moment the proxy went live, in microseconds since the epoch`);
  }
  return {
    ...connectionOptions(o, env),
    keyspace: o.keyspace,
    tables: o.tables?.flatMap((entry) => (typeof entry === 'string' ? list([entry]).map((name) => ({ name, overrides: {} })) : [{ name: entry.name, overrides: withoutName(entry) }])),
    excludeTables: list(o['exclude-tables']),
    tableConcurrency: o['table-concurrency'],
    table: o.table ?? WHOLE_KEYSPACE,
    targetKeyspace: o['target-keyspace'] ?? o.keyspace,
    targetTable: o['target-table'] ?? o.table ?? WHOLE_KEYSPACE,
    writetime: stamp ?? (o.writetime as 'job-start' | 'preserve'),
    skewMarginSeconds: o['skew-margin'],
    liveSince: o['live-since'] === undefined ? undefined : o['live-since'] === 'none' ? null : BigInt(o['live-since']),
    ttl: o.ttl,
    splits: o.splits,
    concurrency: o.concurrency,
    maxInFlight: o['max-in-flight'],
    maxErrors: o['max-errors'],
    pageSize: o['page-size'],
    rateLimit: o['rate-limit'],
    maxLatencyMs: o['max-latency'],
    runId: o['run-id'],
    resume: o.resume === true || o.resume === '' ? true : o.resume === false ? undefined : o.resume,
    stateDir: o['state-dir'],
    state: runStore(o.state),
    leaseSeconds: o.lease,
    workers: Math.min(o.workers ?? availableParallelism(), maxWorkers()),
    reportDir: o['report-dir'],
    rangesFile: o['ranges-file'],
    renames: new Map(list(o.rename).map((pair) => pair.split(':') as [string, string])),
    exclude: list(o.exclude),
    shard: shard ? { index: shard[0] as number, count: shard[1] as number } : undefined,
    json: o.json,
    quiet: o.quiet,
    logFormat: o['log-format'],
    metricsPort: o['metrics-port'],
    metricsFile: o['metrics-file'],
    pushgateway: o.pushgateway,
    autocorrect: o.autocorrect === true ? 'all' : o.autocorrect === false ? undefined : o.autocorrect,
    deleteExtra: o['delete-extra'],
    compareWritetime: o['compare-writetime'],
    compareTtl: o['compare-ttl'],
    ttlToleranceSeconds: o['ttl-tolerance'],
    floatTolerance: o['float-tolerance'],
    ignore: list(o.ignore),
    rangeBudget: o['range-budget'],
  };
}

type ConnectionFields = z.output<z.ZodObject<typeof connectionShape>>;

function connectionOptions(o: ConnectionFields, env: NodeJS.ProcessEnv): ConnectionOptions {
  return {
    source: o.source,
    target: o.target,
    readConsistency: o['read-consistency'],
    writeConsistency: o['write-consistency'],
    retryForMs: durationMs(o['retry-for']),
    sourceDc: o['source-dc'],
    targetDc: o['target-dc'],
    sourceUser: o['source-user'],
    targetUser: o['target-user'],
    sourcePassword: o['source-password'] ?? env.MIGRATE_SOURCE_PASSWORD,
    targetPassword: o['target-password'] ?? env.MIGRATE_TARGET_PASSWORD,
    sourceTls: tlsOf('source', o, env),
    targetTls: tlsOf('target', o, env),
  };
}

/** Any of the side's TLS options turns TLS on; a client certificate comes as PEM (cert and key) or PKCS#12. */
function tlsOf(side: 'source' | 'target', o: Record<string, unknown>, env: NodeJS.ProcessEnv): TlsOption {
  const at = (name: string) => o[`${side}-${name}`] as string | undefined;
  const [cert, key, keystore] = [at('cert'), at('key'), at('keystore')];
  if ((cert === undefined) !== (key === undefined)) {
    throw new InputError(`--${side}-${cert === undefined ? 'key' : 'cert'} needs --${side}-${cert === undefined ? 'cert' : 'key'}: give the client certificate and its private key (PEM files), or a PKCS#12 file with --${side}-keystore`);
  }
  if (cert !== undefined && keystore !== undefined) throw new InputError(`--${side}-cert and --${side}-keystore both give a client certificate: keep one`);
  if (!o[`${side}-tls`] && at('ca') === undefined && cert === undefined && keystore === undefined) return false;
  const keystorePassword = at('keystore-password') ?? env[`MIGRATE_${side.toUpperCase()}_KEYSTORE_PASSWORD`];
  return { caFile: at('ca'), certFile: cert, keyFile: key, keystoreFile: keystore, keystorePassword };
}

/** Validates raw options against a schema; the first problem is one line naming the flag and the fix. */
function parseWith<S extends z.ZodType>(schema: S, raw: Record<string, unknown>): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const flag = issue?.path.join('.') ?? '';
  const given = raw[flag];
  const problem =
    typeof given === 'number' && Number.isNaN(given)
      ? `--${flag} takes a number`
      : issue?.code === 'invalid_type' && issue.input === undefined
        ? `--${flag} is required`
        : `--${flag}: ${issue?.message}`;
  throw new InputError(problem);
}

export interface SchemaOptions extends ConnectionOptions {
  keyspace: string;
  targetKeyspace: string;
  replication: Record<string, string | number> | undefined;
  apply: boolean;
}

const schemaOptionsSchema = z
  .object({
    ...connectionShape,
    keyspace: identifier,
    'target-keyspace': identifier.optional(),
    replication: z
      .string()
      .transform((text, ctx) => {
        try {
          const value: unknown = JSON.parse(text);
          if (value && typeof value === 'object' && !Array.isArray(value) && 'class' in value) return value as Record<string, string | number>;
        } catch {
          // reported below
        }
        ctx.addIssue({ code: 'custom', message: `give a JSON object with a class, e.g. '{"class": "NetworkTopologyStrategy", "dc1": 3}'` });
        return z.NEVER;
      })
      .optional(),
    apply: z.boolean().default(false),
  })
  .passthrough();

/** `migrate schema`'s options. */
export function parseSchemaOptions(raw: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): SchemaOptions {
  const o = parseWith(schemaOptionsSchema, raw);
  return { ...connectionOptions(o, env), keyspace: o.keyspace, targetKeyspace: o['target-keyspace'] ?? o.keyspace, replication: o.replication, apply: o.apply };
}

/** The options as recorded in run state and logs: passwords never leave the process. */
export function redactOptions(options: JobOptions): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(
      { ...options, renames: Object.fromEntries(options.renames), writetime: String(options.writetime), liveSince: typeof options.liveSince === 'bigint' ? String(options.liveSince) : options.liveSince },
      (key, value) => (/password/i.test(key) ? (value === undefined ? undefined : '***') : value),
    ),
  );
}

export interface StatusOptions extends ConnectionOptions {
  runId: string | undefined;
  stateDir: string;
  state: RunStore;
  json: boolean;
}

const statusOptionsSchema = z
  .object({ ...connectionShape, source: z.string().optional(), target: z.string().optional(), 'run-id': z.string().optional(), 'state-dir': z.string().default('.migrate'), state: stateOption, json: z.boolean().default(false) })
  .passthrough();

/** `migrate status`: a local state folder, or the target cluster holding the runs' ledger. */
export function parseStatusOptions(raw: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): StatusOptions {
  const o = parseWith(statusOptionsSchema, raw);
  const state = runStore(o.state);
  if (state.kind === 'cassandra' && !o.target) throw new InputError(`--state ${o.state} reads the runs from the target cluster: give its contact points with --target HOST[:PORT]`);
  return { ...connectionOptions({ ...o, source: o.source ?? '', target: o.target ?? '' }, env), runId: o['run-id'], stateDir: o['state-dir'], state, json: o.json };
}

/** `migrate ready`: the status options, the scope, and what counts as ready. */
export interface ReadyOptions extends StatusOptions {
  keyspace: string;
  table: string | undefined;
  cleanRuns: number;
  maxAgeMs: number;
}

const readyOptionsSchema = z
  .object({
    keyspace: z.string({ error: 'give the keyspace to judge: --keyspace KS' }).min(1, 'give the keyspace to judge: --keyspace KS'),
    table: z.string().optional(),
    'clean-runs': positiveInt.default(DEFAULT_CLEAN_RUNS),
    'max-age': z
      .union([z.number(), z.string()])
      .transform((v) => String(v))
      .pipe(z.string().regex(/^\d+(\.\d+)?(ms|s|m|h)?$/, 'give a duration such as 86400 (seconds), 90m or 24h'))
      .optional(),
  })
  .passthrough();

export function parseReadyOptions(raw: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): ReadyOptions {
  const o = parseWith(readyOptionsSchema, raw);
  return { ...parseStatusOptions(raw, env), runId: undefined, keyspace: o.keyspace, table: o.table, cleanRuns: o['clean-runs'], maxAgeMs: o['max-age'] === undefined ? DEFAULT_MAX_AGE_MS : durationMs(o['max-age']) };
}
