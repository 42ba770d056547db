import { describe, expect, it } from 'vitest';
import { prng } from '../../../examples/sample-data.mjs';
import type { Element } from '../../../src/diff/cell-elements.js';
import { elementId, listJudge, type StampContext } from '../../../src/diff/compare-rows.js';
import { judgeList } from '../../../src/diff/list-repair.js';
import { OwnStamps } from '../../../src/diff/own-stamps.js';
import { listRepairStatements, listTexts } from '../../../src/write/list-writes.js';
import { ListModel } from '../../support/list-model.js';
import { int } from '../../support/schemas.js';

/** The copy stamped S; this validate run's stamp is RUN; live writes with clocks in step are at RUN + n. */
const S = 1_700_000_000_000_000n;
const RUN = S + 600_000_000n;
const copies = [{ stamp: S, windowMicros: 1_000_000n }];
const first: StampContext = { own: OwnStamps.fromRuns(copies, 0), runStamp: RUN };
const next: StampContext = { own: OwnStamps.fromRuns(copies, 1), runStamp: RUN + 60_000_000n };
const place = { texts: listTexts('ks.t', 'l', 'pk = ?'), keys: [int(1)] };

/**
 * One validate --autocorrect of one list, as validate does it: judged, repaired, re-read from both sides and
 * judged again with the elements it wrote known as ours, three times at most. `race` runs once, between the
 * first read and the first write, on both clusters (the proxy).
 */
function correct(source: ListModel, target: ListModel, stamps: StampContext, race?: () => void): void {
  const written = new Set<string>();
  for (let attempt = 1; attempt <= 3; attempt++) {
    // As validate does: a list whose values already match is not a difference at all.
    if (stamps.listRemoval === 'whole-list' && source.values().join() === target.values().join()) return;
    const verdict = judgeList(source.elements(), target.elements(), listJudge({ ...stamps, written }));
    if (verdict.action !== 'list') return;
    if (attempt === 1) race?.();
    target.run(listRepairStatements(place, verdict.rebuild));
    for (const cell of verdict.rebuild.prepend) written.add(elementId(cell.value, cell.stamp));
  }
}

const both = (models: ListModel[], op: (m: ListModel) => void) => models.forEach(op);

/** Value and writetime, with our own stamps shown as 'ours' (they stand for the source's writetime). */
const shown = (elements: Element[], stamps: StampContext) => elements.map((e) => `${e.value.readInt32BE(0)}@${e.stamp !== null && stamps.own.isOurs(e.stamp) ? 'ours' : e.stamp}`);
const sourceShown = (elements: Element[], targetView: string[]) =>
  elements.map((e, i) => (targetView[i]?.endsWith('@ours') && targetView[i]?.startsWith(`${e.value.readInt32BE(0)}@`) ? targetView[i] : `${e.value.readInt32BE(0)}@${e.stamp}`));

function expectEqual(source: ListModel, target: ListModel, stamps: StampContext): void {
  const targetView = shown(target.elements(), stamps);
  expect(targetView).toEqual(sourceShown(source.elements(), targetView));
}

/** No element (value and writetime) the target holds more often than the source: nothing made worse. */
function expectNoDuplicate(source: ListModel, target: ListModel, stamps: StampContext): void {
  const count = (elements: Element[]) => {
    const counts = new Map<string, number>();
    for (const e of elements) if (e.stamp === null || !stamps.own.isOurs(e.stamp)) counts.set(`${e.value.readInt32BE(0)}@${e.stamp}`, (counts.get(`${e.value.readInt32BE(0)}@${e.stamp}`) ?? 0) + 1);
    return counts;
  };
  const inSource = count(source.elements());
  for (const [id, n] of count(target.elements())) expect({ id, n }).toEqual({ id, n: Math.min(n, inSource.get(id) ?? n) });
}

/**
 * History [1, 2, 3] in the source; a live prepend of 50 reaches both clusters before the copy reaches the
 * row, so the copy's history lands before it in the target; then a live append of 60.
 * Source [50, 1, 2, 3, 60]; target [1, 2, 3, 50, 60] (1, 2, 3 at the copy's stamp).
 */
function migratedRow(): { source: ListModel; target: ListModel } {
  const source = new ListModel();
  const target = new ListModel();
  source.append([1, 2], 10n);
  source.append([3], 20n);
  both([source, target], (m) => m.prepend([50], RUN + 1n));
  target.deleteColumn(S - 1n);
  target.prepend([1, 2, 3], S);
  both([source, target], (m) => m.append([60], RUN + 2n));
  return { source, target };
}

describe('list repair raced by a live write between its read and its write', () => {
  const races: [string, (m: ListModel) => void][] = [
    ['an append', (m) => m.append([70], RUN + 10n)],
    ['a prepend', (m) => m.prepend([80], RUN + 10n)],
    ['a whole-list replace', (m) => m.set([90, 91], RUN + 10n)],
    ['an element removal by value', (m) => m.discard([50], RUN + 10n)],
    ['an element removal by index', (m) => m.deleteAt(0, RUN + 10n)],
  ];
  for (const [name, op] of races) {
    it(`${name}: nothing duplicated by the raced run, the list equal to the source's after the next run`, () => {
      const { source, target } = migratedRow();
      expect(target.values()).toEqual([1, 2, 3, 50, 60]);
      correct(source, target, first, () => both([source, target], op));
      expectNoDuplicate(source, target, first);
      correct(source, target, next);
      expectEqual(source, target, next);
      expect(judgeList(source.elements(), target.elements(), listJudge(next)).action).toBe('same');
    });
  }

  it('what index deletes did under a live prepend (the issue\'s row (87, 5)) cannot happen: the repair names no position', () => {
    const { source, target } = migratedRow();
    const verdict = judgeList(source.elements(), target.elements(), listJudge(first));
    const queries = verdict.action === 'list' ? listRepairStatements(place, verdict.rebuild).map((s) => s.query) : [];
    expect(queries.length).toBeGreaterThan(0);
    expect(queries.filter((q) => /\[\?\]/.test(q))).toEqual([]);
  });
});

describe('list verdicts: what is damage and what is a live write the source has not seen', () => {
  const W = RUN + 5_000_000n;
  const elements = (...cells: [number, bigint][]) => cells.map(([v, stamp]) => ({ key: int(v), value: int(v), stamp, ttl: 0 }));
  const modelOf = (cells: [number, bigint][]) => {
    const m = new ListModel();
    for (const [v, stamp] of cells) m.append([v], stamp);
    return m;
  };

  it('an element twice at one live writetime where the source holds it once is corrected, not target-newer (row (46, 1))', () => {
    const sourceCells: [number, bigint][] = [[889, S], [1, S], [2, S], [72, S], [700, S], [246, W], [128, W + 1n], [873, W + 2n]];
    const targetCells: [number, bigint][] = [[889, S], [1, S], [2, S], [72, S], [700, S], [246, W], [246, W], [128, W + 1n], [873, W + 2n]];
    const verdict = judgeList(elements(...sourceCells), elements(...targetCells), listJudge(first));
    expect(verdict.action).toBe('list');
    const [source, target] = [modelOf(sourceCells), modelOf(targetCells)];
    correct(source, target, first);
    expectEqual(source, target, first);
  });

  it('a live prepend moved behind the history and an element twice is corrected (row (87, 5))', () => {
    const sourceCells: [number, bigint][] = [[211, W + 9n], [181, W], [5, S], [6, S], [53, S]];
    const targetCells: [number, bigint][] = [[181, W], [5, S], [6, S], [53, S], [211, W + 9n], [181, W]];
    expect(judgeList(elements(...sourceCells), elements(...targetCells), listJudge(first)).action).toBe('list');
    const [source, target] = [modelOf(sourceCells), modelOf(targetCells)];
    correct(source, target, first);
    expectEqual(source, target, first);
  });

  it('an element the source holds nowhere, written after the run began, is target-newer and left in place', () => {
    const verdict = judgeList(elements([1, S], [9, W]), elements([1, S]), listJudge(first));
    expect(verdict.action).toBe('list');
    expect(judgeList(elements([1, S]), elements([1, S], [9, W]), listJudge(first))).toEqual({ action: 'keep' });
  });

  it('the same element, but older than the run, is stale and removed at its own writetime', () => {
    const verdict = judgeList(elements([1, S]), elements([1, S], [9, RUN - 1n]), listJudge(first));
    expect(verdict).toEqual({ action: 'list', rebuild: { discards: [{ value: int(9), stamp: RUN - 1n }], prepend: [] } });
  });

  it('a removal that would also take a live element the source has not seen is left for the next run', () => {
    // target: a stale 7 of ours before the tail, and a live 7 the source has not seen yet, written before our stale one's... stamp
    const verdict = judgeList(elements([5, S]), elements([7, W + 1n], [7, W], [5, S]), { ...listJudge(first), isOurs: (e) => e.stamp === W + 1n || e.stamp === S });
    expect(verdict).toEqual({ action: 'defer' });
  });

  it('a removal by value that would take a kept element of that value brings it into the rebuilt head instead', () => {
    // source [1, 3]; target [1 (ours), 1 (ours), 3 (live)]: removing 1 takes both, so both are rebuilt
    const verdict = judgeList(elements([1, 10n], [3, W]), elements([1, S], [1, S], [3, W]), listJudge(first));
    expect(verdict).toEqual({ action: 'list', rebuild: { discards: [{ value: int(1), stamp: S }], prepend: [{ value: int(1), stamp: first.own.level, ttl: 0 }] } });
  });
});

/**
 * A random migrated row: history in the source, live operations through the proxy before and after the copy
 * (which prepends the history no newer than S after a tombstone just below it), and one more live operation,
 * the race, to run between a repair's read and its write. `byIndex`: live removals by index too.
 */
function randomRow(seed: number, liveFrom: bigint, byIndex: boolean): { source: ListModel; target: ListModel; race: () => void } {
  const random = prng(seed);
  const pick = (n: number) => Math.floor(random() * n);
  const source = new ListModel();
  const target = new ListModel();
  let clock = liveFrom;
  const liveOp = (): ((m: ListModel) => void) => {
    const stamp = (clock += BigInt(1 + pick(1000)));
    const v = 100 + pick(6);
    const ops: ((m: ListModel) => void)[] = [(m) => m.append([v], stamp), (m) => m.prepend([v], stamp), (m) => m.set([v, 100 + pick(6)], stamp), (m) => m.discard([v], stamp)];
    if (byIndex) ops.push((m) => m.deleteAt(pick(4), stamp));
    return ops[pick(ops.length)] as (m: ListModel) => void;
  };
  source.append(Array.from({ length: pick(5) }, () => 100 + pick(6)), 10n + BigInt(pick(5)));
  for (let i = pick(3); i > 0; i--) both([source, target], liveOp());
  const copied = source.elements().filter((e) => (e.stamp as bigint) <= S).map((e) => e.value.readInt32BE(0));
  target.deleteColumn(S - 1n);
  if (copied.length > 0) target.prepend(copied, S);
  for (let i = pick(3); i > 0; i--) both([source, target], liveOp());
  const race = liveOp();
  return { source, target, race: () => both([source, target], race) };
}

describe('list repair under random live writes (property)', () => {
  const clocks: [string, bigint][] = [
    ['application clocks in step', RUN],
    ['application clock 120 s slow (live writes older than the copy stamp)', S - 120_000_000n],
  ];
  it.each(clocks)('%s: after the raced run and one more, every list equals the source, and the raced run never duplicated an element', (_, liveFrom) => {
    for (let seed = 1; seed <= 400; seed++) {
      const { source, target, race } = randomRow(seed, liveFrom, true);
      correct(source, target, first, race);
      expectNoDuplicate(source, target, first);
      correct(source, target, next);
      try {
        expectEqual(source, target, next);
      } catch (error) {
        throw new Error(`seed ${seed}: ${(error as Error).message}`);
      }
    }
  });
});


describe('whole-list repair, for targets that refuse removals reading before writing (Astra\'s guardrail)', () => {
  const guarded = (stamps: StampContext): StampContext => ({ ...stamps, listRemoval: 'whole-list' });
  const races: [string, (m: ListModel) => void][] = [
    ['an append', (m) => m.append([70], RUN + 10n)],
    ['a prepend', (m) => m.prepend([80], RUN + 10n)],
    ['a whole-list replace', (m) => m.set([90, 91], RUN + 10n)],
    ['an element removal by value', (m) => m.discard([50], RUN + 10n)],
  ];
  for (const [name, op] of races) {
    it(`${name} between read and write: values in source order after the next run, nothing duplicated`, () => {
      const { source, target } = migratedRow();
      correct(source, target, guarded(first), () => both([source, target], op));
      correct(source, target, guarded(next));
      expect(target.values()).toEqual(source.values());
    });
  }

  it('uses only a collection tombstone and prepends, and raises the writetimes above the tombstone', () => {
    const { source, target } = migratedRow();
    const verdict = judgeList(source.elements(), target.elements(), listJudge(guarded(first)));
    expect(verdict.action).toBe('list');
    const statements = verdict.action === 'list' ? listRepairStatements(place, verdict.rebuild) : [];
    expect(statements.map((s) => s.query.split(' SET ')[0]?.split(' USING')[0])).toEqual(['DELETE l FROM ks.t', 'UPDATE ks.t']);
    expect(statements.some((s) => / - \?|\[\?\]/.test(s.query))).toBe(false);
    target.run(statements);
    expect(target.values()).toEqual(source.values());
    // the tombstone is at the newest writetime the target held (the live append at RUN + 2): all are above it
    expect(target.elements().every((e) => (e.stamp as bigint) > RUN + 2n)).toBe(true);
  });

  it('random live writes with a race: after the raced run and one more, every list holds the source\'s values in order', () => {
    for (let seed = 1; seed <= 400; seed++) {
      const { source, target, race } = randomRow(seed, RUN, false);
      correct(source, target, guarded(first), race);
      correct(source, target, guarded(next));
      expect({ seed, values: target.values() }).toEqual({ seed, values: source.values() });
    }
  });
});
