import { parseSchemaOptions } from '../config/command-options.js';
import { type JobOptions, parseJobOptions, parseTableEntries, WHOLE_KEYSPACE } from '../config/job-options.js';
import type { JobDefinition } from '../jobs/job-definition.js';
import { limitHeap } from '../jobs/heap-limits.js';
import { logEvent, setLogFormat } from '../report/log.js';
import { formatSummary } from '../report/summary.js';
import { checkOutputs } from '../report/writable.js';
import type { Io } from './io.js';
import { withInterrupts, withMetrics } from './lifecycle.js';

/** `migrate schema`: the statements printed (or applied), and conflicts on stderr. */
export async function runSchemaCommand(args: Record<string, unknown>, io: Io): Promise<number> {
  const options = parseSchemaOptions(args, io.env);
  const { schema, formatSchemaPlan } = await import('../jobs/schema.js');
  const result = await schema(options);
  io.out(formatSchemaPlan(result, options));
  const [first, ...more] = result.plan.conflicts;
  if (first) io.err(`migrate: ${first}${more.length > 0 ? ` (and ${more.length} more, listed above)` : ''}: schema never drops or alters; change the target by hand, then run schema again`);
  return result.exitCode;
}

/** `migrate copy` and `migrate validate`: one table, or (no --table) every table of the keyspace. */
export async function runJobCommand(command: 'copy' | 'validate', args: Record<string, unknown>, io: Io, onOptions: (options: JobOptions) => void): Promise<number> {
  const options = parseJobOptions(args, io.env);
  const entries = parseTableEntries(args, options, io.env);
  onOptions(options);
  setLogFormat(options.output.logFormat);
  limitHeap(command);
  if (Number(args.workers) > options.run.workers) logEvent('workers-capped', { asked: Number(args.workers), cap: options.run.workers }, `migrate: --workers ${String(args.workers)} is more than 4 per core on this machine: running ${options.run.workers}`);
  await checkOutputs({ stateDir: options.run.stateDir, reportDir: options.output.reportDir, metricsFile: options.output.metricsFile });
  // Jobs load lazily: `migrate --help` and `status` need no driver.
  const definitionFor: () => JobDefinition = command === 'copy' ? (await import('../jobs/copy.js')).copyJob : (await import('../jobs/validate.js')).validateJob;
  return withInterrupts((abort) =>
    withMetrics(command, options, async (metrics) => {
      if (options.selection.table === WHOLE_KEYSPACE) {
        const { runKeyspaceJob, formatKeyspaceSummary } = await import('../jobs/keyspace.js');
        const result = await runKeyspaceJob(definitionFor, options, entries, abort, metrics);
        io.out(options.output.json ? JSON.stringify(result.summary) : formatKeyspaceSummary(result));
        return result;
      }
      const { runTableJob } = await import('../jobs/pipeline.js');
      const result = await runTableJob(definitionFor(), options, abort, metrics);
      io.out(options.output.json ? JSON.stringify(result.summary) : formatSummary(result.summary, result.reportDir));
      return result;
    }),
  ).then((result) => result.exitCode);
}
