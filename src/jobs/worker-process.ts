import { setMaxListeners } from 'node:events';
import type { JobOptions } from '../config/job-options.js';
import { withBothClusters } from '../connect/both-clusters.js';
import { exitCodeOf, InterruptedError, messageOf } from '../errors.js';
import { setLogSink } from '../report/log.js';
import { JobMetrics } from '../report/metrics.js';
import { RowTally } from '../report/summary.js';
import { liveBudget, shareOf } from './budget.js';
import { limitHeap } from './heap-limits.js';
import type { JobContext } from './job-definition.js';
import { wireTable } from './wire-table.js';
import { inProcess } from './range-runner.js';
import type { FromWorker, ToWorker, WorkerStart } from './worker-pool.js';

/**
 * A worker process of `--workers N`: started by the process that holds the run's ledger, it connects to
 * both clusters on its own, runs the ranges it is sent, and reports counts, request latencies and log
 * events back. Signals are its parent's to handle: the parent tells it to abort.
 */
const send = (message: FromWorker): void => {
  process.send?.(message);
};

/** Requests and retries, kept for the governor (--max-latency) and sent to the parent for its metrics. */
class ForwardingMetrics extends JobMetrics {
  requests: [string, string, number][] = [];
  retriedOn: string[] = [];

  override observeRequest(cluster: string, operation: string, seconds: number): void {
    super.observeRequest(cluster, operation, seconds);
    this.requests.push([cluster, operation, seconds]);
  }

  override retried(cluster: string): void {
    super.retried(cluster);
    this.retriedOn.push(cluster);
  }
}

/** This process's options: its share of the job's budget (the in-flight cap and the rate limit split evenly), and no workers of its own. */
const processShare = (options: JobOptions, processes: number): JobOptions => ({
  ...options,
  throughput: shareOf(options.throughput, processes),
  run: { ...options.run, workers: 1 },
});

async function work(start: WorkerStart): Promise<number> {
  setLogSink((event, fields, line) => send({ type: 'log', event, fields, line }));
  const abort = new AbortController();
  setMaxListeners(0, abort.signal);
  const metrics = new ForwardingMetrics();
  const definition = (start.command === 'copy' ? (await import('./copy.js')).copyJob : (await import('./validate.js')).validateJob)();
  const options = processShare(start.options, start.processes);
  limitHeap(start.command);
  let ready = false;
  try {
    await withBothClusters(
      options.clusters,
      abort.signal,
      async (source, target) => {
        const table = await wireTable(definition, options, source, target);
        const ctx: JobContext = {
          command: start.command,
          options,
          source,
          target,
          ...table,
          state: start.view,
          knownRuns: start.knownRuns,
          ...liveBudget(options.throughput, metrics),
          stamp: BigInt(start.view.record.jobStartMicros),
          notes: new Set(),
          signal: abort.signal,
        };
        const runner = await inProcess(definition, ctx);
        const running = new Map<string, RowTally>();
        let smallestWindow = ctx.inFlight.concurrency;
        const report = () => {
          smallestWindow = Math.min(smallestWindow, ctx.inFlight.concurrency);
          send({
            type: 'progress',
            counts: Object.fromEntries([...running].map(([range, counts]) => [range, { ...counts }])),
            requests: metrics.requests.splice(0),
            retries: metrics.retriedOn.splice(0),
            inFlight: runner.inFlight(),
            window: ctx.inFlight.concurrency,
            smallestWindow,
          });
        };
        const timer = setInterval(report, 1_000);
        ready = true;
        send({ type: 'ready' });
        await new Promise<void>((stop) => {
          process.on('message', (message: ToWorker) => {
            if (message.type === 'range') {
              const counts = new RowTally();
              running.set(message.range, counts);
              runner
                .run(message.range, counts)
                .then(
                  () => {
                    report();
                    send({ type: 'done', range: message.range, counts: { ...counts }, notes: [...ctx.notes] });
                  },
                  (error: unknown) => send({ type: 'failed', range: message.range, error: messageOf(error), notes: [...ctx.notes] }),
                )
                .finally(() => running.delete(message.range));
            } else if (message.type === 'abort') abort.abort(new InterruptedError('interrupted by a signal'));
            else if (message.type === 'stop') stop();
          });
        });
        clearInterval(timer);
        report();
        await runner.close();
      },
      metrics,
    );
    return 0;
  } catch (error) {
    if (!ready) send({ type: 'start-failed', message: messageOf(error), exitCode: exitCodeOf(error) });
    return exitCodeOf(error);
  } finally {
    metrics.ended(0);
  }
}

// The parent decides what a signal means (it aborts the run and tells its workers).
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => undefined);
// The parent is gone (killed): nothing would record this process's work.
const orphaned = () => process.exit(1);
process.on('disconnect', orphaned);
process.once('message', (start: WorkerStart) => {
  void work(start).then((code) => {
    process.exitCode = code;
    process.off('disconnect', orphaned);
    process.disconnect?.();
    // A handle a library leaves open must not keep the worker alive.
    setTimeout(() => process.exit(code), 2_000).unref();
  });
});
