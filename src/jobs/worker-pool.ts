import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { JobOptions } from '../config/job-options.js';
import { type ExitCode, MigrateError } from '../errors.js';
import { logEvent } from '../report/log.js';
import type { JobMetrics } from '../report/metrics.js';
import type { RowTally } from '../report/summary.js';
import type { RunView } from '../state/ledger.js';
import type { RunRecord } from '../state/run-state.js';
import { workerHeapFlags } from './heap-limits.js';
import type { RangeRunner } from './range-runner.js';
import type { Command } from './job-definition.js';

/** What a worker process is told once: the job, and the run it works in. */
export interface WorkerStart {
  type: 'start';
  command: Command;
  options: JobOptions;
  view: RunView;
  knownRuns: RunRecord[];
  /** How many processes share the budget (--max-in-flight, --rate-limit). */
  processes: number;
}

export type ToWorker = WorkerStart | { type: 'range'; range: string } | { type: 'abort' } | { type: 'stop' };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'start-failed'; message: string; exitCode: ExitCode }
  | {
      type: 'progress';
      /** The counts so far of each range in progress. */
      counts: Record<string, Partial<RowTally>>;
      /** [cluster, operation, seconds] of each request since the last report. */
      requests: [string, string, number][];
      retries: string[];
      inFlight: number;
      window: number;
      smallestWindow: number;
    }
  | { type: 'done'; range: string; counts: Partial<RowTally>; notes: string[] }
  | { type: 'failed'; range: string; error: string; notes: string[] }
  | { type: 'log'; event: string; fields: Record<string, unknown>; line: string | undefined };

/** A worker process that could not start (it could not connect, for example). */
export class WorkerStartError extends MigrateError {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
  }
}

interface Pending {
  counts: RowTally;
  resolve: (notes: string[]) => void;
  reject: (error: Error) => void;
}

interface Worker {
  child: ChildProcess;
  running: Map<string, Pending>;
  alive: boolean;
  last: { inFlight: number; window: number; smallestWindow: number };
}

/**
 * `--workers N`: N processes of this program, each with its own driver sessions and share of the budget,
 * run the ranges this process claims. The ledger, the progress display and the summary stay here; the
 * workers send their counts, request latencies and log events back, and one outage seen by several
 * workers is reported once.
 */
export class WorkerPool implements RangeRunner {
  private readonly outages = new Map<string, number>();

  private constructor(
    private readonly workers: Worker[],
    private readonly metrics: JobMetrics | undefined,
  ) {}

  static async start(processes: number, start: Omit<WorkerStart, 'type' | 'processes'>, signal: AbortSignal, metrics: JobMetrics | undefined): Promise<WorkerPool> {
    const workers = Array.from({ length: processes }, (): Worker => ({
      // Advanced serialization: the options' Maps and bigints arrive as they are (passwords never touch argv).
      child: fork(workerEntry(), [], { serialization: 'advanced', stdio: ['ignore', 'ignore', 'inherit', 'ipc'], execArgv: [...process.execArgv, ...workerHeapFlags(start.command)] }),
      running: new Map(),
      alive: true,
      last: { inFlight: 0, window: 0, smallestWindow: 0 },
    }));
    const pool = new WorkerPool(workers, metrics);
    const ready = workers.map((worker) => pool.listen(worker));
    for (const { child } of workers) child.send({ type: 'start', ...start, processes } satisfies ToWorker);
    const started = await Promise.allSettled(ready);
    const failure = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) {
      await pool.close();
      throw failure.reason;
    }
    signal.addEventListener('abort', () => pool.broadcast({ type: 'abort' }), { once: true });
    if (start.options.throughput.maxLatencyMs !== undefined) metrics?.trackWindow(() => pool.window(), () => pool.sum((w) => w.last.smallestWindow));
    return pool;
  }

  /** Resolves when the worker is ready, rejects if it cannot start. */
  private listen(worker: Worker): Promise<void> {
    return new Promise((resolve, reject) => {
      worker.child.on('message', (message: FromWorker) => {
        if (message.type === 'ready') resolve();
        else if (message.type === 'start-failed') reject(new WorkerStartError(message.message, message.exitCode));
        else this.received(worker, message);
      });
      // A message sent to a worker that is exiting fails with EPIPE: its exit, below, says what happened.
      worker.child.on('error', (error) => reject(error));
      worker.child.on('exit', (code, signal) => {
        worker.alive = false;
        const error = new Error(`worker process ${worker.child.pid} exited (${signal ?? `code ${code}`})`);
        reject(error);
        for (const pending of worker.running.values()) pending.reject(error);
        worker.running.clear();
      });
    });
  }

  private received(worker: Worker, message: FromWorker): void {
    switch (message.type) {
      case 'progress':
        for (const [range, counts] of Object.entries(message.counts)) {
          const pending = worker.running.get(range);
          if (pending) Object.assign(pending.counts, counts);
        }
        for (const [cluster, operation, seconds] of message.requests) this.metrics?.observeRequest(cluster, operation, seconds);
        for (const cluster of message.retries) this.metrics?.retried(cluster);
        worker.last = { inFlight: message.inFlight, window: message.window, smallestWindow: message.smallestWindow };
        break;
      case 'done':
      case 'failed': {
        const pending = worker.running.get(message.range);
        worker.running.delete(message.range);
        if (!pending) break;
        if (message.type === 'done') {
          Object.assign(pending.counts, message.counts);
          pending.resolve(message.notes);
        } else pending.reject(Object.assign(new Error(message.error), { notes: message.notes }));
        break;
      }
      case 'log':
        this.log(message.event, message.fields, message.line);
        break;
      default:
        break;
    }
  }

  /** One line when the first worker sees a cluster fail, one when the last of them sees it answer again. */
  private log(event: string, fields: Record<string, unknown>, line: string | undefined): void {
    if (event !== 'outage' && event !== 'recovered') return logEvent(event, fields, line);
    const cluster = String(fields.cluster);
    const before = this.outages.get(cluster) ?? 0;
    const after = Math.max(0, before + (event === 'outage' ? 1 : -1));
    this.outages.set(cluster, after);
    if ((event === 'outage' && before === 0) || (event === 'recovered' && after === 0 && before > 0)) logEvent(event, fields, line);
  }

  run(range: string, counts: RowTally): Promise<string[]> {
    const worker = this.workers.filter((w) => w.alive).sort((a, b) => a.running.size - b.running.size)[0];
    if (!worker) return Promise.reject(new Error('no worker process is left (see the errors above)'));
    return new Promise((resolve, reject) => {
      worker.running.set(range, { counts, resolve, reject });
      worker.child.send({ type: 'range', range } satisfies ToWorker);
    });
  }

  private sum(of: (worker: Worker) => number): number {
    return this.workers.filter((w) => w.alive).reduce((total, w) => total + of(w), 0);
  }

  inFlight(): number {
    return this.sum((w) => w.last.inFlight);
  }

  window(): number {
    return this.sum((w) => w.last.window);
  }

  private broadcast(message: ToWorker): void {
    for (const worker of this.workers) if (worker.alive && worker.child.connected) worker.child.send(message);
  }

  /** Asks each worker to finish (close its files and sessions) and waits for it, killing one that hangs. */
  async close(): Promise<void> {
    await Promise.all(
      this.workers.map(async (worker) => {
        if (!worker.alive) return;
        const exited = new Promise<void>((resolve) => worker.child.once('exit', () => resolve()));
        if (worker.child.connected) worker.child.send({ type: 'stop' } satisfies ToWorker);
        const timer = setTimeout(() => worker.child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }),
    );
  }
}

/**
 * The worker process's entry: the built module beside this one. Run from source (the tests import
 * src/), that is the copy `npm test` builds into dist/ first.
 */
function workerEntry(): string {
  const here = fileURLToPath(import.meta.url);
  return here.replace(/\/src\/jobs\/worker-pool\.ts$/, '/dist/jobs/worker-pool.js').replace(/worker-pool\.js$/, 'worker-process.js');
}
