import { describe, expect, it } from 'vitest';
import { checkCompatibility } from '../../../src/schema/compatibility.js';
import { TargetTable } from '../../../src/schema/target-table.js';
import { schemaOf } from '../../support/schemas.js';

const source = schemaOf(
  [
    ['id', 'partition_key', 'int', 0],
    ['at', 'clustering', 'timestamp', 0],
    ['home', 'regular', 'frozen<addr>'],
    ['n', 'regular', 'int'],
    ['s', 'static', 'text'],
  ],
  [{ name: 'addr', fields: [{ name: 'city', typeText: 'text' }] }],
);
const none = { target: new TargetTable('ks', 't'), exclude: [] as string[] };

describe('checkCompatibility', () => {
  it('returns the cells to move when the target matches, UDTs compared by their fields not their names', () => {
    const target = schemaOf(
      [
        ['id', 'partition_key', 'int', 0],
        ['at', 'clustering', 'timestamp', 0],
        ['home', 'regular', 'frozen<address2>'],
        ['n', 'regular', 'int'],
        ['s', 'static', 'text'],
        ['extra', 'regular', 'text'],
      ],
      [{ name: 'address2', fields: [{ name: 'city', typeText: 'text' }] }],
    );
    expect(checkCompatibility(source, target, none).map((c) => c.name)).toEqual(['home', 'n', 's']);
  });
  it('maps renamed columns and leaves excluded ones out', () => {
    const target = schemaOf([
      ['id', 'partition_key', 'int', 0],
      ['at', 'clustering', 'timestamp', 0],
      ['num', 'regular', 'int'],
      ['s', 'static', 'text'],
    ]);
    expect(checkCompatibility(source, target, { target: new TargetTable('ks', 't', new Map([['n', 'num']])), exclude: ['home'] }).map((c) => c.name)).toEqual(['n', 's']);
  });
  it('names the column, both types and the fix', () => {
    const target = schemaOf([
      ['id', 'partition_key', 'int', 0],
      ['at', 'clustering', 'timestamp', 0],
      ['n', 'regular', 'bigint'],
      ['s', 'static', 'text'],
    ]);
    expect(() => checkCompatibility(source, target, { ...none, exclude: ['home'] })).toThrow(
      'column n is int in the source but n is bigint in the target ks.t: alter the target column to int or leave it out with --exclude n',
    );
  });
  it('refuses different primary keys, static vs regular, and unknown names in --rename/--exclude', () => {
    const otherKey = schemaOf([['id', 'partition_key', 'int', 0], ['n', 'regular', 'int']]);
    expect(() => checkCompatibility(source, otherKey, none)).toThrow(/^the primary keys differ: source \(id partition_key, at clustering\) vs target ks\.t \(id partition_key\)/);
    const staticN = schemaOf([
      ['id', 'partition_key', 'int', 0],
      ['at', 'clustering', 'timestamp', 0],
      ['n', 'static', 'int'],
      ['s', 'static', 'text'],
    ]);
    expect(() => checkCompatibility(source, staticN, { ...none, exclude: ['home'] })).toThrow('column n is regular in the source but static in the target');
    expect(() => checkCompatibility(source, source, { ...none, exclude: ['nope'] })).toThrow(/column nope named in --exclude is not in ks\.t/);
    expect(() => checkCompatibility(source, source, { ...none, ignore: ['nope'] })).toThrow(/^column nope named in --ignore is not in ks\.t: use one of /);
  });
});
