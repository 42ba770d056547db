import { quoteIdentifier } from './cql-type.js';
import type { SchemaElement } from './schema-plan.js';

/**
 * A keyspace's CREATE statements built from its system_schema rows, for sources that cannot DESCRIBE over
 * CQL (Cassandra 3.x): the keyspace, its types (each after those it uses), tables, indexes and views, as
 * server-side DESCRIBE lists them. Pure: rows in, statements out.
 */
export interface KeyspaceRows {
  keyspace: Row;
  types: Row[];
  tables: Row[];
  /** system_schema.columns of the keyspace's tables and views. */
  columns: Row[];
  indexes: Row[];
  views: Row[];
}

/** A system_schema row as the driver decodes it (maps as plain objects, sets as arrays). */
export type Row = Record<string, unknown>;

/** Columns of system_schema.tables and .views that are not table options. */
const NOT_OPTIONS = new Set(['keyspace_name', 'table_name', 'view_name', 'id', 'flags', 'base_table_id', 'base_table_name', 'include_all_columns', 'where_clause']);

export function keyspaceStatements(rows: KeyspaceRows): SchemaElement[] {
  const ks = String(rows.keyspace.keyspace_name);
  const q = (name: unknown) => `${quoteIdentifier(ks)}.${quoteIdentifier(String(name))}`;
  const replication = mapLiteral(rows.keyspace.replication as Record<string, string>);
  const elements: SchemaElement[] = [
    { type: 'keyspace', name: ks, statement: `CREATE KEYSPACE ${quoteIdentifier(ks)} WITH replication = ${replication} AND durable_writes = ${rows.keyspace.durable_writes !== false};` },
  ];
  for (const type of dependencyOrder(rows.types)) {
    const names = type.field_names as string[];
    const fieldTypes = type.field_types as string[];
    const fields = names.map((name, i) => `    ${quoteIdentifier(name)} ${fieldTypes[i]}`);
    elements.push({ type: 'type', name: String(type.type_name), statement: `CREATE TYPE ${q(type.type_name)} (\n${fields.join(',\n')}\n);` });
  }
  for (const table of sortedBy(rows.tables, 'table_name')) {
    const name = String(table.table_name);
    if (isCompact(table)) {
      const fix = `run ALTER TABLE ${q(name)} DROP COMPACT STORAGE on the source (Cassandra 3.11.x), then schema again`;
      elements.push({ type: 'table', name, statement: '', refusal: `table ${q(name)} uses COMPACT STORAGE, which Cassandra 4.0 and later do not have: ${fix}` });
      continue;
    }
    const columns = rows.columns.filter((c) => c.table_name === name);
    const body = [...columns.filter((c) => c.kind === 'partition_key' || c.kind === 'clustering').sort(byKeyPosition), ...sortedBy(columns.filter((c) => c.kind === 'static' || c.kind === 'regular'), 'column_name')];
    const lines = body.map((c) => `    ${quoteIdentifier(String(c.column_name))} ${c.type}${c.kind === 'static' ? ' static' : ''}`);
    lines.push(`    ${primaryKey(columns)}`);
    elements.push({ type: 'table', name, statement: `CREATE TABLE ${q(name)} (\n${lines.join(',\n')}\n) WITH ${withClause(columns, table, false)};` });
  }
  for (const index of sortedBy(rows.indexes, 'index_name')) {
    const options = { ...(index.options as Record<string, string>) };
    const { target, class_name: className } = options;
    delete options.target;
    delete options.class_name;
    const on = `${q(index.table_name)} (${target})`;
    const statement =
      index.kind === 'CUSTOM'
        ? `CREATE CUSTOM INDEX ${quoteIdentifier(String(index.index_name))} ON ${on} USING '${className}'${Object.keys(options).length > 0 ? ` WITH OPTIONS = ${mapLiteral(options)}` : ''};`
        : `CREATE INDEX ${quoteIdentifier(String(index.index_name))} ON ${on};`;
    elements.push({ type: 'index', name: String(index.index_name), statement });
  }
  for (const view of sortedBy(rows.views, 'view_name')) {
    const name = String(view.view_name);
    const columns = rows.columns.filter((c) => c.table_name === name);
    const selected = view.include_all_columns ? '*' : sortedBy(columns, 'column_name').map((c) => quoteIdentifier(String(c.column_name))).join(', ');
    elements.push({
      type: 'materialized_view',
      name,
      statement: `CREATE MATERIALIZED VIEW ${q(name)} AS\n    SELECT ${selected}\n    FROM ${q(view.base_table_name)}\n    WHERE ${view.where_clause}\n    ${primaryKey(columns)}\n WITH ${withClause(columns, view, true)};`,
    });
  }
  return elements;
}

/** `PRIMARY KEY ((a, b), c, d)`, or `PRIMARY KEY (a, c)` for a one-column partition key. */
function primaryKey(columns: Row[]): string {
  const partition = columns.filter((c) => c.kind === 'partition_key').sort(byKeyPosition).map((c) => quoteIdentifier(String(c.column_name)));
  const clustering = columns.filter((c) => c.kind === 'clustering').sort(byKeyPosition).map((c) => quoteIdentifier(String(c.column_name)));
  const head = partition.length === 1 ? partition[0] : `(${partition.join(', ')})`;
  return `PRIMARY KEY (${[head, ...clustering].join(', ')})`;
}

/** The clustering order (when the table clusters) and every option the row holds, as DESCRIBE writes them. */
function withClause(columns: Row[], options: Row, isView: boolean): string {
  const clustering = columns.filter((c) => c.kind === 'clustering').sort(byKeyPosition);
  const clauses = clustering.length > 0 ? [`CLUSTERING ORDER BY (${clustering.map((c) => `${quoteIdentifier(String(c.column_name))} ${String(c.clustering_order).toUpperCase()}`).join(', ')})`] : [];
  for (const key of Object.keys(options).sort()) {
    const value = options[key];
    // A view takes no default TTL; an option the server left unset (null) or an empty extensions map says nothing.
    if (NOT_OPTIONS.has(key) || value === null || value === undefined || (isView && key === 'default_time_to_live')) continue;
    if (key === 'extensions' && Object.keys(value as object).length === 0) continue;
    clauses.push(`${key} = ${literal(key, value)}`);
  }
  return clauses.join('\n    AND ');
}

function literal(key: string, value: unknown): string {
  if (typeof value === 'string') return `'${value.replace(/'/g, "''")}'`;
  if (typeof value === 'number') return Number.isInteger(value) && /chance$/.test(key) ? value.toFixed(1) : String(value);
  if (typeof value === 'boolean') return String(value);
  if (value instanceof Map) return mapLiteral(Object.fromEntries(value));
  if (typeof value === 'object') {
    // extensions: map<text, blob>
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.some(([, v]) => Buffer.isBuffer(v))) return `{${entries.map(([k, v]) => `'${k}': 0x${(v as Buffer).toString('hex')}`).join(', ')}}`;
    return mapLiteral(value as Record<string, string>);
  }
  return String(value);
}

const mapLiteral = (map: Record<string, unknown>): string =>
  `{${Object.keys(map)
    .sort()
    .map((k) => `'${k.replace(/'/g, "''")}': '${String(map[k]).replace(/'/g, "''")}'`)
    .join(', ')}}`;

/** A Thrift-era table: not `compound`, or `dense` or `super` (system_schema.tables flags). */
const isCompact = (table: Row): boolean => {
  const flags = (table.flags as string[] | null) ?? ['compound'];
  return !flags.includes('compound') || flags.includes('dense') || flags.includes('super');
};

const byKeyPosition = (a: Row, b: Row): number => (a.kind === b.kind ? Number(a.position) - Number(b.position) : a.kind === 'partition_key' ? -1 : 1);

// By code unit, not locale: the same order on every machine.
const sortedBy = (rows: Row[], key: string): Row[] => [...rows].sort((a, b) => (String(a[key]) < String(b[key]) ? -1 : String(a[key]) > String(b[key]) ? 1 : 0));

/** Types after the types their fields use (a field's type text names them), otherwise by name. */
function dependencyOrder(types: Row[]): Row[] {
  const byName = new Map(sortedBy(types, 'type_name').map((t) => [String(t.type_name), t]));
  const ordered: Row[] = [];
  const placed = new Set<string>();
  const place = (name: string, path: Set<string>) => {
    if (placed.has(name) || path.has(name)) return;
    const type = byName.get(name) as Row;
    path.add(name);
    for (const fieldType of type.field_types as string[]) {
      for (const used of fieldType.match(/[A-Za-z_][\w]*|"(?:[^"]|"")+"/g) ?? []) {
        const usedName = used.startsWith('"') ? used.slice(1, -1).replace(/""/g, '"') : used;
        if (byName.has(usedName) && usedName !== name) place(usedName, path);
      }
    }
    placed.add(name);
    ordered.push(type);
  };
  for (const name of byName.keys()) place(name, new Set());
  return ordered;
}
