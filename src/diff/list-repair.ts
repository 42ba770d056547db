import type { Element } from './cell-elements.js';

/**
 * How a non-frozen list in the target is judged against the source's and brought back to it, without any
 * operation whose meaning a concurrent write can change. Pure.
 *
 * Cassandra keys list cells by time-UUID paths, not by position: `DELETE l[i]` is resolved against the list
 * as it is when the statement runs, so a live prepend or append that lands between our read and our write
 * makes it delete another element (seen: a live element deleted, the one meant kept, then duplicated by
 * our prepend). The repair therefore uses only:
 * - removal by value at a stamp (`l = l - [v] USING TIMESTAMP D`): tombstones the cells holding v when it
 *   runs, each at D, so only those written at or before D go; a cell written later (a new path) is untouched;
 * - prepends (paths counted backwards from a fixed reference time, so they sort before every existing cell),
 *   at the source's own writetimes.
 * A target that refuses list operations reading before they write (Astra's guardrail, which refuses removal
 * by value too) is repaired whole instead (`removal: 'whole-list'`): a collection tombstone just over what it
 * holds, and the source's list prepended above it; the elements' writetimes are raised to clear it.
 * What no write of ours can have made is told apart from damage: an element (value and writetime) the target
 * holds more often than the source, or in another order relative to elements both hold, is a difference to
 * correct; `target-newer` is only an element whose value and writetime the source does not hold at all.
 */
/** What the summary says once a target refused removals by value and lists were repaired whole. */
export const WHOLE_LIST_NOTE =
  'the target refuses list operations that read before writing (a guardrail, as on Astra): lists were repaired whole, a collection tombstone and the source list prepended, their elements written at raised writetimes';

export type ListVerdict =
  /** The lists hold the same elements in the same order (they may differ in TTLs only). */
  | { action: 'same' }
  /** The target's list is the source's plus elements the source has not seen yet (live writes in flight). */
  | { action: 'keep' }
  /** A difference no safe repair can make now (it would remove a live element): left for the next run. */
  | { action: 'defer' }
  | { action: 'list'; rebuild: ListRebuild };

/**
 * The target elements outside the longest tail of the source it holds in order are removed by value, each
 * value at the newest writetime it has among them (the smallest tombstone that removes them), then the
 * source's elements before that tail are prepended; the tail and every element the source has not seen
 * stay where they are.
 */
export interface ListRebuild {
  /** A collection tombstone at this stamp first (whole-list repair): every cell written at or before it goes. */
  clearAt?: bigint;
  discards: { value: Buffer; stamp: bigint }[];
  prepend: { value: Buffer; stamp: bigint; ttl: number }[];
}

export interface ListJudge {
  /** A target element we wrote (an own stamp, or an element this run has just written): it stands for any source element of its value. */
  isOurs(element: Element): boolean;
  /** A foreign target element written at or after this (or of unknown writetime) may be a live write in flight. */
  runStamp: bigint;
  /** The writetime a source element is written at when the target lacks it (raised above our own tombstones). */
  fill(stamp: bigint): bigint;
  /** How elements are removed: by value (the default), or the whole list cleared where the target refuses that. */
  removal?: 'by-value' | 'whole-list';
}

export function judgeList(source: readonly Element[], target: readonly Element[], judge: ListJudge): ListVerdict {
  const matches = (s: Element, t: Element) => s.value.equals(t.value) && (s.stamp === null || s.stamp === t.stamp || judge.isOurs(t));
  const unseen = unseenBySource(source, target, judge);
  const rest = target.filter((_, i) => !unseen.has(i));
  if (rest.length === source.length && rest.every((t, i) => matches(source[i] as Element, t))) return unseen.size > 0 ? { action: 'keep' } : { action: 'same' };
  if (judge.removal === 'whole-list') return wholeList(source, target, unseen, judge);

  // The longest tail of the source that the target holds in order, matched from the end (greedy matching
  // from the end finds the longest); target elements between them are removed, unseen ones stepped over.
  const kept = new Map<number, number>();
  let sourceHead = source.length;
  for (let i = target.length - 1; i >= 0 && sourceHead > 0; i--) {
    if (!unseen.has(i) && matches(source[sourceHead - 1] as Element, target[i] as Element)) kept.set(i, --sourceHead);
  }
  // A removal by value also takes a kept element of that value written no later: then that element and
  // every source element before it are prepended again, until no removal reaches what stays.
  for (;;) {
    const discards = discardStamps(target, (i) => !kept.has(i) && !unseen.has(i), judge.runStamp);
    const hit = (t: Element) => {
      const stamp = discards.get(t.value.toString('hex'));
      return stamp !== undefined && (t.stamp === null || t.stamp <= stamp);
    };
    if ([...unseen].some((i) => hit(target[i] as Element))) return { action: 'defer' };
    const hits = [...kept].filter(([i]) => hit(target[i] as Element)).map(([, j]) => j);
    if (hits.length === 0) {
      return {
        action: 'list',
        rebuild: {
          discards: [...discards].map(([hex, stamp]) => ({ value: Buffer.from(hex, 'hex'), stamp })),
          prepend: source.slice(0, sourceHead).map((s) => ({ value: s.value, stamp: judge.fill(s.stamp ?? judge.runStamp), ttl: s.ttl })),
        },
      };
    }
    sourceHead = Math.max(...hits) + 1;
    for (const [i, j] of kept) if (j < sourceHead) kept.delete(i);
  }
}

/**
 * Everything but the elements the source has not seen goes under one collection tombstone at the newest
 * writetime among them; the source's list is prepended above it. Left for the next run when that tombstone
 * would also take an unseen element, or when the target shows no element writetimes.
 */
function wholeList(source: readonly Element[], target: readonly Element[], unseen: ReadonlySet<number>, judge: ListJudge): ListVerdict {
  if (target.some((t) => t.stamp === null)) return { action: 'defer' };
  const cleared = target.filter((_, i) => !unseen.has(i)).map((t) => t.stamp as bigint);
  const clearAt = cleared.length === 0 ? undefined : cleared.reduce((a, b) => (b > a ? b : a));
  if (clearAt !== undefined && [...unseen].some((i) => (target[i]?.stamp as bigint) <= clearAt)) return { action: 'defer' };
  const above = (stamp: bigint) => (clearAt !== undefined && stamp <= clearAt ? clearAt + 1n : stamp);
  return {
    action: 'list',
    rebuild: { ...(clearAt === undefined ? {} : { clearAt }), discards: [], prepend: source.map((s) => ({ value: s.value, stamp: above(judge.fill(s.stamp ?? judge.runStamp)), ttl: s.ttl })) },
  };
}

/**
 * Target elements no write of ours or the source's history explains and new enough to be a live write in
 * flight: not ours, at or after the run's stamp, and a (value, writetime) the source holds nowhere. A
 * second copy of an element the source holds once is not among them: that is damage.
 */
function unseenBySource(source: readonly Element[], target: readonly Element[], judge: ListJudge): Set<number> {
  const held = new Set(source.map((s) => `${s.value.toString('hex')}@${s.stamp}`));
  const heldValues = new Set(source.filter((s) => s.stamp === null).map((s) => s.value.toString('hex')));
  const unseen = new Set<number>();
  target.forEach((t, i) => {
    if (judge.isOurs(t) || (t.stamp !== null && t.stamp < judge.runStamp)) return;
    const hex = t.value.toString('hex');
    if (!held.has(`${hex}@${t.stamp}`) && !heldValues.has(hex)) unseen.add(i);
  });
  return unseen;
}

/** Each value to remove, with the newest writetime it has among the elements removed (unknown: the run's stamp). */
function discardStamps(target: readonly Element[], removed: (index: number) => boolean, runStamp: bigint): Map<string, bigint> {
  const stamps = new Map<string, bigint>();
  target.forEach((t, i) => {
    if (!removed(i)) return;
    const hex = t.value.toString('hex');
    const stamp = t.stamp ?? runStamp;
    const known = stamps.get(hex);
    if (known === undefined || stamp > known) stamps.set(hex, stamp);
  });
  return stamps;
}
