import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { option } from './declare.js';

/** How a run is kept, shared and split; how fast it goes; what it tells. Part of the job options' declaration. */
const positiveInt = z.coerce.number().int().positive();
export const list = (values: string[]) => values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
const count = (flag: string, help: string) => option(positiveInt.optional(), { flag, type: 'number', help });
const text = (flag: string, help: string) => option(z.string().optional(), { flag, type: 'string', help });
const flag = (name: string, help: string) => option(z.boolean().default(false), { flag: name, type: 'boolean', help });

/** More worker processes than 4 per core only add memory and contention: --workers is capped there. */
export const maxWorkers = (): number => 4 * availableParallelism();

/**
 * One core is left to the command's own process (the ledger, progress, the workers' messages) and to the
 * drivers' I/O: on 2 cores, one process. Measured on this project's 2-core bench host (200,000 rows of the
 * bench table): one process copied in 12.7 s with 6.5 CPU s and 300 MB, two workers in 14.5 s with 8.9 CPU
 * s and 461 MB; validate took the same time either way.
 */
export const defaultWorkers = (): number => Math.max(1, availableParallelism() - 1);

/**
 * What a command keeps in flight per process unless --concurrency and --page-size say otherwise: each range
 * holds a page being worked on and the next being read. A node pays about 1 ms of CPU per page it serves, so
 * pages are large; a copy works on a page `sliceRows` rows at a time, since it holds a slice's rows until the
 * target has written them. Over 1,000,000 bench rows on this project's 2-core host (nodes and tool sharing
 * the cores), 2000-row pages in slices of 100 copied in 62.7 s against 77.8 s with 100-row pages, the source
 * using 16 CPU s instead of 38 (README, Sizing); 5000-row pages were faster still (58 s) but peaked at 180 MB
 * against 152 MB on a tenth of the rows. Validate hashes a page a slice at a time and lets it go: over
 * 500,000 bench rows (1,000,000 read), 5000-row pages in slices of 500 took 13.9-16.2 s, 6.7-7.0 tool CPU s
 * and 171 MB, against 17.1-19.3 s, 8.5-9.3 s and 154 MB with 500-row pages; the source node's CPU fell by a
 * quarter (8.1-9.8 s against 11.3-12.9 s). Unsliced, 5000-row pages cost the tool more CPU than 500 did.
 * Since validate merges ranges (two requests in flight per range) and releases spent pages, 3 ranges in
 * slices of 100 validate 1,000,000 rows in 19.7-20.9 s with 8.2-8.9 tool CPU s and 152-156 MB, against
 * 20.8-21.7 s, 9.9-10.4 s and 220-231 MB for the build before (4 ranges, slices of 500, no release, heap
 * growth 100), interleaved, 3 runs each; 2 ranges took as long, 4 held 10-20 MB more.
 */
export const IN_FLIGHT_DEFAULTS = {
  copy: { rangesPerProcess: 3, pageSize: 2000, sliceRows: 100 },
  validate: { rangesPerProcess: 3, pageSize: 5000, sliceRows: 100 },
} as const;

type InFlight = { concurrency?: number | undefined; pageSize?: number | undefined };

/** --concurrency, or the command's default for each of the `processes` running the ranges. */
export const rangesInFlight = (throughput: InFlight, command: keyof typeof IN_FLIGHT_DEFAULTS, processes: number): number =>
  throughput.concurrency ?? IN_FLIGHT_DEFAULTS[command].rangesPerProcess * Math.max(1, processes);

/** --page-size, or the command's default. */
export const pageSizeOf = (throughput: InFlight, command: keyof typeof IN_FLIGHT_DEFAULTS): number => throughput.pageSize ?? IN_FLIGHT_DEFAULTS[command].pageSize;

/** How a command's range reads page: --page-size (or its default), worked on `sliceRows` rows at a time. */
export const pagingOf = (throughput: InFlight, command: keyof typeof IN_FLIGHT_DEFAULTS): { pageSize: number; sliceRows: number } => ({
  pageSize: pageSizeOf(throughput, command),
  sliceRows: IN_FLIGHT_DEFAULTS[command].sliceRows,
});

export type RunStore = { kind: 'local' } | { kind: 'cassandra'; keyspace: string };

export const runIdOption = option(z.string().regex(/^[A-Za-z0-9._-]+$/, 'use letters, digits, ".", "_" and "-"').optional(), {
  flag: 'run-id',
  type: 'string',
  help: 'name of this run (default: generated); with --state cassandra, every process given the same id joins the run',
});
export const stateDirOption = option(z.string().default('.migrate'), { flag: 'state-dir', type: 'string', help: 'run state folder (default .migrate)' });
/** Where the run's ledger lives: the state folder (one process), or a keyspace of the target (any number). */
export const stateOption = option(
  z
    .string()
    .regex(/^(local|cassandra(:[A-Za-z][A-Za-z0-9_]{0,47})?)$/, 'use local (the --state-dir folder) or cassandra[:KEYSPACE] (a keyspace of the target cluster, default cql_migrate)')
    .default('local')
    .transform((state): RunStore => (state === 'local' ? { kind: 'local' } : { kind: 'cassandra', keyspace: state.split(':')[1] ?? 'cql_migrate' })),
  {
    flag: 'state',
    type: 'string',
    help: 'where runs are kept: local (--state-dir, the default) or cassandra[:KEYSPACE] in the target (default cql_migrate): processes on any machines join one run with --run-id',
  },
);
export const jsonOption = flag('json', 'print the summary as JSON');

export const runSlice = z.object({
  runId: runIdOption,
  resume: option(
    z
      .union([z.string(), z.boolean()])
      .optional()
      .transform((resume) => (resume === true || resume === '' ? true : resume === false ? undefined : resume)),
    { flag: 'resume', type: 'string', help: 'continue a run (default: the latest of this job), skipping finished ranges' },
  ),
  stateDir: stateDirOption,
  state: stateOption,
  /** Seconds a claim on a range (and a shared run's lock) lasts unless renewed: how soon a dead worker's ranges are taken over. */
  leaseSeconds: option(z.coerce.number().min(3, 'give a lease of 3 seconds or more').default(30), {
    flag: 'lease',
    type: 'number',
    help: "--state cassandra: seconds a worker's claim on a range lasts unless renewed; a dead worker's ranges go to others after it (default 30)",
  }),
  /** Worker processes this command runs, each with its own connections, sharing the run's ranges. */
  workers: option(
    z.coerce
      .number()
      .int()
      .min(1, 'give 1 or more worker processes (default: one less than the number of cores, at least 1)')
      .optional()
      .transform((asked) => Math.min(asked ?? defaultWorkers(), maxWorkers())),
    { flag: 'workers', type: 'number', help: 'worker processes, each with its own connections, sharing the ranges (default: one less than the number of cores, at least 1)' },
  ),
  rangesFile: text('ranges-file', 'rerun the ranges of a failed-ranges.csv, inside the run they failed in'),
  shard: option(
    z
      .string()
      .regex(/^\d+\/\d+$/, 'use --shard I/N, for example 0/4')
      .transform((text) => {
        const [index, count] = text.split('/').map(Number) as [number, number];
        if (count === 0 || index >= count) throw new InputError(`--shard ${text}: I must be below N (shards are numbered 0 to N-1)`);
        return { index, count };
      })
      .optional(),
    { flag: 'shard', type: 'string', help: 'I/N: this process takes shard I of N of the ranges' },
  ),
  splits: count('splits', 'token-range work units (default: 8 per core at least, more for big tables)'),
  tableConcurrency: option(positiveInt.default(1), { flag: 'table-concurrency', type: 'number', help: 'without --table: tables run at once (default 1)' }),
  skewMarginSeconds: option(z.coerce.number().nonnegative().default(60), { flag: 'skew-margin', type: 'number', help: "seconds subtracted from the run's start for its stamp (default 60)" }),
});

export const throughputSlice = z.object({
  concurrency: option(positiveInt.optional(), { flag: 'concurrency', type: 'number', help: `token ranges in flight, all worker processes together (default per worker process: copy ${IN_FLIGHT_DEFAULTS.copy.rangesPerProcess}, validate ${IN_FLIGHT_DEFAULTS.validate.rangesPerProcess})` }),
  maxInFlight: option(positiveInt.default(256), { flag: 'max-in-flight', type: 'number', help: 'requests in flight to each cluster, all ranges together (default 256)' }),
  pageSize: option(positiveInt.optional(), { flag: 'page-size', type: 'number', help: `rows per page read (default: copy ${IN_FLIGHT_DEFAULTS.copy.pageSize}, written ${IN_FLIGHT_DEFAULTS.copy.sliceRows} at a time; validate ${IN_FLIGHT_DEFAULTS.validate.pageSize})` }),
  rateLimit: count('rate-limit', 'rows per second, read and written (default: no limit)'),
  /** Keep the p99 request latency under this many milliseconds by shrinking the in-flight window. */
  maxLatencyMs: option(z.coerce.number().positive().optional(), {
    flag: 'max-latency',
    type: 'number',
    help: 'MS: keep the p99 latency of requests to either cluster under this, by narrowing the in-flight window (AIMD)',
  }),
});

export const outputSlice = z.object({
  reportDir: text('report-dir', "summary.json and differences.csv folder (default: the run's state folder)"),
  json: jsonOption,
  quiet: flag('quiet', 'no progress output'),
  logFormat: option(z.enum(['text', 'json'], { error: 'use text (lines for a person, the default) or json (one object per line)' }).default('text'), {
    flag: 'log-format',
    type: 'string',
    help: 'stderr as text (default) or json: one JSON object per event (run start and end, range failures, retries, outages, progress)',
  }),
  /** Serve Prometheus metrics on this port while the run lasts. */
  metricsPort: option(z.coerce.number().int().min(1).max(65535).optional(), { flag: 'metrics-port', type: 'number', help: 'serve Prometheus metrics at http://HOST:PORT/metrics while the run lasts' }),
  /** Write the final metrics here (the node exporter's textfile collector). */
  metricsFile: text('metrics-file', "write the final metrics to this file (the node exporter's textfile collector)"),
  /** Push the final metrics here when the run ends (cron runs). */
  pushgateway: option(z.string().url('give the Pushgateway URL, e.g. http://pushgateway:9091').optional(), {
    flag: 'pushgateway',
    type: 'string',
    help: 'push the final metrics (and the time of the last success) to this Prometheus Pushgateway URL when the run ends',
  }),
});
