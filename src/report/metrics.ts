import { rename, writeFile } from 'node:fs/promises';
import { Counter, Gauge, Histogram, Pushgateway, Registry } from 'prom-client';
import type { RowTally } from './summary.js';
import type { Readiness } from './readiness.js';

/** What a table's run shows while it runs: read on every scrape, never copied. */
export interface LiveRun {
  labels: { command: string; keyspace: string; table: string; run_id: string };
  /** Finished ranges' counts plus those of the ranges in progress. */
  counts(): RowTally;
  ranges(): { total: number; done: number; failed: number };
  /** Requests in flight to both clusters, all ranges together. */
  inFlight(): number;
  stamp: bigint;
}

const RUN_LABELS = ['command', 'keyspace', 'table', 'run_id'] as const;
const DIFFERENCE_KINDS = { missing: 'missing', mismatched: 'mismatched', extra: 'extra', target_newer: 'targetNewer', corrected: 'corrected', deleted: 'deleted' } as const;

/**
 * The run's Prometheus metrics (prom-client, a registry of its own). Row and difference counts are read
 * from the live runs at each scrape, so they are exactly the counts the summary reports at the end.
 */
export class JobMetrics {
  readonly registry = new Registry();
  private readonly runs = new Set<LiveRun>();
  private readonly requestSeconds: Histogram<'cluster' | 'operation'>;
  private readonly retries: Counter<'cluster'>;
  private readonly throttled: Counter<'cluster'>;
  private readonly exitCode: Gauge;
  private readonly lastSuccess: Gauge;
  private readonly requestListeners: ((seconds: number) => void)[] = [];
  private readonly endListeners: (() => void)[] = [];

  constructor() {
    const runs = this.runs;
    const registers = [this.registry];
    const fromRuns = (name: string, help: string, value: (run: LiveRun) => number) =>
      new Counter({
        name,
        help,
        labelNames: RUN_LABELS,
        registers,
        collect() {
          this.reset();
          for (const run of runs) this.inc(run.labels, value(run));
        },
      });
    fromRuns('cql_migrate_rows_read_total', 'Rows read from either cluster (validate: both).', (r) => r.counts().rowsRead);
    fromRuns('cql_migrate_rows_written_total', 'Rows written to the target by copy.', (r) => r.counts().rowsWritten);
    fromRuns('cql_migrate_rows_compared_total', 'Rows compared by validate.', (r) => r.counts().rowsCompared);
    new Counter({
      name: 'cql_migrate_differences_total',
      help: 'Differences validate found, by kind (corrected and deleted: what autocorrect fixed).',
      labelNames: [...RUN_LABELS, 'kind'],
      registers,
      collect() {
        this.reset();
        for (const run of runs) {
          const counts = run.counts();
          for (const [kind, field] of Object.entries(DIFFERENCE_KINDS)) this.inc({ ...run.labels, kind }, counts[field]);
        }
      },
    });
    new Gauge({
      name: 'cql_migrate_ranges',
      help: 'Token ranges of the run, by state (total, done, failed).',
      labelNames: [...RUN_LABELS, 'state'],
      registers,
      collect() {
        for (const run of runs) for (const [state, value] of Object.entries(run.ranges())) this.set({ ...run.labels, state }, value);
      },
    });
    new Gauge({
      name: 'cql_migrate_requests_in_flight',
      help: 'Requests in flight to both clusters.',
      labelNames: RUN_LABELS,
      registers,
      collect() {
        for (const run of runs) this.set(run.labels, run.inFlight());
      },
    });
    new Gauge({
      name: 'cql_migrate_run_stamp_micros',
      help: "The run's write timestamp (job-start stamp), microseconds since the epoch.",
      labelNames: RUN_LABELS,
      registers,
      collect() {
        for (const run of runs) this.set(run.labels, Number(run.stamp));
      },
    });
    this.requestSeconds = new Histogram({
      name: 'cql_migrate_request_duration_seconds',
      help: 'Latency of requests to each cluster, by operation (page, read, write), retries included.',
      labelNames: ['cluster', 'operation'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.retries = new Counter({ name: 'cql_migrate_retries_total', help: 'Requests sent again after a failure, by cluster.', labelNames: ['cluster'], registers });
    this.throttled = new Counter({ name: 'cql_migrate_throttled_total', help: 'Requests the cluster throttled with a RetryAfterMs hint, by cluster (also in retries).', labelNames: ['cluster'], registers });
    this.exitCode = new Gauge({ name: 'cql_migrate_exit_code', help: 'The exit code of the run that ended (README: exit codes).', registers });
    this.lastSuccess = new Gauge({ name: 'cql_migrate_last_success_timestamp_seconds', help: 'When a run of this job last ended with exit 0, seconds since the epoch.', registers });
  }

  /** `migrate ready`'s verdict, judged at the end of a keyspace validate job: 1 ready, 0 not, per table and for the keyspace. */
  readiness(keyspace: string, verdict: Readiness): void {
    const gauge = new Gauge({ name: 'cql_migrate_ready', help: 'May reads move to the target (migrate ready): 1 yes, 0 no; table="" is the whole keyspace.', labelNames: ['keyspace', 'table'], registers: [this.registry] });
    gauge.set({ keyspace, table: '' }, verdict.ready ? 1 : 0);
    for (const t of verdict.tables) gauge.set({ keyspace, table: t.table.slice(keyspace.length + 1) }, t.ready ? 1 : 0);
  }

  /** The run's end: its exit code, and the time of success for alerts on "no success for a day". */
  ended(exitCode: number): void {
    for (const listener of this.endListeners) listener();
    this.exitCode.set(exitCode);
    if (exitCode === 0) this.lastSuccess.setToCurrentTime();
  }

  /**
   * Pushes the final metrics to a Pushgateway under the job's name (cron runs end before any scrape). A
   * success leaves its timestamp there; a failed run does not replace it.
   */
  async push(url: string, jobName: string, exitCode: number): Promise<void> {
    if (exitCode !== 0) this.registry.removeSingleMetric('cql_migrate_last_success_timestamp_seconds');
    const gateway = new Pushgateway(url, { timeout: 10_000 }, this.registry);
    await (exitCode === 0 ? gateway.push({ jobName }) : gateway.pushAdd({ jobName }));
  }

  track(run: LiveRun): void {
    this.runs.add(run);
  }

  observeRequest(cluster: string, operation: string, seconds: number): void {
    this.requestSeconds.observe({ cluster, operation }, seconds);
    for (const listener of this.requestListeners) listener(seconds);
  }

  /** Every request's latency, as it is observed (the latency governor listens). */
  onRequest(listener: (seconds: number) => void): void {
    this.requestListeners.push(listener);
  }

  /** Called once when the run ends. */
  onEnd(listener: () => void): void {
    this.endListeners.push(listener);
  }

  /**
   * The in-flight window --max-latency keeps: its value now, and the smallest it came to. The gauges are
   * registered once; a later call (the next table of a keyspace job, its worker pool) takes over reading them.
   */
  trackWindow(current: () => number, smallest: () => number): void {
    const registered = this.window !== undefined;
    this.window = { current, smallest };
    if (registered) return;
    const window = () => this.window as { current: () => number; smallest: () => number };
    new Gauge({ name: 'cql_migrate_in_flight_window', help: 'Requests allowed in flight now (--max-latency moves it).', registers: [this.registry], collect() { this.set(window().current()); } });
    new Gauge({ name: 'cql_migrate_in_flight_window_min', help: 'The smallest in-flight window of the run so far.', registers: [this.registry], collect() { this.set(window().smallest()); } });
  }

  private window: { current: () => number; smallest: () => number } | undefined;

  /** A request sent again; throttled ones (the service asked to wait: Cosmos DB's RetryAfterMs) are counted apart too. */
  retried(cluster: string, throttled = false): void {
    this.retries.inc({ cluster });
    if (throttled) this.throttled.inc({ cluster });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  /** For the node exporter's textfile collector: written whole, then renamed, so it is never read half-written. */
  async writeFile(path: string): Promise<void> {
    await writeFile(`${path}.partial`, await this.text());
    await rename(`${path}.partial`, path);
  }
}
