import { availableParallelism } from 'node:os';
import type { Session } from '../connect/session.js';
import { ringRanges, splitRing, type TokenRange } from './token-range.js';
import { tokenSpaceOf } from './token-space.js';

/**
 * The tokens of every node of the source ring, from one node's system.local and system.peers (both read on
 * that same node: another coordinator would answer with its own view).
 */
export async function readRingTokens(session: Session): Promise<{ tokens: bigint[]; nodes: number }> {
  const tokens: bigint[] = [];
  let nodes = 0;
  for (const table of ['system.local', 'system.peers']) {
    const result = await session.readOnOneNode(`SELECT tokens FROM ${table}`);
    for (const row of result.rows) {
      nodes++;
      for (const token of (row.get('tokens') as string[] | null) ?? []) tokens.push(BigInt(token));
    }
  }
  return { tokens, nodes };
}

/** Partitions the local node estimates for the table, times the number of nodes: a rough table size. */
async function estimatePartitions(session: Session, keyspace: string, table: string, nodes: number): Promise<number> {
  const result = await session.read('SELECT partitions_count FROM system.size_estimates WHERE keyspace_name = ? AND table_name = ?', [keyspace, table]);
  const local = result.rows.reduce((sum, row) => sum + Number(row.get('partitions_count') ?? 0), 0);
  return local * nodes;
}

const PARTITIONS_PER_UNIT = 20_000;
const MAX_UNITS = 100_000;

/** Work units per shard process when sharding without --splits. */
const UNITS_PER_SHARD = 256;

/**
 * The work units of a run: the ring's ranges split so that there are at least 8 per core, never fewer than
 * the ring's ranges, and about PARTITIONS_PER_UNIT partitions each when size estimates say the table is big.
 * Shards of one job must split the ring alike on any machine at any time, so with `shards` the split
 * depends on the ring and the shard count only (cores and size estimates vary).
 */
export async function planRanges(session: Session, keyspace: string, table: string, splits: number | undefined, shards?: number): Promise<TokenRange[]> {
  const { tokens, nodes } = await readRingTokens(session);
  const ring = ringRanges(tokens, tokenSpaceOf(session.partitioner));
  if (splits !== undefined) return splitRing(ring, splits);
  if (shards !== undefined) return splitRing(ring, shards * UNITS_PER_SHARD);
  const estimate = await estimatePartitions(session, keyspace, table, nodes).catch(() => 0);
  const target = Math.min(MAX_UNITS, Math.max(8 * availableParallelism(), ring.length, Math.ceil(estimate / PARTITIONS_PER_UNIT)));
  return splitRing(ring, target);
}
