import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Session } from '../connect/session.js';
import { logEvent } from '../report/log.js';
import { planClaims, type RangeRow } from './claims.js';
import type { RunLedger } from './ledger.js';
import type { RangeCheckpoint, RunRecord } from './run-record.js';

/** This process, as it appears in claims and locks: its machine, pid and a nonce (a pid is reused). */
export const workerId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;


export interface LedgerRangeRow extends RangeRow {
  checkpoint: RangeCheckpoint | undefined;
  error: string | null;
  finishedBy: string | null;
}

export async function readRangeRows(session: Session, keyspace: string, runId: string): Promise<LedgerRangeRow[]> {
  const result = await session.read(`SELECT range, state, owner, lease_until, epoch, checkpoint, error, finished_by FROM ${keyspace}.ranges WHERE run_id = ?`, [runId], { consistency: session.ledgerLevels.quorum, fetchSize: 10_000 });
  const rows: LedgerRangeRow[] = [];
  for await (const r of result) {
    rows.push({
      range: r.get('range') as string,
      state: r.get('state') as RangeRow['state'],
      owner: (r.get('owner') as string | null) ?? null,
      leaseUntil: r.get('lease_until') === null ? null : Number(r.get('lease_until')),
      epoch: Number(r.get('epoch') ?? 0),
      checkpoint: r.get('checkpoint') ? (JSON.parse(r.get('checkpoint') as string) as RangeCheckpoint) : undefined,
      error: (r.get('error') as string | null) ?? null,
      finishedBy: (r.get('finished_by') as string | null) ?? null,
    });
  }
  return rows;
}

/** One shared run as this worker sees it: claims it holds (renewed), and what it last read of the others'. */
export class SharedRun implements RunLedger {
  readonly done = new Map<string, RangeCheckpoint>();
  private rows = new Map<string, RangeRow>();
  /** Ranges this worker holds, with the epoch of its claim. */
  private readonly held = new Map<string, number>();
  private readonly failedHere = new Set<string>();
  private queue: { range: string; row: RangeRow | undefined }[] = [];
  private claiming: Promise<unknown> = Promise.resolve();
  private readonly renewal: NodeJS.Timeout;

  constructor(
    private readonly session: Session,
    private readonly keyspace: string,
    readonly record: RunRecord,
    readonly dir: string,
    readonly resumed: boolean,
    private readonly leaseMs: number,
  ) {
    this.renewal = setInterval(() => void this.renew(), leaseMs / 3);
    this.renewal.unref();
  }

  private get table(): string {
    return `${this.keyspace}.ranges`;
  }

  async refresh(): Promise<{ failed: Map<string, string> }> {
    const rows = await readRangeRows(this.session, this.keyspace, this.record.runId);
    const failed = new Map<string, string>();
    this.rows = new Map(rows.map((r) => [r.range, r]));
    for (const row of rows) {
      if (row.state === 'done' && row.checkpoint) this.done.set(row.range, row.checkpoint);
      if (row.state === 'failed') failed.set(row.range, row.error ?? 'failed');
    }
    return { failed };
  }

  /** Claims one at a time (the pool's workers share this worker's view), waiting while others hold ranges. */
  next(candidates: readonly string[], signal: AbortSignal): Promise<string | undefined> {
    const claimed = this.claiming.then(() => this.claimNext(candidates, signal));
    this.claiming = claimed.catch(() => undefined);
    return claimed;
  }

  private async claimNext(candidates: readonly string[], signal: AbortSignal): Promise<string | undefined> {
    while (!signal.aborted) {
      for (let next = this.queue.shift(); next; next = this.queue.shift()) {
        if (await this.claim(next.range, next.row)) return next.range;
      }
      await this.refresh();
      const plan = planClaims(candidates, this.rows, workerId, Date.now(), this.failedHere);
      // Each worker takes the ranges left in its own order, so that workers seldom race for one range.
      this.queue = shuffle(plan.claimable);
      if (this.queue.length > 0) continue;
      if (plan.heldByOthers === 0) return undefined;
      await sleep(Math.min(2_000, this.leaseMs / 4), undefined, { signal }).catch(() => undefined);
    }
    return undefined;
  }

  private async claim(range: string, row: RangeRow | undefined): Promise<boolean> {
    const epoch = (row?.epoch ?? 0) + 1;
    const leaseUntil = Date.now() + this.leaseMs;
    const { applied, row: current } = row
      ? await this.session.conditional(`UPDATE ${this.table} SET state = 'claimed', owner = ?, lease_until = ?, epoch = ? WHERE run_id = ? AND range = ? IF epoch = ? AND state = ?`, [
          workerId,
          leaseUntil,
          epoch,
          this.record.runId,
          range,
          row.epoch,
          row.state,
        ])
      : await this.session.conditional(`INSERT INTO ${this.table} (run_id, range, state, owner, lease_until, epoch) VALUES (?, ?, 'claimed', ?, ?, ?) IF NOT EXISTS`, [
          this.record.runId,
          range,
          workerId,
          leaseUntil,
          epoch,
        ]);
    // Not applied but ours: a retried request whose first attempt went through.
    if (applied || (current?.get('owner') === workerId && current.get('epoch') === epoch)) {
      this.held.set(range, epoch);
      return true;
    }
    return false;
  }

  /** Sets the range's row as this worker's claim last left it, or reports that the claim was lost. */
  private async update(range: string, assignments: string, params: unknown[]): Promise<boolean> {
    const epoch = this.held.get(range);
    this.held.delete(range);
    if (epoch === undefined) return false;
    const { applied } = await this.session.conditional(`UPDATE ${this.table} SET ${assignments} WHERE run_id = ? AND range = ? IF owner = ? AND epoch = ?`, [
      ...params,
      this.record.runId,
      range,
      workerId,
      epoch,
    ]);
    return applied;
  }

  async recordDone(checkpoint: RangeCheckpoint): Promise<boolean> {
    const recorded = await this.update(checkpoint.range, "state = 'done', checkpoint = ?, finished_by = ?, lease_until = null", [JSON.stringify(checkpoint), workerId]);
    if (recorded) this.done.set(checkpoint.range, checkpoint);
    else {
      logEvent('lease-lost', { runId: this.record.runId, range: checkpoint.range }, `migrate: range ${checkpoint.range} was taken over by another worker after this one's lease ran out; the other worker's result stands`);
    }
    return recorded;
  }

  async recordFailed(range: string, error: string): Promise<void> {
    this.failedHere.add(range);
    await this.update(range, "state = 'failed', error = ?, lease_until = null", [error]);
  }

  private async renew(): Promise<void> {
    await Promise.all(
      [...this.held].map(async ([range, epoch]) => {
        const { applied } = await this.session
          .conditional(`UPDATE ${this.table} SET lease_until = ? WHERE run_id = ? AND range = ? IF owner = ? AND epoch = ?`, [Date.now() + this.leaseMs, this.record.runId, range, workerId, epoch])
          .catch(() => ({ applied: true }));
        if (!applied) this.held.delete(range);
      }),
    );
  }

  async close(): Promise<void> {
    clearInterval(this.renewal);
  }
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}
