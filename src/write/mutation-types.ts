import type { Statement } from '../connect/session.js';
import type { Element } from '../diff/cell-elements.js';
import type { CellSlot, RawRow } from '../read/select.js';
import { noItems } from '../read/serialized.js';

/** How the copy stamps what it writes (DESIGN.md, "The one rule that makes live migration safe"). */
export interface WriteMode {
  /** Keep each cell's source writetime, or write every cell at `stamp`. */
  writetime: 'preserve' | 'stamp';
  /** The job-start stamp (skew margin included) or the explicit one; also the fallback in preserve mode. */
  stamp: bigint;
  ttl: 'preserve' | 'none';
  /**
   * Check the target before writing a non-frozen list: needed when an earlier run of the job may have
   * written it already (a rerun or resume), since rewriting a list at the same timestamp duplicates it.
   */
  guardLists: boolean;
  /**
   * Preserve mode: when the proxy went live (a hint: a row whose list holds elements written since has its
   * target list read before it is written). Null: no proxy, every element is copied without a look.
   * Undefined: unknown, so every row's lists are checked. Job-start mode uses its stamp as that boundary.
   */
  liveSince: bigint | null | undefined;
  /** How a checked list removes what the target holds and the source does not (list-repair.ts); by value unless set. */
  listRemoval?: 'by-value' | 'whole-list';
}

/**
 * Whether a collection of the row is written whole at the job-start stamp with no TTL: job-start mode, and
 * no element TTL to keep (--ttl none, a slot without TTLs, or none of its elements expiring).
 */
export function wholeAtStamp(mode: WriteMode, slot: CellSlot, row: RawRow): boolean {
  return mode.writetime !== 'preserve' && (mode.ttl === 'none' || slot.ttl === null || noItems(row[slot.ttl]));
}

/** The target's elements of a row's non-frozen lists, by source slot: read for rows needsListCheck() names. */
export type TargetLists = ReadonlyMap<CellSlot, Element[]>;

/** What the copy learned from the target's lists. */
export interface ListTally {
  /** Source list elements not written because the target holds them (the proxy wrote them). */
  inTarget: number;
  /** Lists the copy could not decide about (left to validate). */
  undecided: number;
}

/** A statement with what the writer must know about it. */
export interface Mutation extends Statement {
  /**
   * A statement writing a non-frozen list that an earlier run of the job may have written: rewriting list
   * elements duplicates them (CASSANDRA-11368), so the writer first reads the target's element writetimes,
   * and drops every statement sharing this guard when an element there carries one of `stamps`.
   */
  listGuard?: { query: string; params: Buffer[]; stamps: ReadonlySet<bigint> };
}

