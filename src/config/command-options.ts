import { z } from 'zod';
import { DEFAULT_CLEAN_RUNS, DEFAULT_MAX_AGE_MS } from '../report/readiness.js';
import { InputError } from '../errors.js';
import { clustersSchema, optionalClusterSide, duration, requestOptions } from './clusters.js';
import { option, parseFlat } from './declare.js';
import { keyspaceOption, targetKeyspaceOption } from './job-options.js';
import { jsonOption, runIdOption, stateDirOption, stateOption } from './run-options.js';

/** The options of `migrate schema`, `status` and `ready`: the job options' own declarations, and a few of their own. */

export const schemaCommandSchema = z.object({
  clusters: clustersSchema,
  selection: z.object({ keyspace: keyspaceOption, targetKeyspace: targetKeyspaceOption }).transform((s) => ({ ...s, targetKeyspace: s.targetKeyspace ?? s.keyspace })),
  schema: z.object({
    replication: option(
      z
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
      { flag: 'replication', type: 'string', help: 'JSON replication of a keyspace created in the target (default: the source factor in every target DC)' },
    ),
    apply: option(z.boolean().default(false), { flag: 'apply', type: 'boolean', help: 'run the statements and wait for schema agreement (default: print them)' }),
  }),
});
export type SchemaOptions = z.output<typeof schemaCommandSchema>;

/** `migrate status`: a local state folder, or the target cluster holding the runs' ledger (the source is never read). */
export const statusCommandSchema = z.object({
  clusters: z.object({ target: optionalClusterSide('target'), ...requestOptions }),
  run: z.object({ runId: runIdOption, stateDir: stateDirOption, state: stateOption }),
  output: z.object({ json: jsonOption }),
});
export type StatusOptions = z.output<typeof statusCommandSchema>;

export function parseStatusOptions(raw: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): StatusOptions {
  const options = parseFlat(statusCommandSchema, raw, env);
  const { state } = options.run;
  if (state.kind === 'cassandra' && !options.clusters.target.contactPoints && !options.clusters.target.bundle) {
    throw new InputError(`--state cassandra${state.keyspace === 'cql_migrate' ? '' : `:${state.keyspace}`} reads the runs from the target cluster: give its contact points with --target HOST[:PORT]`);
  }
  return options;
}

/** `migrate ready`: where the runs are, the scope, and what counts as ready. */
export const readyCommandSchema = statusCommandSchema.extend({
  scope: z.object({
    keyspace: option(z.string({ error: 'give the keyspace to judge: --keyspace KS' }).min(1, 'give the keyspace to judge: --keyspace KS'), { flag: 'keyspace', type: 'string', help: 'the keyspace to judge (source name)' }),
    table: option(z.string().optional(), { flag: 'table', type: 'string', help: 'one table of it (default: every table the runs know)' }),
    cleanRuns: option(z.coerce.number().int().positive().default(DEFAULT_CLEAN_RUNS), {
      flag: 'clean-runs',
      type: 'number',
      help: `how many of the latest validate runs must each cover every range and find nothing (default ${DEFAULT_CLEAN_RUNS})`,
    }),
    maxAgeMs: option(duration('86400 (seconds), 90m or 24h').default(DEFAULT_MAX_AGE_MS), { flag: 'max-age', type: 'string', help: 'the newest of them must be younger than this (default 24h)' }),
  }),
});
export type ReadyOptions = z.output<typeof readyCommandSchema>;

export function parseReadyOptions(raw: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): ReadyOptions {
  const options = parseFlat(readyCommandSchema, raw, env);
  parseStatusOptions(raw, env);
  return { ...options, run: { ...options.run, runId: undefined } };
}

export const parseSchemaOptions = (raw: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): SchemaOptions => parseFlat(schemaCommandSchema, raw, env);
