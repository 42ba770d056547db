import type { ClusterOptions, Clusters, RequestOptions } from '../config/clusters.js';
import { messageOf } from '../errors.js';
import { logEvent } from '../report/log.js';
import type { JobMetrics } from '../report/metrics.js';
import { retryPolicy } from './retry.js';
import { Session, type SessionOptions } from './session.js';
import { processThrottles } from './throttles.js';

/**
 * Connects to the source and the target side by side, runs `work`, and closes both whatever happens. A
 * cluster that cannot be reached is a ConnectError (exit 2), raised before `work` runs.
 */
export async function withBothClusters<T>(clusters: Clusters, signal: AbortSignal, work: (source: Session, target: Session) => Promise<T>, metrics?: JobMetrics): Promise<T> {
  const opened = await Promise.allSettled((['source', 'target'] as const).map((side) => Session.open(sessionOptions(clusters[side], clusters, signal, metrics))));
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
export async function withTarget<T>(target: ClusterOptions, requests: RequestOptions, work: (target: Session) => Promise<T>): Promise<T> {
  const session = await Session.open(sessionOptions(target, requests, undefined, undefined));
  try {
    return await work(session);
  } finally {
    await session.close();
  }
}

function sessionOptions(cluster: ClusterOptions, requests: RequestOptions, signal: AbortSignal | undefined, metrics: JobMetrics | undefined): SessionOptions {
  const { side } = cluster;
  return {
    side,
    contactPoints: cluster.contactPoints,
    bundle: cluster.bundle,
    profile: cluster.profile,
    localDc: cluster.dc,
    username: cluster.user,
    password: cluster.password,
    tls: cluster.tls,
    readConsistency: requests.readConsistency,
    writeConsistency: requests.writeConsistency,
    retry: retryPolicy(requests.retryForMs),
    warn: (event, line) => logEvent(event, { cluster: side }, line),
    signal,
    observe: metrics && ((operation, seconds) => metrics.observeRequest(side, operation, seconds)),
    retried: (error, throttled) => {
      metrics?.retried(side, throttled);
      if (throttled) processThrottles.throttled();
      logEvent(throttled ? 'throttled' : 'retry', { cluster: side, error: messageOf(error).split('\n')[0] });
    },
  };
}
