import { z } from 'zod';
import { InputError } from '../errors.js';
import { clustersSchema } from './clusters.js';
import { option, parseFlat } from './declare.js';
import { list, outputSlice, runSlice, throughputSlice } from './run-options.js';

/**
 * The options of a copy or validate run, declared once: each option's schema and flag together, in the
 * slices the stages take (clusters, selection, write, compare, run, throughput, output). Flags, help, the
 * config file's keys and the `JobOptions` type all come from here.
 */
const positiveInt = z.coerce.number().int().positive();
const identifier = z.string().min(1);
const names = (flag: string, help: string) => option(z.array(z.string()).default([]).transform(list), { flag, type: 'array', help });
const count = (flag: string, fallback: number, help: string) => option(positiveInt.default(fallback), { flag, type: 'number', help });
const seconds = (flag: string, fallback: number, help: string) => option(z.coerce.number().nonnegative().default(fallback), { flag, type: 'number', help });
const flag = (name: string, help: string) => option(z.boolean().default(false), { flag: name, type: 'boolean', help });

/** The table of a keyspace job's shared options: every table of the keyspace (or of --tables). */
export const WHOLE_KEYSPACE = '*';

export const keyspaceOption = option(identifier, { flag: 'keyspace', type: 'string', help: 'source keyspace' });
export const targetKeyspaceOption = option(identifier.optional(), { flag: 'target-keyspace', type: 'string', help: 'target keyspace (default: --keyspace)' });

const selection = z
  .object({
    keyspace: keyspaceOption,
    table: option(identifier.optional(), { flag: 'table', type: 'string', help: 'source table (none: the whole keyspace, see --tables)' }),
    // A config file's entry may be an object with the table's own options: {name: orders, target-table: orders_v2}.
    tables: option(z.array(z.union([identifier, z.object({ name: identifier }).passthrough()])).optional(), {
      flag: 'tables',
      type: 'entries',
      help: 'without --table: these tables of the keyspace (default: every table; views are never copied)',
    }),
    excludeTables: names('exclude-tables', 'without --table: tables of the keyspace to leave out'),
    targetKeyspace: targetKeyspaceOption,
    targetTable: option(identifier.optional(), { flag: 'target-table', type: 'string', help: 'target table (default: --table)' }),
    renames: option(
      z
        .array(z.string())
        .default([])
        .transform(list)
        .pipe(z.array(z.string().regex(/^[^:]+:[^:]+$/, 'use --rename SOURCE_COLUMN:TARGET_COLUMN')))
        .transform((pairs) => new Map(pairs.map((pair) => pair.split(':') as [string, string]))),
      { flag: 'rename', type: 'array', help: 'SOURCE_COLUMN:TARGET_COLUMN, repeatable or comma-separated' },
    ),
    exclude: names('exclude', 'source columns to leave out'),
  })
  .transform(({ tables, ...s }) => ({
    ...s,
    /** The source table, or WHOLE_KEYSPACE for a keyspace job (no --table). */
    table: s.table ?? WHOLE_KEYSPACE,
    targetKeyspace: s.targetKeyspace ?? s.keyspace,
    targetTable: s.targetTable ?? s.table ?? WHOLE_KEYSPACE,
    /** Keyspace jobs: the tables named (all when undefined), each with the options its config entry gives. */
    tables: tables?.flatMap((entry) => (typeof entry === 'string' ? list([entry]).map((name) => ({ name, overrides: {} })) : [tableEntry(entry)])),
  }));

const tableEntry = ({ name, ...overrides }: { name: string } & Record<string, unknown>) => ({ name, overrides: overrides as Record<string, unknown> });

const write = z.object({
  writetime: option(
    z
      .string()
      .regex(/^(job-start|preserve|\d{13,17})$/, 'use job-start, preserve, or a timestamp in microseconds since the epoch (16 digits)')
      .default('job-start')
      .transform((value) => {
        if (!/^\d+$/.test(value)) return value as 'job-start' | 'preserve';
        if (BigInt(value) > BigInt(Date.now()) * 1000n) {
          throw new InputError(`--writetime ${value} is later than now: every live write made before then would lose to the copy; give the moment the proxy went live, in microseconds since the epoch`);
        }
        return BigInt(value);
      }),
    { flag: 'writetime', type: 'string', help: 'job-start (default), preserve, or MICROS: the write timestamp of copied cells' },
  ),
  /** Preserve mode: when the proxy went live (list elements written later are in the target already); null: no proxy. */
  liveSince: option(
    z
      .string()
      .regex(/^(none|\d{13,17})$/, 'give the moment the dual-write proxy went live, in microseconds since the epoch, or none when no writes come through a proxy')
      .transform((value) => (value === 'none' ? null : BigInt(value)))
      .optional(),
    { flag: 'live-since', type: 'string', help: 'preserve mode: MICROS when the dual-write proxy went live (list elements written since are not copied again), or none' },
  ),
  ttl: option(z.enum(['preserve', 'none'], { error: 'use preserve (keep the remaining TTLs) or none' }).default('preserve'), { flag: 'ttl', type: 'string', help: 'preserve (default: keep remaining TTLs) or none' }),
  /** Rows the target may refuse (written to rejected.csv) before the run stops; 0: the first refusal fails its range. */
  maxErrors: option(z.coerce.number({ error: 'give the number of rows the target may refuse before the run stops (default 0)' }).int().nonnegative().default(0), {
    flag: 'max-errors',
    type: 'number',
    help: 'rows the target may refuse (a guardrail, a size limit): each goes to rejected.csv and the copy goes on; past N the run stops (default 0: the first refusal fails its range). Either way exit 5',
  }),
});

const compare = z.object({
  // A bare `--autocorrect` arrives as "" (it also takes =missing|mismatched|all).
  autocorrect: option(
    z
      .union([z.literal('').transform(() => 'all' as const), z.enum(['missing', 'mismatched', 'all']), z.boolean().transform((on) => (on ? ('all' as const) : undefined))], {
        error: 'use --autocorrect, --autocorrect=missing, --autocorrect=mismatched or --autocorrect=all',
      })
      .optional(),
    { flag: 'autocorrect', type: 'string', help: 'write differences to the target: all (default), missing or mismatched' },
  ),
  deleteExtra: flag('delete-extra', 'delete target-only rows (at their newest writetime: a later live write wins)'),
  compareWritetime: flag('compare-writetime', 'also compare cell writetimes'),
  compareTtl: flag('compare-ttl', 'also compare TTLs (within --ttl-tolerance seconds)'),
  ttlToleranceSeconds: seconds('ttl-tolerance', 60, 'seconds two TTLs may differ by (default 60)'),
  floatTolerance: seconds('float-tolerance', 0, 'float/double values closer than this are equal (default 0)'),
  ignore: names('ignore', 'columns not compared'),
  /** Rows of one range compared in memory at once; a larger range is split. */
  rangeBudget: count('range-budget', 5_000, 'across partitioners: source rows held in memory at once per range; a range holding more is compared in chunks (default 5000)'),
});

export const jobSchema = z.object({ clusters: clustersSchema, selection, write, compare, run: runSlice, throughput: throughputSlice, output: outputSlice });

export type JobOptions = z.output<typeof jobSchema>;
export type TableChoice = NonNullable<JobOptions['selection']['tables']>[number];

/** Help sections, by slice. */
export const JOB_SECTIONS: Record<keyof JobOptions, string> = {
  clusters: 'Connection:',
  selection: 'Table:',
  write: 'Copy:',
  compare: 'Validate:',
  run: 'Run:',
  throughput: 'Throughput:',
  output: 'Output:',
};

/** A copy or validate command's options, from flags over the config file over the environment. */
export const parseJobOptions = (raw: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): JobOptions => parseFlat(jobSchema, raw, env);

/**
 * A keyspace job's tables whose config entries carry options of their own (`tables: [{name, rate-limit}]`),
 * each parsed whole here, before connecting: bad input in one stops the job before anything is written.
 */
export function parseTableEntries(raw: Record<string, unknown>, shared: JobOptions, env: NodeJS.ProcessEnv = process.env): Map<string, JobOptions> {
  const { tables: _tables, 'exclude-tables': _excluded, ...common } = raw;
  const entries = (shared.selection.tables ?? []).filter((choice) => Object.keys(choice.overrides).length > 0);
  return new Map(entries.map((choice) => [choice.name, parseJobOptions({ ...common, 'target-table': choice.name, ...choice.overrides, table: choice.name }, env)]));
}

/** One table's options in a keyspace job: its config entry's, or the job's with the table named. */
export function optionsForTable(shared: JobOptions, entries: ReadonlyMap<string, JobOptions>, table: string): JobOptions {
  return entries.get(table) ?? { ...shared, selection: { ...shared.selection, table, targetTable: table, tables: undefined, excludeTables: [] } };
}

/** The options as recorded in run state and logs: passwords never leave the process. */
export function redactOptions(options: object): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(options, (key, value: unknown) =>
      /password/i.test(key) ? (value === undefined ? undefined : '***') : typeof value === 'bigint' ? String(value) : value instanceof Map ? Object.fromEntries(value) : value,
    ),
  );
}
