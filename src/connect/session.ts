import { setTimeout as sleep } from 'node:timers/promises';
import cassandra from 'cassandra-driver';
import type { Side } from '../config/clusters.js';
import { InputError } from '../errors.js';
import { type ClientOptions, type ClusterInfo, type Consistency, connectClient, consistencyOf, describeCluster } from './driver-client.js';
import { createdTableOf, type Profile } from './profile.js';
import { LentValues } from './lent-values.js';
import { installPreparedLookup } from './prepared-lookup.js';
import { installRawBatches } from './raw-batches.js';
import { installRawCells } from './raw-cells.js';
import { type OutageWarning, realClock, Retrier, type RetryPolicy } from './retry.js';

export interface SessionOptions extends ClientOptions {
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
  retried?: ((error: unknown, throttled: boolean) => void) | undefined;
}

export type ResultSet = cassandra.types.ResultSet;
const NO_WARNINGS: readonly string[] = [];
export type { Consistency } from './driver-client.js';
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
  readonly localDc: string;
  /** Cassandra's release_version of the node we first reached, e.g. "5.0.9". */
  readonly releaseVersion: string;
  /** The cluster whatever contact points reach it: its name and its lowest host id. */
  readonly identity: string;
  /** The partitioner class system.local names, e.g. org.apache.cassandra.dht.Murmur3Partitioner. */
  readonly partitioner: string;
  /** What kind of cluster this is (detected, or --source-profile/--target-profile), and what that changes. */
  readonly profile: Profile;

  private constructor(
    readonly side: Side,
    private readonly client: cassandra.Client,
    info: ClusterInfo,
    readonly readConsistency: Consistency,
    readonly writeConsistency: Consistency,
    private readonly retrier: Retrier,
    private readonly signal: AbortSignal | undefined,
    private readonly observe: SessionOptions['observe'],
  ) {
    ({ localDc: this.localDc, releaseVersion: this.releaseVersion, identity: this.identity, partitioner: this.partitioner, profile: this.profile } = info);
  }

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
    installRawBatches();
    installPreparedLookup();
    const readConsistency = consistencyOf('read-consistency', options.readConsistency);
    const writeConsistency = consistencyOf('write-consistency', options.writeConsistency);
    const { client, localDc, where } = await connectClient(options, readConsistency);
    const info = await describeCluster(client, options, localDc, where);
    const retrier = new Retrier(options.side, options.retry, options.warn, realClock, options.retried);
    return new Session(options.side, client, info, readConsistency, writeConsistency, retrier, options.signal, options.observe);
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
    // Amazon Keyspaces creates tables asynchronously: a table is usable once system_schema_mcs says ACTIVE.
    const created = this.profile.name === 'keyspaces' ? createdTableOf(statement) : undefined;
    const ready = async () =>
      created
        ? (await this.read('SELECT status FROM system_schema_mcs.tables WHERE keyspace_name = ? AND table_name = ?', [created.keyspace, created.table])).first()?.get('status') === 'ACTIVE'
        : metadata.checkSchemaAgreement();
    const limitMs = created ? 300_000 : 60_000;
    for (let waited = 0; waited < limitMs; waited += 500) {
      if (await ready()) return;
      await sleep(500);
    }
    throw new InputError(
      created
        ? `table ${created.keyspace}.${created.table} was not ACTIVE in system_schema_mcs within 5 minutes: check it in the Keyspaces console, then run schema again`
        : `the ${this.side} nodes did not agree on the schema within 60 s: check that every node is up (nodetool describecluster), then run again`,
    );
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

  /**
   * `isIdempotent: false` (counter increments): retried only when the write surely was not applied. Writes
   * resolve to the warnings the target sent back with the answer (a batch's size, a guardrail's), if any.
   */
  async write(statement: Statement, options: cassandra.QueryOptions = {}): Promise<readonly string[]> {
    const settings = { prepare: true, consistency: this.writeConsistency, isIdempotent: true, ...options };
    return this.writeLending(settings, (values) => this.client.execute(statement.query, values.lend(statement.params), settings));
  }

  async writeBatch(statements: Statement[], options: cassandra.QueryOptions = {}): Promise<readonly string[]> {
    if (statements.length === 1) return this.write(statements[0] as Statement, options);
    const settings = { prepare: true, logged: false, consistency: this.writeConsistency, isIdempotent: true, ...options };
    return this.writeLending(settings, (values) => this.client.batch(statements.map((statement) => ({ query: statement.query, params: values.lend(statement.params) })), settings));
  }

  /** A write whose bound values the driver is lent for each attempt, and which are emptied once it settles (lent-values.ts says why). */
  private async writeLending(settings: { isIdempotent: boolean }, send: (values: LentValues) => Promise<ResultSet>): Promise<readonly string[]> {
    const values = new LentValues();
    try {
      const result = await this.request('write', () => send(values), settings.isIdempotent ? 'never' : 'maybe');
      return result.info?.warnings ?? NO_WARNINGS;
    } finally {
      values.release();
    }
  }

  /**
   * A lightweight transaction (run state's claims and locks): applied or not, with the row as it is when
   * not. Retried like any request: callers recognise their own change in the row when a retry finds it made.
   */
  async conditional(query: string, params: unknown[]): Promise<{ applied: boolean; row: cassandra.types.Row | undefined }> {
    const { quorum: consistency, serial: serialConsistency } = this.ledgerLevels;
    const result = await this.request('write', () => this.client.execute(query, params, { prepare: true, consistency, serialConsistency, isIdempotent: true }));
    const row = result.first() ?? undefined;
    return { applied: row?.get('[applied]') === true, row };
  }

  /** The run ledger's levels: QUORUM and SERIAL, or their LOCAL_ forms where the service takes only those (Astra). */
  get ledgerLevels(): { quorum: Consistency; serial: Consistency } {
    const { quorum, serial, localQuorum, localSerial } = cassandra.types.consistencies;
    return this.profile.serial === 'local' ? { quorum: localQuorum, serial: localSerial } : { quorum, serial };
  }

  async close(): Promise<void> {
    // After a node restart the driver's shutdown can wait forever on a pool it was closing when the node
    // went down (seen here: finished copies that never exited). The work is done by now: give it 5 s.
    const gaveUp = new AbortController();
    await Promise.race([this.client.shutdown().finally(() => gaveUp.abort()), sleep(5_000, undefined, { signal: gaveUp.signal }).catch(() => undefined)]);
  }
}

