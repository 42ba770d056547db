import { assertReachable, DEFAULT_SOURCE, DEFAULT_TARGET, SOURCE, startLocalClusters, TARGET, type TestCluster } from './clusters.js';

/**
 * Integration tests run against real clusters and never skip. The local clusters are started by
 * scripts/cassandra.sh when they are down, unless MIGRATE_TEST_CLUSTERS=external (or the MIGRATE_TEST_*
 * variables point elsewhere): then a cluster that does not answer fails the run with the reason.
 */
export default async function setup(): Promise<void> {
  const clusters: TestCluster[] = ['source', 'target', 'ring', 'legacy', 'v3', 'guarded', 'mtls', 'random'];
  const local = process.env.MIGRATE_TEST_CLUSTERS !== 'external' && SOURCE === DEFAULT_SOURCE && TARGET === DEFAULT_TARGET;
  // astra: the Astra-style endpoint (SNI proxy, metadata service, bundle) in front of the mtls node.
  if (local) await startLocalClusters([...clusters, 'astra']);
  for (const cluster of clusters) await assertReachable(cluster);
}
