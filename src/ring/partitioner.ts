import { createRequire } from 'node:module';
import { InputError } from '../errors.js';

/**
 * Which partitioner a cluster hashes keys with, what that lets a job do, and whether the cluster really
 * hashes as it claims (managed services may claim Murmur3 and hash otherwise). Pure.
 */
export type PartitionerKind = 'murmur3' | 'random' | 'other';

export function partitionerKind(className: string): PartitionerKind {
  if (className.endsWith('Murmur3Partitioner')) return 'murmur3';
  if (className.endsWith('.RandomPartitioner') || className === 'RandomPartitioner') return 'random';
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

/**
 * What a job may do: the source's ring is split into Murmur3 token ranges, so the source must be Murmur3;
 * validate reads both sides by those ranges, so the target must hash keys the same way (claimed and seen).
 * Copy writes by key and works into any target.
 */
export function checkPartitioners(command: 'copy' | 'validate', source: ClusterHashing, target: ClusterHashing): void {
  const name = (c: ClusterHashing) => c.partitioner.split('.').at(-1) as string;
  if (partitionerKind(source.partitioner) !== 'murmur3') {
    throw new InputError(`the source cluster uses ${name(source)}: migrate splits only Murmur3Partitioner rings so far (RandomPartitioner and byte-ordered sources are not supported yet)`);
  }
  if (command !== 'validate') return;
  if (partitionerKind(target.partitioner) !== 'murmur3') {
    throw new InputError(
      `the target cluster uses ${name(target)} and the source Murmur3Partitioner: validate compares both clusters token range by token range, which needs them to hash keys alike (rows only the target holds would never be seen); comparing across partitioners is not supported yet, copy is`,
    );
  }
  if (!hashesAsClaimed(target)) {
    throw new InputError(
      `the target cluster names ${name(target)} but hashes keys otherwise (the token it gave a sample row is not ${name(target)}'s), as some managed services do: validate compares token range by token range and would miss rows there; comparing across partitioners is not supported yet, copy is`,
    );
  }
}
