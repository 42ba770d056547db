import type { Element } from '../../src/diff/cell-elements.js';
import type { Statement } from '../../src/connect/session.js';
import { readBigint, splitCollection } from '../../src/read/serialized.js';
import { int } from './schemas.js';

/**
 * One non-frozen list column as Cassandra stores it (Lists.java), for unit tests of the list repair: cells
 * keyed by time-UUID paths, each with a value and a write timestamp; a collection tombstone (complex
 * deletion) that hides every cell written at or before it, whenever written; cell tombstones that hide one
 * path at or before their stamp. Appends get paths from the coordinator's clock (after every existing
 * cell); prepends get paths counted backwards from a reference time (before every existing cell, the
 * elements of one prepend in order); operations by index or by value read the live list when they run.
 */
export class ListModel {
  private cells: { path: number; value: number; stamp: bigint; ttl: number }[] = [];
  private complexDeletion = -1n;
  private readonly cellTombstones = new Map<number, bigint>();
  private static clock = 0;

  private nextAppendPath(): number {
    return 1_000_000_000 + ++ListModel.clock * 100;
  }

  private nextPrependBase(): number {
    return 1_000_000_000 - ++ListModel.clock * 100 - 99;
  }

  private live() {
    return this.cells
      .filter((c) => c.stamp > this.complexDeletion && c.stamp > (this.cellTombstones.get(c.path) ?? -1n))
      .sort((a, b) => a.path - b.path);
  }

  /** What a read returns: the live elements in path order, as the validate's detail read shows them. */
  elements(): Element[] {
    return this.live().map((c) => ({ key: int(c.value), value: int(c.value), stamp: c.stamp, ttl: c.ttl }));
  }

  values(): number[] {
    return this.live().map((c) => c.value);
  }

  /** `l = l + [..]`. */
  append(values: number[], stamp: bigint, ttl = 0): void {
    for (const value of values) this.cells.push({ path: this.nextAppendPath(), value, stamp, ttl });
  }

  /** `l = [..] + l`. */
  prepend(values: number[], stamp: bigint, ttl = 0): void {
    const base = this.nextPrependBase();
    values.forEach((value, i) => this.cells.push({ path: base + i, value, stamp, ttl }));
  }

  /** `l = [..]`: a collection tombstone just below the stamp, then an append. */
  set(values: number[], stamp: bigint): void {
    this.deleteColumn(stamp - 1n);
    this.append(values, stamp);
  }

  /** `DELETE l USING TIMESTAMP t`. */
  deleteColumn(stamp: bigint): void {
    if (stamp > this.complexDeletion) this.complexDeletion = stamp;
  }

  /** `l = l - [..]`: every live cell holding one of the values, tombstoned at the stamp. */
  discard(values: number[], stamp: bigint): void {
    for (const cell of this.live()) if (values.includes(cell.value)) this.tombstone(cell.path, stamp);
  }

  /** `DELETE l[i]`: the live cell at that position when it runs. */
  deleteAt(index: number, stamp: bigint): void {
    const cell = this.live()[index];
    if (cell) this.tombstone(cell.path, stamp);
  }

  /**
   * Runs the statements the tool sends for this list, in order (a batch's removals read the list as it was
   * before the batch; the repair sends removals first, so running them in order is the same).
   */
  run(statements: readonly Statement[]): void {
    for (const { query, params } of statements) {
      const stamp = readBigint(params[0] as Buffer);
      const items = (bytes: unknown) => splitCollection(bytes as Buffer).map((b) => (b as Buffer).readInt32BE(0));
      if (/ SET \S+ = \S+ - \? /.test(query)) this.discard(items(params[1]), stamp);
      else if (/ SET \S+ = \? \+ /.test(query)) this.prepend(items(params[2]), stamp, (params[1] as Buffer).readInt32BE(0));
      else if (/^DELETE \S+ FROM /.test(query)) this.deleteColumn(stamp);
      else throw new Error(`not a list statement the model knows: ${query}`);
    }
  }

  private tombstone(path: number, stamp: bigint): void {
    if (stamp > (this.cellTombstones.get(path) ?? -1n)) this.cellTombstones.set(path, stamp);
  }
}
