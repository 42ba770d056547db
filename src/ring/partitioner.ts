import { createRequire } from 'node:module';
import { tokenSpaceOf } from './token-space.js';

/**
 * Which partitioner a cluster hashes keys with, what that lets a job do, and whether the cluster really
 * hashes as it claims (managed services may claim Murmur3 and hash otherwise). Pure.
 */
export type PartitionerKind = 'murmur3' | 'random' | 'other';

export function partitionerKind(className: string): PartitionerKind {
  if (className.endsWith('Murmur3Partitioner')) return 'murmur3';
  // Amazon Keyspaces' default partitioner gives RandomPartitioner's tokens (its documentation says so).
  if (className.endsWith('.RandomPartitioner') || className === 'RandomPartitioner' || className === 'com.amazonaws.cassandra.DefaultPartitioner') return 'random';
  return 'other';
}

// The driver's own tokenizers (routing depends on them): Cassandra's Murmur3 variant and MD5 for Random.
// They are internal to cassandra-driver, pinned by the lockfile; the unit test holds them to token values
// read from Cassandra 5.0.9, so an upgrade that changed them would fail it.
const { Murmur3Tokenizer, RandomTokenizer } = createRequire(import.meta.url)('cassandra-driver/lib/tokenizer.js') as {
  Murmur3Tokenizer: new () => { hash(key: Buffer): { toString(): string } };
  RandomTokenizer: new () => { hash(key: Buffer): { toString(): string } };
};
const tokenizers = { murmur3: new Murmur3Tokenizer(), random: new RandomTokenizer() };

/** The token of a partition key (its columns' serialized values), as Cassandra computes it. */
export function tokenOf(kind: 'murmur3' | 'random', partitionKey: readonly Buffer[]): bigint {
  return BigInt(tokenizers[kind].hash(routingKey(partitionKey)).toString());
}

/** One column's value, or several as Cassandra's composite: each as a 2-byte length, the bytes, and a 0. */
function routingKey(parts: readonly Buffer[]): Buffer {
  if (parts.length === 1) return parts[0] as Buffer;
  return Buffer.concat(
    parts.flatMap((part) => {
      const length = Buffer.alloc(2);
      length.writeUInt16BE(part.length, 0);
      return [length, part, Buffer.from([0])];
    }),
  );
}

/** A token as the server serializes it (bigint for Murmur3, varint for Random): signed, big-endian. */
export function tokenFromBytes(bytes: Buffer): bigint {
  if (bytes.length === 0) return 0n;
  let value = BigInt(`0x${bytes.toString('hex')}`);
  if ((bytes[0] as number) & 0x80) value -= 1n << BigInt(bytes.length * 8);
  return value;
}

export interface ClusterHashing {
  /** The partitioner class the cluster names in system.local. */
  partitioner: string;
  /** A key of the table and the token the server gave it, when the table holds a row to ask about. */
  sample?: { partitionKey: Buffer[]; token: bigint } | undefined;
}

/** Whether the server's token for the sample key is the one its claimed partitioner gives; true without a sample. */
export function hashesAsClaimed(cluster: ClusterHashing): boolean {
  const kind = partitionerKind(cluster.partitioner);
  if (!cluster.sample || kind === 'other') return true;
  return tokenOf(kind, cluster.sample.partitionKey) === cluster.sample.token;
}

/** How validate reads the target: by the source's token ranges, or filed by source range (target-buckets.ts). */
export type Comparison = 'aligned' | 'across';

/**
 * The source's ring is split in its partitioner's token space (Murmur3 or Random; InputError otherwise).
 * Validate reads the target by the same ranges when it hashes keys as the source does, claimed and seen
 * (its token for a sample row); otherwise across partitioners, which reads the target whole by its own
 * ranges, so its ring must be one we can split too. Copy writes by key and works into any target.
 */
export function comparisonOf(command: 'copy' | 'validate', source: ClusterHashing, target: ClusterHashing): Comparison {
  const space = tokenSpaceOf(source.partitioner, 'source');
  if (command !== 'validate') return 'aligned';
  if (partitionerKind(target.partitioner) === space.kind && hashesAsClaimed(target)) return 'aligned';
  tokenSpaceOf(target.partitioner, 'target');
  return 'across';
}
