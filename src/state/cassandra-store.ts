import { join } from 'node:path';
import type { Session } from '../connect/session.js';
import { InputError, LockedError } from '../errors.js';
import type { JobLock, LedgerStore, RunHistory, RunLedger } from './ledger.js';
import type { KeyspaceRunRecord, RunRecord } from './run-record.js';
import { makeFolder } from './make-folder.js';
import { isRunOf, progressOf, type RunProgress } from './run-outcome.js';
import { readRangeRows, SharedRun, workerId } from './shared-run.js';

const TABLES = {
  runs: 'CREATE TABLE IF NOT EXISTS %s.runs (run_id text PRIMARY KEY, job_key text, started_at text, record text)',
  ranges:
    'CREATE TABLE IF NOT EXISTS %s.ranges (run_id text, range text, state text, owner text, lease_until bigint, epoch int, checkpoint text, error text, finished_by text, PRIMARY KEY (run_id, range))',
  locks: 'CREATE TABLE IF NOT EXISTS %s.locks (job_key text PRIMARY KEY, run_id text, owner text, lease_until bigint)',
};

/**
 * The ledger kept in a keyspace of the target cluster (`--state cassandra[:KEYSPACE]`): runs, range claims
 * with leases, results, and the job lock. Every change to a claim or lock is a lightweight transaction
 * conditioned on what the worker last saw, so two workers never both hold a range, and a range has one
 * result. Reports stay in the local folder of each process (`reportRoot/runs/ID`).
 */
export class CassandraStore implements LedgerStore {
  private constructor(
    private readonly session: Session,
    readonly keyspace: string,
    private readonly reportRoot: string,
    private readonly leaseMs: number,
  ) {}

  get where(): string {
    return `keyspace ${this.keyspace} of the target cluster`;
  }

  /** Opens the store, creating its keyspace and tables on first use; `create` false: undefined when there is none. */
  static async open(session: Session, keyspace: string, reportRoot: string, leaseMs: number): Promise<CassandraStore>;
  static async open(session: Session, keyspace: string, reportRoot: string, leaseMs: number, create: false): Promise<CassandraStore | undefined>;
  static async open(session: Session, keyspace: string, reportRoot: string, leaseMs: number, create = true): Promise<CassandraStore | undefined> {
    const existing = await session.read('SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?', [keyspace]);
    const have = new Set(existing.rows.map((r) => r.get('table_name') as string));
    if (Object.keys(TABLES).some((t) => !have.has(t))) {
      if (!create) return undefined;
      if (have.size === 0) await session.changeSchema(`CREATE KEYSPACE IF NOT EXISTS ${keyspace} WITH replication = ${await replicationFor(session)}`);
      for (const [name, cql] of Object.entries(TABLES)) if (!have.has(name)) await session.changeSchema(cql.replace('%s', keyspace));
    }
    return new CassandraStore(session, keyspace, reportRoot, leaseMs);
  }

  /** The ledger's runs, to read (status, ready): no lease or report folder is needed, none is given. */
  static history(session: Session, keyspace: string): Promise<RunHistory | undefined> {
    return CassandraStore.open(session, keyspace, '', 0, false);
  }

  /** Every record of the store, table runs and keyspace runs, oldest first. */
  private async records(): Promise<(RunRecord | KeyspaceRunRecord)[]> {
    const rows = await this.session.read(`SELECT record FROM ${this.keyspace}.runs`, [], { consistency: this.session.ledgerLevels.quorum });
    return rows.rows.map((r) => JSON.parse(r.get('record') as string) as RunRecord | KeyspaceRunRecord).sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  }

  async listRuns(): Promise<RunRecord[]> {
    return (await this.records()).filter((r): r is RunRecord => !('kind' in r));
  }

  async createKeyspaceRun(record: KeyspaceRunRecord): Promise<KeyspaceRunRecord> {
    const existing = await this.insertRecord(record);
    if (!existing) return record;
    if (!('kind' in existing)) throw new InputError(`run ${record.runId} is a table's run, not a keyspace job's: pick another --run-id`);
    checkSameJob(existing, record.jobKey);
    return existing;
  }

  async resumeKeyspaceRun(jobKey: string, runId: string | true): Promise<KeyspaceRunRecord> {
    const keyspaceRuns = (await this.records()).filter((r): r is KeyspaceRunRecord => 'kind' in r);
    const run = runId === true ? keyspaceRuns.filter((r) => r.jobKey === jobKey).at(-1) : keyspaceRuns.find((r) => r.runId === runId);
    if (!run) throw new InputError(runId === true ? `no earlier run of this job in ${this.where} to resume: drop --resume to start one` : `run ${runId} was not found in ${this.where}: list runs with "migrate status --state cassandra:${this.keyspace} --target ..."`);
    checkSameJob(run, jobKey);
    return run;
  }

  /** Records a new run; when the id is taken, returns the record that has it. */
  private async insertRecord(record: RunRecord | KeyspaceRunRecord): Promise<RunRecord | KeyspaceRunRecord | undefined> {
    const { applied, row } = await this.session.conditional(`INSERT INTO ${this.keyspace}.runs (run_id, job_key, started_at, record) VALUES (?, ?, ?, ?) IF NOT EXISTS`, [
      record.runId,
      record.jobKey,
      record.startedAt,
      JSON.stringify(record),
    ]);
    return applied ? undefined : (JSON.parse(row?.get('record') as string) as RunRecord | KeyspaceRunRecord);
  }

  async latestRunOf(jobKey: string): Promise<string> {
    const latest = (await this.listRuns()).filter((r) => r.jobKey === jobKey).at(-1);
    if (!latest) throw new InputError(`no earlier run of this job in ${this.where} to resume: drop --resume to start one`);
    return latest.runId;
  }

  async exists(runId: string): Promise<boolean> {
    return (await this.readRecord(runId)) !== undefined;
  }

  private async readRecord(runId: string): Promise<RunRecord | undefined> {
    const row = (await this.session.read(`SELECT record FROM ${this.keyspace}.runs WHERE run_id = ?`, [runId], { consistency: this.session.ledgerLevels.serial })).first();
    const record = row ? (JSON.parse(row.get('record') as string) as RunRecord | KeyspaceRunRecord) : undefined;
    return record && !('kind' in record) ? record : undefined;
  }

  /** A new run, or the run of that id when another worker created it first: its stamp and range plan win. */
  async create(record: RunRecord): Promise<RunLedger> {
    const existing = await this.insertRecord(record);
    if (!existing) return this.openRun(record, false);
    if ('kind' in existing) throw new InputError(`run ${record.runId} is a keyspace job's run: give --table's runs another --run-id, or run the keyspace job without --table`);
    checkSameJob(existing, record.jobKey);
    return this.openRun(existing, true);
  }

  async resume(jobKey: string, runId: string): Promise<RunLedger> {
    const record = await this.readRecord(runId);
    if (!record) throw new InputError(`run ${runId} was not found in ${this.where}: list runs with "migrate status --state cassandra:${this.keyspace} --target ..."`);
    checkSameJob(record, jobKey);
    return this.openRun(record, true);
  }

  private async openRun(record: RunRecord, joined: boolean): Promise<RunLedger> {
    const dir = join(this.reportRoot, 'runs', record.runId);
    await makeFolder(dir);
    const run = new SharedRun(this.session, this.keyspace, record, dir, joined, this.leaseMs);
    await run.refresh();
    return run;
  }

  /**
   * The job lock, held by a run rather than a process: workers of the same run share it, another run of
   * the job is refused until the lock's lease runs out (its workers are gone). Renewed while this process
   * runs; released when it ends and no other worker of the run holds a live claim.
   */
  async lock(jobKey: string, runId: string): Promise<JobLock> {
    const table = `${this.keyspace}.locks`;
    const take = async (): Promise<void> => {
      const now = Date.now();
      const inserted = await this.session.conditional(`INSERT INTO ${table} (job_key, run_id, owner, lease_until) VALUES (?, ?, ?, ?) IF NOT EXISTS`, [jobKey, runId, workerId, now + this.leaseMs]);
      if (inserted.applied) return;
      const holder = inserted.row;
      const heldBy = holder?.get('run_id') as string;
      const leaseUntil = Number(holder?.get('lease_until') ?? 0);
      if (heldBy === runId) return;
      if (leaseUntil >= now) {
        throw new LockedError(`run ${heldBy} of this job holds its lock in ${this.where} (${jobKey}): wait for it to finish, join it with --run-id ${heldBy}, or check "migrate status ${heldBy} --state cassandra:${this.keyspace}"`);
      }
      const taken = await this.session.conditional(`UPDATE ${table} SET run_id = ?, owner = ?, lease_until = ? WHERE job_key = ? IF run_id = ? AND lease_until = ?`, [
        runId,
        workerId,
        now + this.leaseMs,
        jobKey,
        heldBy,
        holder?.get('lease_until'),
      ]);
      if (!taken.applied && taken.row?.get('run_id') !== runId) throw new LockedError(`another run of this job took its lock in ${this.where} just now (${jobKey}): wait for it to finish`);
    };
    await take();
    const lost = new AbortController();
    const renew = setInterval(() => {
      this.session
        .conditional(`UPDATE ${table} SET lease_until = ? WHERE job_key = ? IF run_id = ?`, [Date.now() + this.leaseMs, jobKey, runId])
        .then(({ applied, row }) => {
          if (applied) return;
          const holder = row?.get('run_id') as string | null | undefined;
          // The lock row is gone (released by a worker of this run that saw nobody else at work): take it again.
          if (holder === undefined || holder === null) return take();
          throw new LockedError(`run ${holder} of this job took its lock in ${this.where} after this run could not renew it: check "migrate status --state cassandra:${this.keyspace}", then rerun`);
        })
        .catch((error: unknown) => {
          // A renewal that could not reach the cluster is tried again; the lock is lost only to another run.
          if (!(error instanceof LockedError)) return;
          clearInterval(renew);
          lost.abort(error);
        });
    }, this.leaseMs / 3);
    renew.unref();
    const release = async () => {
      clearInterval(renew);
      if (lost.signal.aborted) return;
      const ranges = await this.session.read(`SELECT state, owner, lease_until FROM ${this.keyspace}.ranges WHERE run_id = ?`, [runId], { consistency: this.session.ledgerLevels.quorum });
      const now = Date.now();
      const othersAtWork = ranges.rows.some((r) => r.get('state') === 'claimed' && r.get('owner') !== workerId && Number(r.get('lease_until') ?? 0) >= now);
      if (!othersAtWork) await this.session.conditional(`DELETE FROM ${table} WHERE job_key = ? IF run_id = ?`, [jobKey, runId]);
    };
    return { lost: lost.signal, release };
  }

  async progress(runId?: string): Promise<RunProgress[]> {
    const runs = (await this.listRuns()).filter((run) => isRunOf(runId, run));
    return Promise.all(
      runs.map(async (run) => {
        const rows = await readRangeRows(this.session, this.keyspace, run.runId);
        const now = Date.now();
        const checkpoints = rows.flatMap((r) => (r.state === 'done' && r.checkpoint ? [r.checkpoint] : []));
        const failed = rows.filter((r) => r.state === 'failed').map((r) => r.range);
        const liveClaims = rows.filter((r) => r.state === 'claimed' && (r.leaseUntil ?? 0) >= now).map((r) => r.owner ?? '');
        return progressOf(run, checkpoints, { failed, liveClaims });
      }),
    );
  }
}
function checkSameJob(record: Pick<RunRecord, 'runId' | 'jobKey'>, jobKey: string): void {
  if (record.jobKey !== jobKey) throw new InputError(`run ${record.runId} is a different job (${record.jobKey}): join or resume it with the same command, clusters and table`);
}

/** The ledger's keyspace: three replicas in each of the target's data centers, or as many nodes as one has. */
async function replicationFor(session: Session): Promise<string> {
  const local = await session.read('SELECT data_center FROM system.local');
  const peers = await session.read('SELECT data_center FROM system.peers');
  const nodes = new Map<string, number>();
  for (const row of [...local.rows, ...peers.rows]) {
    const dc = row.get('data_center') as string;
    nodes.set(dc, (nodes.get(dc) ?? 0) + 1);
  }
  return `{'class': 'NetworkTopologyStrategy', ${[...nodes].map(([dc, n]) => `'${dc}': ${Math.min(3, n)}`).join(', ')}}`;
}

