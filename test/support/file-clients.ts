import type cassandra from 'cassandra-driver';
import { afterAll, beforeAll } from 'vitest';
import { testClient } from './clusters.js';

// Apart from clusters.ts, which the global setup imports, where vitest's hooks cannot be loaded.
/** Plain clients for both test clusters, opened before a file's tests and closed after them. */
export function clientsForFile(): { source: () => cassandra.Client; target: () => cassandra.Client } {
  const clients: Partial<Record<'source' | 'target', cassandra.Client>> = {};
  beforeAll(async () => {
    clients.source = await testClient('source');
    clients.target = await testClient('target');
  });
  afterAll(async () => {
    await clients.source?.shutdown();
    await clients.target?.shutdown();
  });
  const get = (side: 'source' | 'target') => () => {
    const client = clients[side];
    if (!client) throw new Error(`the ${side} test client is not open yet: use it inside a test or hook`);
    return client;
  };
  return { source: get('source'), target: get('target') };
}
