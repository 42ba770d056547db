import type { Session } from '../connect/session.js';
import type { TokenRange } from '../ring/token-range.js';
import { tokenBytes, tokenSpaceOf } from '../ring/token-space.js';
import { rangeQuery, type RawRow, rawRowSlices, type ReadPlan } from './select.js';

export interface RangeReadOptions {
  keyspace: string;
  pageSize: number;
  /** Rows handed out at a time (default: the whole page): a page is parsed a slice at a time. */
  sliceRows?: number;
  /** Whether the next page is requested while the current one is worked on (default true). */
  prefetch?: boolean;
  /**
   * Whether a page's memory is released as soon as the slice after its last is asked for (default false):
   * only for a reader that keeps no cell of a slice once it asks for the next (raw-cells.ts, rawRowSlices).
   */
  releaseSpent?: boolean;
  signal?: AbortSignal | undefined;
}

/**
 * The rows of one token range, a page (or a slice of one) at a time. The next page is requested as soon as
 * the current one is handed out, so network and work overlap while at most two pages are held; without
 * `prefetch`, once the current one is used up (a reader that reads another range meanwhile overlaps anyway).
 */
export async function* readRange(session: Session, plan: ReadPlan, range: TokenRange, options: RangeReadOptions): AsyncGenerator<RawRow[]> {
  const query = rangeQuery(plan);
  const space = tokenSpaceOf(session.partitioner);
  const params = [tokenBytes(space, range.start), tokenBytes(space, range.end)];
  const fetchPage = (state?: string) => {
    const page = session.readPage(query, params, { size: options.pageSize, state, keyspace: options.keyspace, endToken: range.end });
    page.catch(() => undefined); // awaited below; an abandoned prefetch must not be an unhandled rejection
    return page;
  };
  const prefetch = options.prefetch ?? true;
  let pending = fetchPage();
  for (;;) {
    options.signal?.throwIfAborted();
    const result = await pending;
    const state = result.pageState ?? undefined;
    if (state && prefetch) pending = fetchPage(state);
    yield* rawRowSlices(result, options.sliceRows ?? result.rows.length, options.releaseSpent);
    if (!state) return;
    if (!prefetch) pending = fetchPage(state);
  }
}
