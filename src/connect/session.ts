import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ConnectionOptions } from 'node:tls';
import cassandra from 'cassandra-driver';
import type { Side, TlsOption } from '../config/clusters.js';
import { ConnectError, InputError, messageOf } from '../errors.js';
import { parseContactPoints } from './contact-points.js';
import { installRawCells } from './raw-cells.js';
import { type OutageWarning, realClock, Retrier, type RetryPolicy } from './retry.js';

export interface SessionOptions {
  side: Side;
  /** `HOST[:PORT][,HOST...]` */
  contactPoints: string;
  /** Default: the data center of the node we first reach (read from system.local). */
  localDc?: string | undefined;
  username?: string | undefined;
  password?: string | undefined;
  tls?: TlsOption | undefined;
  readConsistency: string;
  writeConsistency: string;
  retry: RetryPolicy;
  /** Where the one line per outage goes. */
  warn: OutageWarning;
  /** Ends retries when the job is interrupted. */
  signal?: AbortSignal | undefined;
  /** Each request's latency, retries included (metrics). */
  observe?: ((operation: 'page' | 'read' | 'write', seconds: number) => void) | undefined;
  /** Each retry (metrics, logs). */
  retried?: ((error: unknown) => void) | undefined;
}

export type ResultSet = cassandra.types.ResultSet;
export type Consistency = number;
export interface Statement {
  query: string;
  params: unknown[];
}

/**
 * The one door to cassandra-driver: a connected cluster with its local DC, consistency levels and the
 * few calls the pipeline makes, each retried through outages. Everything else in the tool speaks to this
 * interface.
 */
export class Session {
  private constructor(
    readonly side: Side,
    private readonly client: cassandra.Client,
    readonly localDc: string,
    readonly readConsistency: Consistency,
    readonly writeConsistency: Consistency,
    /** Cassandra's release_version of the node we first reached, e.g. "5.0.9". */
    readonly releaseVersion: string,
    /** The cluster whatever contact points reach it: its name and its lowest host id. */
    readonly identity: string,
    /** The partitioner class system.local names, e.g. org.apache.cassandra.dht.Murmur3Partitioner. */
    readonly partitioner: string,
    private readonly retrier: Retrier,
    private readonly signal: AbortSignal | undefined,
    private readonly observe: SessionOptions['observe'],
  ) {}

  /** A request through the retrier, timed. */
  private async request<T>(operation: 'page' | 'read' | 'write', task: () => Promise<T>, applied: 'never' | 'maybe' = 'never'): Promise<T> {
    const started = process.hrtime.bigint();
    try {
      return await this.retrier.run(task, this.signal, applied);
    } finally {
      this.observe?.(operation, Number(process.hrtime.bigint() - started) / 1e9);
    }
  }

  get releaseMajor(): number {
    return Number.parseInt(this.releaseVersion, 10) || 0;
  }

  static async open(options: SessionOptions): Promise<Session> {
    installRawCells();
    const { hosts, port } = parseContactPoints(options.side, options.contactPoints);
    const readConsistency = consistencyOf('read-consistency', options.readConsistency);
    const writeConsistency = consistencyOf('write-consistency', options.writeConsistency);
    const base: cassandra.DseClientOptions = {
      contactPoints: hosts,
      protocolOptions: { port, maxVersion: cassandra.types.protocolVersion.v4 },
      socketOptions: { connectTimeout: 5000, readTimeout: 60_000 },
      // No Map/Set decoding: the driver then misreads keyspace replication settings (and so replicas).
      // Table data is read as raw bytes anyway.
      encoding: { useUndefinedAsUnset: true },
      queryOptions: { consistency: readConsistency, prepare: true },
      pooling: { coreConnectionsPerHost: { [cassandra.types.distance.local]: 2, [cassandra.types.distance.remote]: 1 } },
      // The driver's default waits up to 10 minutes between attempts to reach a node that went down; a
      // node back from a restart must be used within seconds, while our requests are still retrying.
      policies: { reconnection: new cassandra.policies.reconnection.ExponentialReconnectionPolicy(500, 4_000, false) },
    };
    if (options.tls) base.sslOptions = tlsOptions(options.side, options.tls);
    if (options.username !== undefined) {
      base.authProvider = new cassandra.auth.PlainTextAuthProvider(options.username, options.password ?? '');
    }
    const localDc = await chooseDc(options.side, options.contactPoints, options.localDc, base);
    const client = new cassandra.Client({ ...base, localDataCenter: localDc });
    try {
      await client.connect();
    } catch (error) {
      await client.shutdown().catch(() => undefined);
      throw connectFailure(options.side, options.contactPoints, error, localDc);
    }
    const local = (await client.execute('SELECT release_version, cluster_name, host_id, partitioner FROM system.local')).first();
    const peers = (await client.execute('SELECT host_id FROM system.peers')).rows;
    const hostIds = [local, ...peers].map((row) => String(row?.get('host_id') ?? '')).filter(Boolean).sort();
    const identity = `${local?.get('cluster_name') ?? ''}:${hostIds[0] ?? options.contactPoints}`;
    const retrier = new Retrier(options.side, options.retry, options.warn, realClock, options.retried);
    return new Session(options.side, client, localDc, readConsistency, writeConsistency, (local?.get('release_version') as string | undefined) ?? '0', identity, String(local?.get('partitioner') ?? ''), retrier, options.signal, options.observe);
  }

  async read(query: string, params: unknown[] = [], options: cassandra.QueryOptions = {}): Promise<ResultSet> {
    return this.request('read', () => this.client.execute(query, params, { prepare: true, consistency: this.readConsistency, isIdempotent: true, ...options }));
  }

  /** A read answered by the first node reached, from its own view (system.local and system.peers of one node). */
  async readOnOneNode(query: string): Promise<ResultSet> {
    const host = this.client.getState().getConnectedHosts()[0];
    return this.read(query, [], host ? { host } : {});
  }

  /**
   * A schema change, then a wait until every node agrees on the schema, so the next statement can build on
   * it. Retried only when surely not applied, unless it says IF NOT EXISTS: a CREATE is not sent twice blindly.
   */
  async changeSchema(statement: string): Promise<void> {
    const isIdempotent = /\bIF\s+NOT\s+EXISTS\b/i.test(statement);
    await this.request('write', () => this.client.execute(statement, [], { prepare: false, isIdempotent }), isIdempotent ? 'never' : 'maybe');
    // Present in the driver, missing from its typings.
    const metadata = this.client.metadata as unknown as { checkSchemaAgreement(): Promise<boolean> };
    for (let waited = 0; waited < 60_000; waited += 500) {
      if (await metadata.checkSchemaAgreement()) return;
      await sleep(500);
    }
    throw new InputError(`the ${this.side} nodes did not agree on the schema within 60 s: check that every node is up (nodetool describecluster), then run again`);
  }

  /** One page of a token-range query, routed to a replica of the range. */
  async readPage(query: string, params: unknown[], page: { size: number; state?: string | undefined; keyspace: string; endToken: bigint }): Promise<ResultSet> {
    // A retried page starts from the same paging state: the range goes on where it was, on any replica.
    return this.request('page', () => this.client.execute(query, params, {
      prepare: true,
      consistency: this.readConsistency,
      isIdempotent: true,
      fetchSize: page.size,
      pageState: page.state,
      keyspace: page.keyspace,
      routingKey: this.routingToken(page.endToken),
    }));
  }

  /** The nodes a range query ending at this token is routed to (the replicas of the range). */
  replicasOf(keyspace: string, endToken: bigint): string[] {
    return (this.client.metadata.getReplicas(keyspace, this.routingToken(endToken)) ?? []).map((host) => host.address);
  }

  // A Token routes a query to the range's replicas (the typings only admit a Buffer).
  private routingToken(token: bigint): Buffer {
    return this.client.metadata.newToken(token.toString()) as unknown as Buffer;
  }

  /** `isIdempotent: false` (counter increments): retried only when the write surely was not applied. */
  async write(statement: Statement, options: cassandra.QueryOptions = {}): Promise<void> {
    const settings = { prepare: true, consistency: this.writeConsistency, isIdempotent: true, ...options };
    await this.request('write', () => this.client.execute(statement.query, statement.params, settings), settings.isIdempotent ? 'never' : 'maybe');
  }

  async writeBatch(statements: Statement[], options: cassandra.QueryOptions = {}): Promise<void> {
    if (statements.length === 1) return this.write(statements[0] as Statement, options);
    const settings = { prepare: true, logged: false, consistency: this.writeConsistency, isIdempotent: true, ...options };
    const queries = statements.map((s) => ({ query: s.query, params: s.params }));
    await this.request('write', () => this.client.batch(queries, settings), settings.isIdempotent ? 'never' : 'maybe');
  }

  /**
   * A lightweight transaction (run state's claims and locks): applied or not, with the row as it is when
   * not. Retried like any request: callers recognise their own change in the row when a retry finds it made.
   */
  async conditional(query: string, params: unknown[]): Promise<{ applied: boolean; row: cassandra.types.Row | undefined }> {
    const { quorum, serial } = cassandra.types.consistencies;
    const result = await this.request('write', () => this.client.execute(query, params, { prepare: true, consistency: quorum, serialConsistency: serial, isIdempotent: true }));
    const row = result.first() ?? undefined;
    return { applied: row?.get('[applied]') === true, row };
  }

  async close(): Promise<void> {
    // After a node restart the driver's shutdown can wait forever on a pool it was closing when the node
    // went down (seen here: finished copies that never exited). The work is done by now: give it 5 s.
    const gaveUp = new AbortController();
    await Promise.race([this.client.shutdown().finally(() => gaveUp.abort()), sleep(5_000, undefined, { signal: gaveUp.signal }).catch(() => undefined)]);
  }
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
    throw connectFailure(side, contactPoints, error);
  } finally {
    await probe.shutdown().catch(() => undefined);
  }
  if (given !== undefined && !dcs.all.has(given)) {
    throw new InputError(`--${side}-dc ${given} is not a data center of the ${side} cluster: use one of ${[...dcs.all].sort().join(', ')}`);
  }
  const dc = given ?? dcs.own;
  if (!dc) throw connectFailure(side, contactPoints, new Error('system.local has no data_center'));
  return dc;
}

function connectFailure(side: Side, contactPoints: string, error: unknown, dc?: string): ConnectError {
  const detail = messageOf(error).split('\n')[0] ?? '';
  return new ConnectError(`cannot connect to the ${side} cluster at ${contactPoints}: ${detail}; ${fixFor(side, detail, dc)}`);
}

function fixFor(side: Side, detail: string, dc: string | undefined): string {
  if (/auth|credential|password/i.test(detail)) return `check --${side}-user and MIGRATE_${side.toUpperCase()}_PASSWORD`;
  // The server refused our client certificate: none given, or one its CA did not sign (Java answers "internal error").
  if (/alert (certificate required|internal error|unknown ca|bad certificate|certificate unknown)/i.test(detail)) {
    return `check --${side}-cert and --${side}-key, or --${side}-keystore: the ${side} cluster requires a client certificate signed by a CA it trusts`;
  }
  if (/mac verify failure|PKCS12|pkcs12/i.test(detail)) return `check --${side}-keystore and MIGRATE_${side.toUpperCase()}_KEYSTORE_PASSWORD`;
  if (/certificate|self.signed|SSL|TLS/i.test(detail)) return `check --${side}-ca (the CA that signed the ${side} cluster's certificate)`;
  if (dc) return `check --${side}-dc (${dc}) and that the hosts are up`;
  return 'check the hosts, the port and that the cluster is up';
}
