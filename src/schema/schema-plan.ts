import { quoteIdentifier } from './cql-type.js';
import type { TableSchema } from './table-schema.js';

/** One row of server-side `DESCRIBE KEYSPACE` (Cassandra 4.0+): a CREATE statement, in dependency order. */
export interface SchemaElement {
  type: string;
  name: string;
  statement: string;
  /** Why it cannot be created in the target, with the fix (a 3.x table with COMPACT STORAGE). */
  refusal?: string | undefined;
}

export interface SchemaPlanInput {
  sourceKeyspace: string;
  targetKeyspace: string;
  source: SchemaElement[];
  /** The target keyspace's elements; null when it does not exist there. */
  target: SchemaElement[] | null;
  /** Target data centres and their node counts, for the replication of a keyspace created there. */
  targetDcs: ReadonlyMap<string, number>;
  /** --replication, as given: used as is instead of the mapped replication. */
  replication: Record<string, string | number> | undefined;
  targetReleaseMajor: number;
  /** What the target service takes (connect/profile.ts): whether it creates keyspaces over CQL, table options it needs. */
  targetProfile?: { label: string; createsKeyspaces: boolean; tableOptions: Readonly<Record<string, string>> } | undefined;
}

export interface SchemaPlan {
  statements: string[];
  /** What the plan left out or chose, for the person reading it. */
  notes: string[];
  /** Types that exist in both keyspaces with other fields: the plan never alters them. */
  conflicts: string[];
}

/** Kinds DESCRIBE lists that a migration creates; functions and aggregates are left to the user. */
const CREATED = new Set(['keyspace', 'type', 'table', 'index', 'view', 'materialized_view']);

/** Table options some sources print that the target refuses, by the first major version refusing them. */
const REFUSED_OPTIONS: { option: string; since: number; why: string }[] = [
  { option: 'read_repair_chance', since: 4, why: 'removed in Cassandra 4.0' },
  { option: 'dclocal_read_repair_chance', since: 4, why: 'removed in Cassandra 4.0' },
  { option: 'nodesync', since: 0, why: 'a DataStax Enterprise option' },
];

/**
 * The CQL that creates in the target what the source keyspace has and the target lacks: keyspace, types,
 * tables, indexes and views, in the source's dependency order. Pure; it never drops or alters anything.
 */
export function planSchema(input: SchemaPlanInput): SchemaPlan {
  const notes: string[] = [];
  const conflicts: string[] = [];
  const existing = new Map((input.target ?? []).map((e) => [`${e.type} ${e.name}`, e]));
  const statements: string[] = [];
  for (const element of input.source) {
    if (element.refusal) {
      conflicts.push(element.refusal);
      continue;
    }
    if (!CREATED.has(element.type)) {
      notes.push(`${element.type} ${element.name} is not created: create it by hand if the application needs it`);
      continue;
    }
    if (element.type === 'keyspace') {
      if (input.target !== null) continue;
      if (input.targetProfile?.createsKeyspaces === false) {
        conflicts.push(`keyspace ${input.targetKeyspace} does not exist in the target, and ${input.targetProfile.label} creates keyspaces in its console only: create it there, then run schema again`);
      } else statements.push(createKeyspace(element.statement, input, notes));
      continue;
    }
    const wanted = renameKeyspace(element.statement, input.sourceKeyspace, input.targetKeyspace);
    const there = existing.get(`${element.type} ${element.name}`);
    if (there && element.type === 'type' && squash(there.statement) !== squash(wanted)) {
      conflicts.push(`type ${input.targetKeyspace}.${element.name} differs: the source has ${squash(wanted)}, the target ${squash(there.statement)}`);
    }
    if (there) continue;
    const accepted = dropRefusedOptions(wanted, element, input.targetReleaseMajor, notes);
    statements.push(element.type === 'table' ? withTableOptions(accepted, input.targetProfile?.tableOptions ?? {}) : accepted);
  }
  return { statements, notes, conflicts };
}

/** A CREATE TABLE with the options the target needs (Cosmos DB's per-cell writetimes and TTLs) added. */
export function withTableOptions(statement: string, options: Readonly<Record<string, string>>): string {
  const clauses = Object.entries(options).map(([k, v]) => `${k} = ${v}`);
  if (clauses.length === 0) return statement;
  const body = statement.replace(/;\s*$/, '');
  // The column list ends at the last closing parenthesis before any WITH.
  return /\)\s*WITH\s/i.test(body) ? `${body}\n    AND ${clauses.join('\n    AND ')};` : `${body} WITH ${clauses.join('\n    AND ')};`;
}

function createKeyspace(statement: string, input: SchemaPlanInput, notes: string[]): string {
  const replication = input.replication ?? mappedReplication(statement, input.targetDcs, notes);
  const literal = `{${Object.entries(replication).map(([k, v]) => `'${k}': '${v}'`).join(', ')}}`;
  const durable = /durable_writes\s*=\s*false/i.test(statement) ? 'false' : 'true';
  return `CREATE KEYSPACE ${quoteIdentifier(input.targetKeyspace)} WITH replication = ${literal} AND durable_writes = ${durable};`;
}

/**
 * The source's replication factor (its largest, for NetworkTopologyStrategy) in every data centre of the
 * target, capped at the nodes each has: the source's data centre names mean nothing on the target.
 */
function mappedReplication(statement: string, targetDcs: ReadonlyMap<string, number>, notes: string[]): Record<string, string | number> {
  const source = parseReplication(statement);
  const factors = Object.entries(source).filter(([k]) => k !== 'class').map(([, v]) => Number(v)).filter((n) => Number.isFinite(n));
  const factor = Math.max(1, ...factors);
  const mapped: Record<string, string | number> = { class: 'NetworkTopologyStrategy' };
  for (const [dc, nodes] of [...targetDcs].sort(([a], [b]) => a.localeCompare(b))) {
    mapped[dc] = Math.min(factor, nodes);
    if (nodes < factor) notes.push(`replication factor ${factor} of the source is ${nodes} in target data centre ${dc}: it has ${nodes} node${nodes === 1 ? '' : 's'}`);
  }
  return mapped;
}

export function parseReplication(statement: string): Record<string, string> {
  const map = /replication\s*=\s*(\{[^}]*\})/i.exec(statement)?.[1] ?? '{}';
  return JSON.parse(map.replace(/'/g, '"')) as Record<string, string>;
}

/** Replaces the keyspace qualifying names (`ks.`), leaving string literals (comments) alone. */
export function renameKeyspace(statement: string, from: string, to: string): string {
  if (from === to) return statement;
  const qualified = new RegExp(`(^|[^\\w"])${escapeRegExp(quoteIdentifier(from))}\\.`, 'g');
  return statement
    .split(/('(?:[^']|'')*')/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(qualified, `$1${quoteIdentifier(to)}.`)))
    .join('');
}

function dropRefusedOptions(statement: string, element: SchemaElement, targetMajor: number, notes: string[]): string {
  let out = statement;
  for (const { option, since, why } of REFUSED_OPTIONS) {
    if (targetMajor < since) continue;
    const clause = new RegExp(`\\s+AND\\s+${option}\\s*=\\s*('(?:[^']|'')*'|\\{[^}]*\\}|[^\\s;]+)`, 'i');
    if (clause.test(out)) {
      out = out.replace(clause, '');
      notes.push(`${element.type} ${element.name}: option ${option} left out (${why}; the target does not accept it)`);
    }
  }
  return out;
}

/** How a table in both clusters differs in what the copy relies on: columns, their types, roles and order. */
export function shapeDifferences(source: TableSchema, target: TableSchema): string[] {
  const differences: string[] = [];
  const targetColumns = new Map(target.columns.map((c) => [c.name, c]));
  for (const column of source.columns) {
    const other = targetColumns.get(column.name);
    const describe = (c: typeof column) => `${c.typeText} ${c.kind.replace('_', ' ')}${c.kind === 'clustering' ? ` ${c.clusteringOrder}` : ''}`;
    if (!other) differences.push(`${column.name} missing`);
    else if (describe(other) !== describe(column) || other.position !== column.position) {
      differences.push(`${column.name} is ${describe(column)} in the source, ${describe(other)} in the target`);
    }
  }
  return differences;
}

const squash = (statement: string) => statement.replace(/\s+/g, ' ').trim();

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
