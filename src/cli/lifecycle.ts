import { setMaxListeners } from 'node:events';
import type { JobOptions } from '../config/job-options.js';
import { WHOLE_KEYSPACE } from '../config/job-options.js';
import { ExitCode, exitCodeOf, InterruptedError } from '../errors.js';
import type { Command } from '../jobs/job-definition.js';
import { logEvent } from '../report/log.js';
import { JobMetrics } from '../report/metrics.js';
import { serveMetrics } from '../report/metrics-server.js';

/** What surrounds a job's run in the command's process: its signals and its metrics' lifecycle. */

/**
 * The run's metrics: served on --metrics-port while it runs; when it ends, written to --metrics-file and
 * pushed to --pushgateway (a failed push is a warning: the run's own outcome stands).
 */
export async function withMetrics<T extends { exitCode: ExitCode }>(command: Command, options: JobOptions, work: (metrics: JobMetrics) => Promise<T>): Promise<T> {
  const metrics = new JobMetrics();
  const server = options.output.metricsPort === undefined ? undefined : await serveMetrics(options.output.metricsPort, metrics);
  let exitCode: ExitCode = ExitCode.internal;
  try {
    const result = await work(metrics);
    exitCode = result.exitCode;
    return result;
  } catch (error) {
    exitCode = exitCodeOf(error);
    throw error;
  } finally {
    metrics.ended(exitCode);
    await server?.close();
    if (options.output.metricsFile) {
      await metrics.writeFile(options.output.metricsFile).catch((error: Error) =>
        logEvent('metrics-file-failed', { path: options.output.metricsFile, error: error.message }, `migrate: could not write the metrics to ${options.output.metricsFile} (${error.message}): the run's outcome stands`),
      );
    }
    if (options.output.pushgateway) {
      const jobName = `cql_migrate_${command}_${options.selection.keyspace}_${options.selection.table === WHOLE_KEYSPACE ? 'keyspace' : options.selection.table}`;
      await metrics.push(options.output.pushgateway, jobName, exitCode).catch((error: Error) =>
        logEvent('push-failed', { url: options.output.pushgateway, error: error.message.split('\n')[0] }, `migrate: could not push the metrics to ${options.output.pushgateway} (${error.message.split('\n')[0]}): the run's outcome stands`),
      );
    }
  }
}

/**
 * Signals are ours for the whole job, so that one arriving while the run state or the report is being
 * written never cuts the writing short: finished ranges stay recorded and the run ends with exit 4.
 */
export async function withInterrupts<T>(work: (abort: AbortController) => Promise<T>): Promise<T> {
  const abort = new AbortController();
  // Every request waiting out an outage listens on this signal: hundreds at once are expected.
  setMaxListeners(0, abort.signal);
  const onSignal = () => abort.abort(new InterruptedError('interrupted by a signal'));
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await work(abort);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    // A request still retrying now (the prefetched page of a range that failed) stops waiting.
    if (!abort.signal.aborted) abort.abort(new Error('the run ended'));
  }
}

