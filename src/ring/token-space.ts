import { InputError } from '../errors.js';
import { bigintBytes } from '../read/serialized.js';

/**
 * The tokens a partitioner gives keys: Murmur3's signed 64-bit hash, (-2^63, 2^63-1]; RandomPartitioner's
 * MD5, whose tokens run from 0 to 2^127 with -1 as the minimum below them. A range is (start, end], so the
 * whole ring is (min, max]. Pure.
 */
export interface TokenSpace {
  kind: 'murmur3' | 'random';
  min: bigint;
  max: bigint;
  /** The class system.local names. */
  partitioner: string;
}

export const MURMUR3: TokenSpace = { kind: 'murmur3', min: -(1n << 63n), max: (1n << 63n) - 1n, partitioner: 'Murmur3Partitioner' };
export const RANDOM: TokenSpace = { kind: 'random', min: -1n, max: 1n << 127n, partitioner: 'RandomPartitioner' };

/** The token space of the partitioner a cluster names; ByteOrdered and others are refused with the reason. */
export function tokenSpaceOf(partitionerClass: string, side: 'source' | 'target' = 'source'): TokenSpace {
  const name = partitionerClass.split('.').at(-1) ?? partitionerClass;
  if (name === 'Murmur3Partitioner') return MURMUR3;
  // Amazon Keyspaces' default partitioner gives RandomPartitioner's tokens (its documentation says so).
  if (name === 'RandomPartitioner' || partitionerClass === 'com.amazonaws.cassandra.DefaultPartitioner') return RANDOM;
  throw new InputError(
    `the ${side} cluster uses ${name || 'an unnamed partitioner'}: migrate splits Murmur3Partitioner and RandomPartitioner rings only (an order-preserving partitioner's tokens are the keys themselves, with no even split)`,
  );
}

/** A token as a bound value of `token(pk) > ?`: a bigint for Murmur3, a varint for Random. */
export function tokenBytes(space: TokenSpace, token: bigint): Buffer {
  return space.kind === 'murmur3' ? bigintBytes(token) : varintBytes(token);
}

/** Two's complement, big-endian, in the fewest bytes that keep the sign (CQL's varint). */
export function varintBytes(value: bigint): Buffer {
  let hex = (value < 0n ? (1n << BigInt(byteLength(value) * 8)) + value : value).toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  const bytes = Buffer.from(hex, 'hex');
  return bytes.length < byteLength(value) ? Buffer.concat([Buffer.alloc(byteLength(value) - bytes.length, value < 0n ? 0xff : 0), bytes]) : bytes;
}

function byteLength(value: bigint): number {
  // Bits of the magnitude, plus one for the sign.
  const magnitude = value < 0n ? -value - 1n : value;
  return Math.floor(magnitude.toString(2).length / 8) + 1;
}
