import { readFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import cassandra from 'cassandra-driver';
import { retryPolicy } from '../../src/connect/retry.js';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const DEFAULT_SOURCE = '127.0.0.1:19042';
export const DEFAULT_TARGET = '127.0.0.1:29042';
export const SOURCE = process.env.MIGRATE_TEST_SOURCE ?? DEFAULT_SOURCE;
export const TARGET = process.env.MIGRATE_TEST_TARGET ?? DEFAULT_TARGET;
/** A source ring of three nodes with 16 vnodes each, for the token-range tests. */
export const RING = process.env.MIGRATE_TEST_RING ?? '127.0.0.11:21042';

/** What Session.open needs beside the side and contact points, as a job would set it. */
export const SESSION_DEFAULTS = {
  readConsistency: 'LOCAL_QUORUM',
  writeConsistency: 'LOCAL_QUORUM',
  retry: retryPolicy(30_000),
  warn: (_event: string, line: string) => process.stderr.write(`${line}\n`),
};

/** A Cassandra 4.1 source, the version most migrations start from. */
export const LEGACY = process.env.MIGRATE_TEST_LEGACY ?? '127.0.0.1:24042';

/** A Cassandra 3.11 source, the oldest people migrate from (scripts/cassandra.sh's v3 node, on Java 11). */
export const V3 = process.env.MIGRATE_TEST_V3 ?? '127.0.0.1:25042';

/** A Cassandra 5.0 target with a managed service's guardrails (scripts/cassandra.sh), which spare superusers. */
export const GUARDED = process.env.MIGRATE_TEST_GUARDED ?? '127.0.0.1:26042';
/** The ordinary role the tests run the tool as against the guarded node (created by guardedRole()). */
export const GUARDED_ROLE = { username: 'migrator', password: 'migrator-test' };

/** A Cassandra 5.0 node that takes only TLS connections with a client certificate its test CA signed. */
export const MTLS = process.env.MIGRATE_TEST_MTLS ?? '127.0.0.1:23042';
/** The test CA, a client certificate it signed (PEM, key, PKCS#12) and a stranger's, made by scripts/cassandra.sh. */
export const MTLS_CERTS = `${process.env.MIGRATE_CLUSTERS_DIR ?? `${REPO_ROOT}.cassandra`}/mtls-certs`;
export const MTLS_KEYSTORE_PASSWORD = 'client-test';
/** The Secure Connect Bundle of the Astra-style endpoint in front of the mtls node (scripts/cassandra.sh start astra). */
export const ASTRA_BUNDLE = `${process.env.MIGRATE_CLUSTERS_DIR ?? `${REPO_ROOT}.cassandra`}/astra/secure-connect-local.zip`;

/** A Cassandra 5.0 node with RandomPartitioner, as clusters begun before 1.2 still run. */
export const RANDOM = process.env.MIGRATE_TEST_RANDOM ?? '127.0.0.1:22042';

export type TestCluster = 'source' | 'target' | 'ring' | 'legacy' | 'v3' | 'guarded' | 'mtls' | 'random';
export const CONTACT_POINTS: Record<TestCluster, string> = { source: SOURCE, target: TARGET, ring: RING, legacy: LEGACY, v3: V3, guarded: GUARDED, mtls: MTLS, random: RANDOM };
/** The ring requires a password (scripts/cassandra.sh): Cassandra's default superuser. */
export const RING_CREDENTIALS = { username: 'cassandra', password: 'cassandra' };

const authFor = (cluster: TestCluster) => ({
  ...(cluster === 'ring' || cluster === 'guarded' ? { authProvider: new cassandra.auth.PlainTextAuthProvider(RING_CREDENTIALS.username, RING_CREDENTIALS.password) } : {}),
  ...(cluster === 'mtls'
    ? { sslOptions: { ca: [readFileSync(`${MTLS_CERTS}/ca.pem`)], cert: readFileSync(`${MTLS_CERTS}/client.pem`), key: readFileSync(`${MTLS_CERTS}/client.key`), rejectUnauthorized: true } }
    : {}),
});

/** The ordinary role (guardrails apply to it; the node's AllowAllAuthorizer lets it do the rest); idempotent. */
export async function guardedRole(superuser: cassandra.Client): Promise<typeof GUARDED_ROLE> {
  await superuser.execute(`CREATE ROLE IF NOT EXISTS ${GUARDED_ROLE.username} WITH PASSWORD = '${GUARDED_ROLE.password}' AND LOGIN = true`);
  return GUARDED_ROLE;
}

/** A plain driver client for test setup and assertions, independent of the code under test. */
export async function testClient(cluster: TestCluster): Promise<cassandra.Client> {
  const [host, port] = CONTACT_POINTS[cluster].split(':');
  const client = new cassandra.Client({
    contactPoints: [host as string],
    protocolOptions: { port: Number(port ?? 9042) },
    localDataCenter: 'datacenter1',
    encoding: { map: Map, set: Set },
    queryOptions: { consistency: cassandra.types.consistencies.localQuorum, prepare: true },
    socketOptions: { connectTimeout: 3000 },
    // The outage tests restart nodes: a client of a node that comes back reconnects within a second.
    policies: { reconnection: new cassandra.policies.reconnection.ConstantReconnectionPolicy(1000) },
    ...authFor(cluster),
  });
  await connectThroughAuthTimeouts(client);
  return client;
}

/**
 * With a password, a node reads the role (the ring's default superuser at QUORUM) from the one replica of
 * system_auth; on this 2-core machine that read once timed out after 5 s in CI (a busy node) and failed a
 * whole suite in its setup. A timed-out role read is retried; a refused password is not.
 */
async function connectThroughAuthTimeouts(client: cassandra.Client): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await client.connect();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (attempt === 3 || !/Unable to perform authentication: Operation timed out/.test(message)) throw error;
      process.stderr.write(`test client: the role read timed out (attempt ${attempt}); connecting again\n`);
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
}

/** Fails with one clear line when the cluster does not answer CQL. */
export async function assertReachable(cluster: TestCluster, contactPoint = CONTACT_POINTS[cluster]): Promise<void> {
  const [host, port] = contactPoint.split(':');
  const client = new cassandra.Client({
    contactPoints: [host as string],
    protocolOptions: { port: Number(port ?? 9042) },
    localDataCenter: 'datacenter1',
    socketOptions: { connectTimeout: 3000 },
    ...authFor(cluster),
  });
  try {
    await client.connect();
    await client.execute('SELECT release_version FROM system.local');
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new Error(
      `the ${cluster} test cluster at ${contactPoint} does not answer CQL (${reason}); start it with "bash scripts/cassandra.sh start ${cluster}" or let "npm test" start it`,
    );
  } finally {
    await client.shutdown().catch(() => undefined);
  }
}

/** Starts the local clusters with the project's script; its stderr (with the node log's tail) explains a failure. */
export async function startLocalClusters(clusters: (TestCluster | 'astra')[]): Promise<void> {
  try {
    await promisify(execFile)('bash', [`${REPO_ROOT}scripts/cassandra.sh`, 'start', ...clusters], { maxBuffer: 16 << 20 });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`could not start the test clusters (${clusters.join(', ')}):\n${stderr}`);
  }
}

export async function dropKeyspace(client: cassandra.Client, keyspace: string): Promise<void> {
  await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`, [], { readTimeout: 120_000 });
}

/** A keyspace made afresh (replication factor 1) on each cluster, with these tables (`CREATE TABLE` bodies after `KS.`). */
export async function freshKeyspaceWith(clients: cassandra.Client[], keyspace: string, tables: string[]): Promise<void> {
  for (const client of clients) {
    await dropKeyspace(client, keyspace);
    await client.execute(`CREATE KEYSPACE ${keyspace} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`);
    for (const table of tables) await client.execute(`CREATE TABLE ${keyspace}.${table}`);
  }
}

/** The sample schema made afresh (any earlier keyspace of that name dropped) on one cluster. */
export async function freshSampleSchema(client: cassandra.Client, keyspace: string, replicationFactor = 1): Promise<void> {
  const { createSampleSchema } = await import('../../examples/sample-data.mjs');
  await dropKeyspace(client, keyspace);
  await createSampleSchema(client, keyspace, replicationFactor);
}

/** The sample keyspace made afresh on both clusters and loaded into the source only. */
export async function freshSampleKeyspace(source: cassandra.Client, target: cassandra.Client, keyspace: string, scale: number): Promise<void> {
  const { loadSampleData } = await import('../../examples/sample-data.mjs');
  for (const client of [source, target]) await freshSampleSchema(client, keyspace);
  await loadSampleData(source, { keyspace, scale });
}
