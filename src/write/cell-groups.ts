import { intBytes, NO_TTL, readBigint, readInt, sameBytes } from '../read/serialized.js';
import type { Mutation } from './mutation-types.js';

interface Group {
  stamp: Buffer;
  ttl: Buffer;
  assignments: string[];
  /** null: a list's clearing tombstone (clearListWithin). */
  values: (Buffer | null)[];
  /** Cassandra refuses clustering restrictions on an UPDATE that sets static columns only. */
  staticOnly: boolean;
  /** The columns of an INSERT writing the same cells, or null when an assignment is an addition or a field. */
  insertColumns: string[] | null;
}

/**
 * How a cell is written: `text` is the UPDATE's assignment; `column` is set when it writes the whole column
 * (`c = ?`, which INSERT can do too). Made once per column by the caller, not per row.
 */
export interface Assignment {
  text: string;
  column?: string;
}

/** `c = ?`: the whole column. */
export const wholeColumn = (column: string): Assignment => ({ text: `${column} = ?`, column });

/** The statement texts of one target table (cached by the builder: the same string object row after row). */
export interface QueryTexts {
  insertQuery(columns: string[]): string;
  updateQuery(assignments: string[], partitionOnly: boolean): string;
  markerQuery(): string;
}

/**
 * One row's cells grouped by (writetime, ttl): one statement per group, and what the row marker needs (the
 * oldest regular cell, whether every regular cell expires, the longest TTL). Rows have one to a few groups:
 * a list searched by bytes costs less than building string keys.
 */
export class CellGroups {
  private readonly groups: Group[] = [];
  /** Lists written by statements of their own, which keep the row alive as cells do. */
  private lists = 0;
  private listsExpire = true;
  private listMaxTtl = 0;

  assign(stamp: Buffer, ttl: Buffer, assignment: Assignment, value: Buffer, isStatic: boolean): void {
    let group: Group | undefined;
    for (const g of this.groups) {
      if (sameBytes(g.stamp, stamp) && sameBytes(g.ttl, ttl)) {
        group = g;
        break;
      }
    }
    if (!group) this.groups.push((group = { stamp, ttl, assignments: [], values: [], staticOnly: true, insertColumns: [] }));
    group.staticOnly &&= isStatic;
    group.assignments.push(assignment.text);
    if (assignment.column === undefined) group.insertColumns = null;
    else group.insertColumns?.push(assignment.column);
    group.values.push(value);
  }

  /**
   * Writes a regular list's clearing tombstone at `stamp` - 1 as `l = null` in the row's statement at `stamp`
   * without a TTL, when the row has one: one statement fewer per row than a DELETE of its own. Cassandra
   * writes a list assignment as a collection tombstone at the statement's timestamp - 1, then the elements,
   * none for null (Lists.Setter in 5.0), which is the tombstone `DELETE l USING TIMESTAMP stamp - 1` writes.
   * Only a group already there will do: a group made for it would change which statement carries the marker.
   */
  clearListWithin(stamp: Buffer, assignment: Assignment): boolean {
    const group = this.groups.find((g) => !g.staticOnly && sameBytes(g.stamp, stamp) && sameBytes(g.ttl, NO_TTL));
    if (group === undefined) return false;
    group.assignments.push(assignment.text);
    if (assignment.column === undefined) group.insertColumns = null;
    else group.insertColumns?.push(assignment.column);
    group.values.push(null);
    return true;
  }

  /** A regular list written by statements of its own (the TTLs of its elements, 0 for none): it keeps the row alive as a cell does. */
  countList(ttls: readonly number[]): void {
    if (ttls.length === 0) return;
    this.lists++;
    if (ttls.includes(0)) this.listsExpire = false;
    else this.listMaxTtl = Math.max(this.listMaxTtl, ...ttls);
  }

  /**
   * The groups' statements. The oldest group, when an INSERT can write it, also carries the row marker: one
   * statement fewer per row (in job-start mode a row is then one INSERT). Its TTL suits the marker: while a
   * longer-lived or TTL-less cell lives, that cell keeps the row alive anyway. Only a group holding a regular
   * cell will do: a static cell's TTL must not end a clustering row.
   */
  statements(texts: QueryTexts, keysFor: (partitionOnly: boolean) => Buffer[], staticOnly: boolean, markerStamp: (oldestCell: bigint | null) => Buffer): Mutation[] {
    const mutations: Mutation[] = [];
    // Per group, not per cell: a row has one to a few groups. A group holding regular cells (not only
    // statics) keeps the row alive; so does a list.
    const regular = this.groups.filter((g) => !g.staticOnly);
    const oldest = regular.reduce<Group | null>((min, g) => (min === null || readBigint(g.stamp) < readBigint(min.stamp) ? g : min), null);
    const markerGroup = !staticOnly && oldest?.insertColumns ? oldest : null;
    for (const group of this.groups) {
      if (group === markerGroup) {
        mutations.push({ query: texts.insertQuery(group.insertColumns as string[]), params: [...keysFor(false), ...group.values, group.stamp, group.ttl] });
        continue;
      }
      const partitionOnly = staticOnly || group.staticOnly;
      mutations.push({ query: texts.updateQuery(group.assignments, partitionOnly), params: [group.stamp, group.ttl, ...group.values, ...keysFor(partitionOnly)] });
    }
    if (!staticOnly && markerGroup === null) {
      // The row marker (INSERT's liveness info) keeps a row whose cells are all null alive. CQL cannot read
      // its timestamp; the oldest cell's writetime (or the stamp, for a row of key columns only) stands in.
      const ttls = regular.map((g) => readInt(g.ttl));
      const expires = regular.length + this.lists > 0 && ttls.every((t) => t > 0) && (this.lists === 0 || this.listsExpire);
      const markerTtl = expires ? Math.max(this.listMaxTtl, ...ttls) : 0;
      const oldestCell = oldest === null ? null : readBigint(oldest.stamp);
      mutations.push({ query: texts.markerQuery(), params: [...keysFor(false), markerStamp(oldestCell), intBytes(markerTtl)] });
    }
    return mutations;
  }
}

