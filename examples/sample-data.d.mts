import type cassandra from 'cassandra-driver';
export function prng(seed: number): () => number;
export function splitCql(text: string): string[];
export function createSampleSchema(client: cassandra.Client, keyspace?: string, replicationFactor?: number, options?: { vectors?: boolean }): Promise<void>;
export function sampleCounts(scale?: number): { orderPartitions: number; orders: number; staticOnlyPartitions: number; profiles: number; pageViews: number; users: number; audit: number };
export function loadSampleData(client: cassandra.Client, options?: { keyspace?: string; scale?: number; baseMicros?: bigint; vectors?: boolean }): Promise<number>;
