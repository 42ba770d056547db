import type { Statement } from '../connect/session.js';

/**
 * Cassandra refuses single-partition batches only above batch_size_fail_threshold (50 KiB by default), and
 * warns of none (CASSANDRA-10876): stay well below it.
 */
const MAX_BATCH_BYTES = 24 * 1024;
export const MAX_BATCH_STATEMENTS = 64;

/**
 * What a batch spanning several partitions may hold without a warning in the target's log: Cassandra logs
 * (and returns to the client) one WARN per such batch above batch_size_warn_threshold, and one above
 * unlogged_batch_across_partitions_warn_threshold partitions (connect/batch-thresholds.ts reads both).
 */
export interface SharedBatchLimits {
  /** Bytes as Cassandra counts them (the mutations' dataSize), batch_size_warn_threshold. */
  bytes: number;
  partitions: number;
}

/**
 * How a page's partitions are sent: each chain's batches one after another (a partition's batches stay in
 * order), the chains concurrently. Without limits, one chain per partition. With them, partitions small
 * enough for one batch share batches, fewer requests for the same rows (a page is one token slice, so its
 * partitions mostly share replicas); a larger partition keeps a chain of its own.
 */
export function planBatches(partitions: readonly Statement[][], maxStatements: number, shared?: SharedBatchLimits): Statement[][][] {
  if (shared === undefined) return partitions.map((statements) => [...batches(statements, maxStatements)]);
  // A warning threshold raised past ours still leaves a shared batch under the fail threshold.
  const limit = Math.min(shared.bytes, MAX_BATCH_BYTES);
  const chains: Statement[][][] = [];
  let group: Statement[] = [];
  let bytes = 0;
  let count = 0;
  for (const statements of partitions) {
    if (statements.length === 0) continue;
    const size = statements.reduce((sum, statement) => sum + dataSizeBound(statement), 0);
    if (statements.length > maxStatements || size > limit) {
      chains.push([...batches(statements, maxStatements)]);
      continue;
    }
    if (count > 0 && (count >= shared.partitions || bytes + size > limit || group.length + statements.length > maxStatements)) {
      chains.push([group]);
      group = [];
      bytes = 0;
      count = 0;
    }
    group.push(...statements);
    bytes += size;
    count++;
  }
  if (count > 0) chains.push([group]);
  return chains;
}

/** One partition's statements as batches, in order, within the statement cap and MAX_BATCH_BYTES of bound values. */
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

/**
 * A cell's timestamp, TTL and local deletion time as Cassandra counts them in dataSize (Cell.dataSize: 16),
 * and the 2-byte path of a non-frozen UDT's field, which is bound as a value of its own.
 */
const CELL_OVERHEAD = 18;
/** A non-frozen collection element costs a cell of its own and its path (a list's 16-byte timeuuid, at most). */
const ELEMENT_OVERHEAD = CELL_OVERHEAD + 16;

/**
 * At least what Cassandra's dataSize makes of a statement, read from its bound values without their types.
 * Each value counts as one cell. A value that could be a serialized collection (a count, then at least 4
 * bytes per element) counts as that many cells besides: elements cost their own cell and path, while the
 * serialized form spends 4 bytes on each. Row overheads (liveness, deletion) are covered by the key, stamp
 * and TTL values, which count as cells without being ones. Only a bound: it only ever splits batches earlier.
 * The copy binds bytes only; anything else counts as 8 bytes.
 */
export function dataSizeBound(statement: Statement): number {
  let size = 0;
  for (const param of statement.params) {
    if (!(param instanceof Uint8Array)) {
      size += 8 + CELL_OVERHEAD;
      continue;
    }
    size += param.length + CELL_OVERHEAD;
    if (param.length >= 4) {
      const count = ((param[0] as number) << 24) | ((param[1] as number) << 16) | ((param[2] as number) << 8) | (param[3] as number);
      if (count > 0 && 4 + 4 * count <= param.length) size += count * (ELEMENT_OVERHEAD - 4);
    }
  }
  return size;
}
