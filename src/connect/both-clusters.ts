import type { ConnectionOptions } from '../config/options.js';
import { messageOf } from '../errors.js';
import { logEvent } from '../report/log.js';
import type { JobMetrics } from '../report/metrics.js';
import { retryPolicy } from './retry.js';
import { Session, type SessionOptions, type Side } from './session.js';

/**
 * Connects to the source and the target side by side, runs `work`, and closes both whatever happens. A
 * cluster that cannot be reached is a ConnectError (exit 2), raised before `work` runs.
 */
export async function withBothClusters<T>(options: ConnectionOptions, signal: AbortSignal, work: (source: Session, target: Session) => Promise<T>, metrics?: JobMetrics): Promise<T> {
  const opened = await Promise.allSettled((['source', 'target'] as const).map((side) => Session.open(sessionOptions(options, side, signal, metrics))));
  const sessions = opened.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  try {
    const failure = opened.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;
    return await work(sessions[0] as Session, sessions[1] as Session);
  } finally {
    await Promise.all(sessions.map((s) => s.close()));
  }
}

/** The target alone (`migrate status` of a run kept in the target's ledger keyspace). */
export async function withTarget<T>(options: ConnectionOptions, work: (target: Session) => Promise<T>): Promise<T> {
  const target = await Session.open(sessionOptions(options, 'target', undefined, undefined));
  try {
    return await work(target);
  } finally {
    await target.close();
  }
}

function sessionOptions(options: ConnectionOptions, side: Side, signal: AbortSignal | undefined, metrics: JobMetrics | undefined): SessionOptions {
  const source = side === 'source';
  return {
    side,
    contactPoints: source ? options.source : options.target,
    localDc: source ? options.sourceDc : options.targetDc,
    username: source ? options.sourceUser : options.targetUser,
    password: source ? options.sourcePassword : options.targetPassword,
    tls: source ? options.sourceTls : options.targetTls,
    readConsistency: options.readConsistency,
    writeConsistency: options.writeConsistency,
    retry: retryPolicy(options.retryForMs),
    warn: (event, line) => logEvent(event, { cluster: side }, line),
    signal,
    observe: metrics && ((operation, seconds) => metrics.observeRequest(side, operation, seconds)),
    retried: (error) => {
      metrics?.retried(side);
      logEvent('retry', { cluster: side, error: messageOf(error).split('\n')[0] });
    },
  };
}
