import type pLimit from 'p-limit';
import type { Session, Statement } from '../connect/session.js';
import { readBigint, splitCollection } from '../read/serialized.js';
import { rawRowsOf } from '../read/select.js';
import type { Mutation } from './mutations.js';

/** Cassandra refuses batches above batch_size_fail_threshold (50 KiB by default); stay well below it. */
const MAX_BATCH_BYTES = 24 * 1024;
const MAX_BATCH_STATEMENTS = 64;

export interface WriterOptions {
  /** Caps the requests in flight to the target across all range workers. */
  inFlight: ReturnType<typeof pLimit>;
  /** Statements that may not be repeated (counter increments) are retried only when surely not applied. */
  idempotent: boolean;
}

/** Writes partitions to the target: each partition's statements as UNLOGGED batches. */
export class PartitionWriter {
  /** Statements per batch: ours, or fewer where the service caps batches (Keyspaces). */
  private readonly maxStatements: number;

  constructor(
    private readonly session: Session,
    private readonly options: WriterOptions,
  ) {
    this.maxStatements = Math.min(MAX_BATCH_STATEMENTS, session.profile.maxBatchStatements ?? MAX_BATCH_STATEMENTS);
  }

  /**
   * Writes all partitions of a page concurrently, within the in-flight cap. When one fails, the others are
   * still waited for, so that no write of a failed range goes on after the range (or the run) has ended.
   */
  async writePartitions(partitions: Mutation[][]): Promise<void> {
    const results = await Promise.allSettled(partitions.map((mutations) => this.writePartition(mutations)));
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;
  }

  private async writePartition(mutations: Mutation[]): Promise<void> {
    const kept = await this.dropGuardedLists(mutations);
    for (const batch of batches(kept, this.maxStatements)) {
      await this.options.inFlight(() => this.session.writeBatch(batch, { isIdempotent: this.options.idempotent }));
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

function* batches(statements: Statement[], maxStatements: number): Generator<Statement[]> {
  let batch: Statement[] = [];
  let bytes = 0;
  for (const statement of statements) {
    let size = 0;
    for (const param of statement.params) size += param instanceof Uint8Array ? param.length : 8;
    if (batch.length > 0 && (bytes + size > MAX_BATCH_BYTES || batch.length >= maxStatements)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(statement);
    bytes += size;
  }
  if (batch.length > 0) yield batch;
}
