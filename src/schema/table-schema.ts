import { type CqlType, isMultiCell, parseCqlType } from './cql-type.js';

export type ColumnKind = 'partition_key' | 'clustering' | 'static' | 'regular';

export interface Column {
  name: string;
  kind: ColumnKind;
  /** Position within the partition key or the clustering key; -1 otherwise. */
  position: number;
  type: CqlType;
  /** The type exactly as system_schema spells it, for messages. */
  typeText: string;
  clusteringOrder: 'asc' | 'desc' | 'none';
}

export interface TableSchema {
  keyspace: string;
  table: string;
  /** Partition key, clustering key (both in key order), then static and regular columns by name. */
  columns: Column[];
  partitionKey: Column[];
  clustering: Column[];
  /** Static and regular columns: the cells a row carries. */
  cells: Column[];
  isCounter: boolean;
  defaultTtl: number;
}

export interface SystemSchemaColumnRow {
  column_name: string;
  kind: string;
  position: number;
  type: string;
  clustering_order: string;
}

export interface UdtDefinition {
  name: string;
  fields: { name: string; typeText: string }[];
}

/** Builds the table model from system_schema rows; pure, so every shape is unit-tested. */
export function buildTableSchema(
  keyspace: string,
  table: string,
  rows: SystemSchemaColumnRow[],
  udts: UdtDefinition[],
  defaultTtl: number,
): TableSchema {
  const udtByName = new Map(udts.map((u) => [u.name, u]));
  const columns = rows.map((row): Column => {
    const kind = row.kind as ColumnKind;
    return {
      name: row.column_name,
      kind,
      position: row.position,
      type: resolveUdts(parseCqlType(row.type), udtByName),
      typeText: row.type,
      clusteringOrder: (row.clustering_order as Column['clusteringOrder']) ?? 'none',
    };
  });
  const byPosition = (a: Column, b: Column) => a.position - b.position;
  const byName = (a: Column, b: Column) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const partitionKey = columns.filter((c) => c.kind === 'partition_key').sort(byPosition);
  const clustering = columns.filter((c) => c.kind === 'clustering').sort(byPosition);
  const cells = columns.filter((c) => c.kind === 'static' || c.kind === 'regular').sort(byName);
  return {
    keyspace,
    table,
    columns: [...partitionKey, ...clustering, ...cells],
    partitionKey,
    clustering,
    cells,
    isCounter: cells.some((c) => c.type.kind === 'native' && c.type.name === 'counter'),
    defaultTtl,
  };
}

function resolveUdts(type: CqlType, udts: Map<string, UdtDefinition>): CqlType {
  switch (type.kind) {
    case 'list':
    case 'set':
      return { ...type, element: resolveUdts(type.element, udts) };
    case 'map':
      return { ...type, key: resolveUdts(type.key, udts), value: resolveUdts(type.value, udts) };
    case 'tuple':
      return { ...type, elements: type.elements.map((e) => resolveUdts(e, udts)) };
    case 'vector':
      return { ...type, element: resolveUdts(type.element, udts) };
    case 'udt': {
      const definition = udts.get(type.name);
      if (!definition) throw new Error(`user type ${type.name} is not defined in the keyspace`);
      return {
        ...type,
        fields: definition.fields.map((f) => ({ name: f.name, type: resolveUdts(parseCqlType(f.typeText), udts) })),
      };
    }
    default:
      return type;
  }
}

export const primaryKeyOf = (schema: TableSchema): Column[] => [...schema.partitionKey, ...schema.clustering];

/** Columns whose WRITETIME/TTL CQL can read as one value (5.0 returns lists for multi-cell ones). */
export const hasSingleWritetime = (column: Column): boolean => !isMultiCell(column.type);

/** A type equality that ignores how UDT names are spelled in each keyspace but compares their fields. */
export function sameType(a: CqlType, b: CqlType): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'native':
      return a.name === (b as typeof a).name;
    case 'list':
    case 'set': {
      const other = b as typeof a;
      return a.frozen === other.frozen && sameType(a.element, other.element);
    }
    case 'map': {
      const other = b as typeof a;
      return a.frozen === other.frozen && sameType(a.key, other.key) && sameType(a.value, other.value);
    }
    case 'tuple': {
      const other = b as typeof a;
      return a.elements.length === other.elements.length && a.elements.every((e, i) => sameType(e, other.elements[i] as CqlType));
    }
    case 'vector': {
      const other = b as typeof a;
      return a.dimension === other.dimension && sameType(a.element, other.element);
    }
    case 'udt': {
      const other = b as typeof a;
      const fa = a.fields ?? [];
      const fb = other.fields ?? [];
      return (
        a.frozen === other.frozen &&
        fa.length === fb.length &&
        fa.every((f, i) => f.name === fb[i]?.name && sameType(f.type, (fb[i] as { type: CqlType }).type))
      );
    }
    case 'custom':
      return a.className === (b as typeof a).className;
  }
}
