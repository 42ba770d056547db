import { InputError } from '../errors.js';
import { formatCqlType } from './cql-type.js';
import { type Column, primaryKeyOf, sameType, type TableSchema } from './table-schema.js';
import type { TargetTable } from './target-table.js';

export interface ColumnMapping {
  target: TargetTable;
  exclude: readonly string[];
  /** validate --ignore: compared columns left out of the comparison. */
  ignore?: readonly string[];
}

/**
 * Checks that every source column the job moves exists in the target with the same type and role, and
 * returns the source cell columns to move. Pure: the first problem found is one InputError line.
 */
export function checkCompatibility(source: TableSchema, target: TableSchema, mapping: ColumnMapping): Column[] {
  const sourceNames = new Set(source.columns.map((c) => c.name));
  const named: [flag: string, names: Iterable<string>][] = [['--rename', mapping.target.renames.keys()], ['--exclude', mapping.exclude], ['--ignore', mapping.ignore ?? []]];
  for (const [flag, names] of named) {
    for (const name of names) {
      if (!sourceNames.has(name)) throw new InputError(`column ${name} named in ${flag} is not in ${source.keyspace}.${source.table}: use one of ${[...sourceNames].join(', ')}`);
    }
  }
  const targetByName = new Map(target.columns.map((c) => [c.name, c]));
  const where = `${target.keyspace}.${target.table}`;
  const mapped = (c: Column) => mapping.target.nameOf(c.name);

  for (const key of primaryKeyOf(source)) {
    if (mapping.exclude.includes(key.name)) throw new InputError(`--exclude ${key.name}: primary key columns cannot be excluded`);
  }
  const sourceKey = primaryKeyOf(source).map((c) => `${mapped(c)} ${c.kind}`);
  const targetKey = primaryKeyOf(target).map((c) => `${c.name} ${c.kind}`);
  if (sourceKey.join(',') !== targetKey.join(',')) {
    throw new InputError(
      `the primary keys differ: source (${sourceKey.join(', ')}) vs target ${where} (${targetKey.join(', ')}): create the target table with the same partition and clustering columns, or map names with --rename`,
    );
  }
  if (source.isCounter !== target.isCounter) {
    throw new InputError(`${source.table} is ${source.isCounter ? '' : 'not '}a counter table but ${where} is${target.isCounter ? '' : ' not'}: counter and regular columns cannot be copied into each other`);
  }
  const moved = source.columns.filter((c) => !mapping.exclude.includes(c.name));
  for (const column of moved) {
    const other = targetByName.get(mapped(column));
    if (!other && mapping.target.renames.has(column.name)) {
      throw new InputError(`--rename ${column.name}:${mapped(column)}: the target ${where} has no column ${mapped(column)}: use one of ${[...targetByName.keys()].join(', ')}`);
    }
    if (!other) {
      throw new InputError(`column ${column.name} (${formatCqlType(column.type)}) is missing in the target ${where}: add it there, map it with --rename ${column.name}:NAME, or leave it out with --exclude ${column.name}`);
    }
    if (!sameType(column.type, other.type)) {
      throw new InputError(
        `column ${column.name} is ${formatCqlType(column.type)} in the source but ${other.name} is ${formatCqlType(other.type)} in the target ${where}: alter the target column to ${formatCqlType(column.type)} or leave it out with --exclude ${column.name}`,
      );
    }
    if ((column.kind === 'static') !== (other.kind === 'static')) {
      throw new InputError(`column ${column.name} is ${column.kind} in the source but ${other.kind} in the target ${where}: make both static or both regular`);
    }
  }
  return moved.filter((c) => c.kind === 'static' || c.kind === 'regular');
}
