import { createRequire } from 'node:module';

/**
 * The prepared ids of a batch's statements, found without an `await` per statement once every statement is
 * prepared.
 *
 * Why: for each statement of a batch the driver's PrepareHandler.getPreparedMultiple awaits getPrepared(),
 * whose cache key is the keyspace and the query text concatenated: a new string per statement, hashed
 * whole (the copy's statement texts are a few hundred characters), then a promise and a microtask. That
 * was a tenth of the copy's garbage. Our statement texts are the same string objects row after row (made
 * once per column), so a Map keyed by them hashes each text once, ever.
 *
 * How: the driver's own prepared info objects are remembered per client and keyspace once they hold a
 * query id, and read at each use (the driver updates them in place when it prepares a statement again). A
 * batch with a statement not known yet, or with named parameters, goes through the driver as before.
 */

interface PreparedInfo {
  queryId?: Buffer;
  meta?: unknown;
}

interface BatchQuery {
  query?: unknown;
  params?: unknown;
}

interface Client {
  metadata: { getPreparedInfo(keyspace: string | undefined, query: string): PreparedInfo };
}

type GetPreparedMultiple = (client: Client, loadBalancing: unknown, queries: BatchQuery[], keyspace: string | undefined) => Promise<unknown[]>;

let installed = false;

export function installPreparedLookup(): void {
  if (installed) return;
  const require = createRequire(import.meta.url);
  const handler = require('cassandra-driver/lib/prepare-handler.js') as { getPreparedMultiple: GetPreparedMultiple };
  const getPreparedMultiple = handler.getPreparedMultiple;
  const known = new WeakMap<Client, Map<string | undefined, Map<string, PreparedInfo>>>();
  handler.getPreparedMultiple = async function (client, loadBalancing, queries, keyspace) {
    let byKeyspace = known.get(client);
    if (byKeyspace === undefined) known.set(client, (byKeyspace = new Map()));
    let byQuery = byKeyspace.get(keyspace);
    if (byQuery === undefined) byKeyspace.set(keyspace, (byQuery = new Map()));
    const items = fromKnown(byQuery, queries);
    if (items !== undefined) return items;
    const prepared = await getPreparedMultiple.call(this, client, loadBalancing, queries, keyspace);
    for (const { query } of queries) {
      if (typeof query !== 'string' || byQuery.has(query)) continue;
      const info = client.metadata.getPreparedInfo(keyspace, query);
      if (info.queryId) byQuery.set(query, info);
    }
    return prepared;
  };
  installed = true;
}

/** The driver's batch items (query, params, query id, metadata), or undefined when one is not known prepared. */
function fromKnown(byQuery: Map<string, PreparedInfo>, queries: BatchQuery[]): unknown[] | undefined {
  const items = new Array<unknown>(queries.length);
  for (let i = 0; i < queries.length; i++) {
    const { query, params } = queries[i] as BatchQuery;
    if (typeof query !== 'string' || !(params === undefined || Array.isArray(params))) return undefined;
    const info = byQuery.get(query);
    if (!info?.queryId) return undefined;
    items[i] = { query, params, queryId: info.queryId, meta: info.meta };
  }
  return items;
}
