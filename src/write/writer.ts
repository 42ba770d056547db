import type pLimit from 'p-limit';
import type { Session, Statement } from '../connect/session.js';
import { readBigint, splitCollection } from '../read/serialized.js';
import { rawRowsOf } from '../read/select.js';
import type { Mutation } from './mutations.js';
import { MAX_BATCH_STATEMENTS, planBatches, type SharedBatchLimits } from './batch-plan.js';

export interface WriterOptions {
  /** Caps the requests in flight to the target across all range workers. */
  inFlight: ReturnType<typeof pLimit>;
  /** Statements that may not be repeated (counter increments) are retried only when surely not applied. */
  idempotent: boolean;
  /** Where small partitions may share a batch: the target's thresholds (batch-plan.ts). Unset: a batch per partition. */
  shared?: SharedBatchLimits | undefined;
  /** The run's notes: the first warning the target sends back with a write goes there (one is enough to look into; they repeat). */
  notes: Set<string>;
}

/** Writes partitions to the target as UNLOGGED batches. */
export class PartitionWriter {
  /** Statements per batch: ours, or fewer where the service caps batches (Keyspaces). */
  private readonly maxStatements: number;
  private warned = false;

  constructor(
    private readonly session: Session,
    private readonly options: WriterOptions,
  ) {
    this.maxStatements = Math.min(MAX_BATCH_STATEMENTS, session.profile.maxBatchStatements ?? MAX_BATCH_STATEMENTS);
  }

  /**
   * Writes all partitions of a page concurrently, within the in-flight cap: their list guards read first,
   * then their batches as batch-plan.ts plans them. When one fails, the others are still waited for, so
   * that no write of a failed range goes on after the range (or the run) has ended.
   */
  async writePartitions(partitions: Mutation[][]): Promise<void> {
    const guarded = await Promise.allSettled(partitions.map((mutations) => this.dropGuardedLists(mutations)));
    throwFirstFailure(guarded);
    const kept = guarded.map((r) => (r as PromiseFulfilledResult<Mutation[]>).value);
    const chains = planBatches(kept, this.maxStatements, this.options.shared);
    throwFirstFailure(await Promise.allSettled(chains.map((chain) => this.writeChain(chain))));
  }

  private async writeChain(chain: Statement[][]): Promise<void> {
    for (const batch of chain) {
      const warnings = await this.options.inFlight(() => this.session.writeBatch(batch, { isIdempotent: this.options.idempotent }));
      if (warnings.length > 0 && !this.warned) {
        this.warned = true;
        this.options.notes.add(`the target warned of a write (the first such warning; look in its log for the others): ${warnings[0]}`);
      }
    }
  }

  /**
   * A list in the target holding an element at one of the stamps we would write is ours from an earlier
   * run of this range: writing it again would duplicate its elements, so its statements are dropped.
   */
  private async dropGuardedLists(mutations: Mutation[]): Promise<Mutation[]> {
    const guards = [...new Set(mutations.flatMap((m) => (m.listGuard ? [m.listGuard] : [])))];
    if (guards.length === 0) return mutations;
    const tripped = new Set<NonNullable<Mutation['listGuard']>>();
    await Promise.all(
      guards.map(async (guard) => {
        const result = await this.options.inFlight(() => this.session.read(guard.query, guard.params));
        for (const [stamps] of rawRowsOf(result)) {
          if (stamps && splitCollection(stamps).some((s) => s !== null && guard.stamps.has(readBigint(s)))) tripped.add(guard);
        }
      }),
    );
    return mutations.filter((m) => !m.listGuard || !tripped.has(m.listGuard));
  }
}

function throwFirstFailure(results: PromiseSettledResult<unknown>[]): void {
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
}
