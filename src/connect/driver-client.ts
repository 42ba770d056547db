import { accessSync, constants, readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import cassandra from 'cassandra-driver';
import type { Side, TlsOption } from '../config/clusters.js';
import { InputError } from '../errors.js';
import { connectFailure } from './connect-failure.js';
import { parseContactPoints } from './contact-points.js';
import { type ClusterFacts, detectProfile, type Profile, type ProfileName, profileOf } from './profile.js';

export type Consistency = number;

/** Where a cluster is and how to log in: contact points, or a Secure Connect Bundle (Astra) that says where. */
export interface ClientOptions {
  side: Side;
  /** `HOST[:PORT][,HOST...]` */
  contactPoints: string | undefined;
  bundle?: string | undefined;
  /** Default: the data center of the node we first reach (read from system.local), or the bundle's. */
  localDc?: string | undefined;
  username?: string | undefined;
  password?: string | undefined;
  tls?: TlsOption | undefined;
  /** What kind of cluster it is, when the user says so (--source-profile, --target-profile); else detected. */
  profile?: ProfileName | undefined;
}

/** What a session knows of its cluster from connecting. */
export interface ClusterInfo {
  localDc: string;
  releaseVersion: string;
  /** Its name and lowest host id: the same whatever contact points reach it. */
  identity: string;
  partitioner: string;
  profile: Profile;
}

/** Reads who the cluster is, and what kind (profile.ts decides from what it exposes). */
export async function describeCluster(client: cassandra.Client, options: ClientOptions, localDc: string, where: string): Promise<ClusterInfo> {
  const localResult = await client.execute('SELECT * FROM system.local');
  const local = localResult.first();
  const peers = (await client.execute('SELECT host_id FROM system.peers')).rows;
  const hostIds = [local, ...peers].map((row) => String(row?.get('host_id') ?? '')).filter(Boolean).sort();
  const releaseVersion = (local?.get('release_version') as string | undefined) ?? '0';
  const partitioner = String(local?.get('partitioner') ?? '');
  const names = async (query: string) => (await client.execute(query)).rows.map((r) => String(r.values()[0]));
  const facts: ClusterFacts = {
    hosts: options.bundle === undefined ? parseContactPoints(options.side, where).hosts : [],
    bundle: options.bundle !== undefined,
    releaseVersion,
    partitioner,
    systemTables: await names("SELECT table_name FROM system_schema.tables WHERE keyspace_name = 'system'"),
    keyspaces: await names('SELECT keyspace_name FROM system_schema.keyspaces'),
    localColumns: localResult.columns.map((c) => c.name),
  };
  const profile = profileOf(options.profile ?? detectProfile(facts), releaseVersion);
  return { localDc, releaseVersion, identity: `${local?.get('cluster_name') ?? ''}:${hostIds[0] ?? where}`, partitioner, profile };
}

/**
 * A connected driver client and its local data center. A cluster is reached by its contact points (the
 * local DC given, or the first node's own), or through a Secure Connect Bundle (Astra): the driver reads
 * the bundle's metadata service for the SNI proxy, the nodes and the DC, and presents the bundle's client
 * certificate; the bundle's content never leaves the driver.
 */
export async function connectClient(options: ClientOptions, consistency: Consistency): Promise<{ client: cassandra.Client; localDc: string; where: string }> {
  const base: cassandra.DseClientOptions = {
    socketOptions: { connectTimeout: 5000, readTimeout: 60_000 },
    // No Map/Set decoding: the driver then misreads keyspace replication settings (and so replicas).
    // Table data is read as raw bytes anyway.
    encoding: { useUndefinedAsUnset: true },
    queryOptions: { consistency, prepare: true },
    pooling: { coreConnectionsPerHost: { [cassandra.types.distance.local]: 2, [cassandra.types.distance.remote]: 1 } },
    // The driver's default waits up to 10 minutes between attempts to reach a node that went down; a
    // node back from a restart must be used within seconds, while our requests are still retrying.
    policies: { reconnection: new cassandra.policies.reconnection.ExponentialReconnectionPolicy(500, 4_000, false) },
    protocolOptions: { maxVersion: cassandra.types.protocolVersion.v4 },
  };
  if (options.username !== undefined) base.authProvider = new cassandra.auth.PlainTextAuthProvider(options.username, options.password ?? '');
  if (options.bundle !== undefined) return connectThroughBundle(options, options.bundle, base);
  const where = options.contactPoints ?? '';
  const { hosts, port } = parseContactPoints(options.side, where);
  base.contactPoints = hosts;
  base.protocolOptions = { ...base.protocolOptions, port };
  if (options.tls) base.sslOptions = tlsOptions(options.side, options.tls);
  const localDc = await chooseDc(options.side, where, options.localDc, base);
  const client = new cassandra.Client({ ...base, localDataCenter: localDc });
  try {
    await client.connect();
  } catch (error) {
    await client.shutdown().catch(() => undefined);
    throw connectFailure(options.side, `at ${where}`, error, localDc);
  }
  return { client, localDc, where };
}

async function connectThroughBundle(options: ClientOptions, bundle: string, base: cassandra.DseClientOptions): Promise<{ client: cassandra.Client; localDc: string; where: string }> {
  try {
    accessSync(bundle, constants.R_OK);
  } catch {
    throw new InputError(`--${options.side}-bundle ${bundle} cannot be read: give the Secure Connect Bundle (a zip file) downloaded for the database`);
  }
  const client = new cassandra.Client({ ...base, cloud: { secureConnectBundle: bundle } });
  try {
    await client.connect();
  } catch (error) {
    await client.shutdown().catch(() => undefined);
    throw connectFailure(options.side, `through the bundle ${bundle}`, error, undefined, true);
  }
  // The metadata service named the DC; a --dc given beside a bundle must be that one.
  const localDc = String((client as unknown as { options: { localDataCenter?: string } }).options.localDataCenter ?? '');
  if (options.localDc !== undefined && options.localDc !== localDc) {
    await client.shutdown().catch(() => undefined);
    throw new InputError(`--${options.side}-dc ${options.localDc} is not the bundle's data center (${localDc}): drop --${options.side}-dc, or download the bundle of that region`);
  }
  return { client, localDc, where: bundle };
}

/**
 * The server's certificate is always checked: against the given CA, or the system's. A client certificate
 * is presented when given (PEM certificate and key, or PKCS#12).
 */
function tlsOptions(side: Side, tls: Exclude<TlsOption, false>): ConnectionOptions {
  const read = (flag: string, file: string, what: string) => {
    try {
      return readFileSync(file);
    } catch {
      throw new InputError(`--${side}-${flag} ${file} cannot be read: give ${what}`);
    }
  };
  return {
    rejectUnauthorized: true,
    ...(tls.caFile === undefined ? {} : { ca: [read('ca', tls.caFile, `the PEM file of the CA that signed the ${side} cluster's certificate`)] }),
    ...(tls.certFile === undefined || tls.keyFile === undefined ? {} : { cert: read('cert', tls.certFile, 'the client certificate (PEM file)'), key: read('key', tls.keyFile, "the client certificate's private key (PEM file)") }),
    ...(tls.keystoreFile === undefined ? {} : { pfx: read('keystore', tls.keystoreFile, 'the client certificate and key (PKCS#12 file)'), passphrase: tls.keystorePassword }),
  };
}

const CONSISTENCY_LEVELS: Record<string, Consistency> = {
  ANY: cassandra.types.consistencies.any,
  ONE: cassandra.types.consistencies.one,
  TWO: cassandra.types.consistencies.two,
  THREE: cassandra.types.consistencies.three,
  QUORUM: cassandra.types.consistencies.quorum,
  ALL: cassandra.types.consistencies.all,
  LOCAL_QUORUM: cassandra.types.consistencies.localQuorum,
  EACH_QUORUM: cassandra.types.consistencies.eachQuorum,
  LOCAL_ONE: cassandra.types.consistencies.localOne,
};

export function consistencyOf(flag: string, name: string): Consistency {
  const level = CONSISTENCY_LEVELS[name.replace(/-/g, '_').toUpperCase()];
  if (level === undefined) {
    throw new InputError(`--${flag} ${name} is not a consistency level: use ${Object.keys(CONSISTENCY_LEVELS).join(', ')}`);
  }
  return level;
}

/**
 * The local data center: the given one, checked against the cluster's (the driver leaves a socket open
 * when it is given one that does not exist), or the first reachable contact point's own. Asked over a
 * throwaway connection.
 */
async function chooseDc(side: Side, contactPoints: string, given: string | undefined, base: cassandra.DseClientOptions): Promise<string> {
  const probe = new cassandra.Client({
    ...base,
    policies: { loadBalancing: new cassandra.policies.loadBalancing.RoundRobinPolicy() },
    pooling: { coreConnectionsPerHost: { [cassandra.types.distance.local]: 1, [cassandra.types.distance.remote]: 1 } },
  });
  let dcs: { own: string | undefined; all: Set<string> };
  try {
    const own = (await probe.execute('SELECT data_center FROM system.local', [], { prepare: false })).first()?.get('data_center') as string | undefined;
    const peers = (await probe.execute('SELECT data_center FROM system.peers', [], { prepare: false })).rows.map((r) => r.get('data_center') as string);
    dcs = { own, all: new Set([own, ...peers].filter((dc): dc is string => Boolean(dc))) };
  } catch (error) {
    throw connectFailure(side, `at ${contactPoints}`, error);
  } finally {
    await probe.shutdown().catch(() => undefined);
  }
  if (given !== undefined && !dcs.all.has(given)) {
    throw new InputError(`--${side}-dc ${given} is not a data center of the ${side} cluster: use one of ${[...dcs.all].sort().join(', ')}`);
  }
  const dc = given ?? dcs.own;
  if (!dc) throw connectFailure(side, `at ${contactPoints}`, new Error('system.local has no data_center'));
  return dc;
}
