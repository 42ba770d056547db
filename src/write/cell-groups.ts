import { intBytes, readBigint, readInt } from '../read/serialized.js';
import type { ListCell } from './list-writes.js';
import type { Mutation } from './mutation-types.js';

export const NO_TTL = intBytes(0);

interface Group {
  stamp: Buffer;
  ttl: Buffer;
  assignments: string[];
  values: Buffer[];
  /** Cassandra refuses clustering restrictions on an UPDATE that sets static columns only. */
  staticOnly: boolean;
  /** The columns of an INSERT writing the same cells, or null when an assignment is an addition or a field. */
  insertColumns: string[] | null;
}

/** How a cell is written: the whole column (`c = ?`, which INSERT can do too) or a part of it. */
export type Assignment = { column: string } | { text: string };

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
  private oldestCell: bigint | null = null;
  private allCellsExpire = true;
  private maxTtl = 0;
  private regularCells = 0;

  readonly assign = (stamp: Buffer, ttl: Buffer, assignment: Assignment, value: Buffer, isStatic: boolean): void => {
    let group = this.groups.find((g) => g.stamp.equals(stamp) && g.ttl.equals(ttl));
    if (!group) this.groups.push((group = { stamp, ttl, assignments: [], values: [], staticOnly: true, insertColumns: [] }));
    group.staticOnly &&= isStatic;
    if ('column' in assignment) {
      group.assignments.push(`${assignment.column} = ?`);
      group.insertColumns?.push(assignment.column);
    } else {
      group.assignments.push(assignment.text);
      group.insertColumns = null;
    }
    group.values.push(value);
    if (!isStatic) {
      this.regularCells++;
      const micros = readBigint(stamp);
      if (this.oldestCell === null || micros < this.oldestCell) this.oldestCell = micros;
      const seconds = readInt(ttl);
      if (seconds === 0) this.allCellsExpire = false;
      else this.maxTtl = Math.max(this.maxTtl, seconds);
    }
  };

  /** A regular list written by statements of its own: it keeps the row alive as a cell does. */
  countList(cells: ListCell[]): void {
    if (cells.length === 0) return;
    this.regularCells++;
    if (cells.some((c) => c.ttl === 0)) this.allCellsExpire = false;
    else this.maxTtl = Math.max(this.maxTtl, ...cells.map((c) => c.ttl));
  }

  /**
   * The groups' statements. The oldest group, when an INSERT can write it, also carries the row marker: one
   * statement fewer per row (in job-start mode a row is then one INSERT). Its TTL suits the marker: while a
   * longer-lived or TTL-less cell lives, that cell keeps the row alive anyway. Only a group holding a regular
   * cell will do: a static cell's TTL must not end a clustering row.
   */
  statements(texts: QueryTexts, keysFor: (partitionOnly: boolean) => Buffer[], staticOnly: boolean, markerStamp: (oldestCell: bigint | null) => Buffer): Mutation[] {
    const mutations: Mutation[] = [];
    const oldest = this.groups.filter((g) => !g.staticOnly).reduce<Group | null>((min, g) => (min === null || readBigint(g.stamp) < readBigint(min.stamp) ? g : min), null);
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
      const markerTtl = this.regularCells > 0 && this.allCellsExpire ? this.maxTtl : 0;
      mutations.push({ query: texts.markerQuery(), params: [...keysFor(false), markerStamp(this.oldestCell), intBytes(markerTtl)] });
    }
    return mutations;
  }
}

