import { describe, expect, it } from 'vitest';
import { formatCqlType, isMultiCell, parseCqlType } from '../../../src/schema/cql-type.js';

describe('parseCqlType', () => {
  it('parses natives, normalising varchar to text', () => {
    expect(parseCqlType('decimal')).toEqual({ kind: 'native', name: 'decimal' });
    expect(parseCqlType('varchar')).toEqual({ kind: 'native', name: 'text' });
  });
  it('parses nested frozen collections', () => {
    expect(parseCqlType('frozen<map<text, frozen<list<int>>>>')).toEqual({
      kind: 'map',
      frozen: true,
      key: { kind: 'native', name: 'text' },
      value: { kind: 'list', frozen: true, element: { kind: 'native', name: 'int' } },
    });
    expect(parseCqlType('set<text>')).toEqual({ kind: 'set', frozen: false, element: { kind: 'native', name: 'text' } });
  });
  it('parses tuples, vectors, UDTs (quoted too) and custom types', () => {
    expect(parseCqlType('frozen<tuple<int, text, float>>')).toEqual({
      kind: 'tuple',
      elements: [{ kind: 'native', name: 'int' }, { kind: 'native', name: 'text' }, { kind: 'native', name: 'float' }],
    });
    expect(parseCqlType('vector<float, 3>')).toEqual({ kind: 'vector', element: { kind: 'native', name: 'float' }, dimension: 3 });
    expect(parseCqlType('address')).toEqual({ kind: 'udt', frozen: false, name: 'address' });
    expect(parseCqlType('frozen<"Addr""ess">')).toEqual({ kind: 'udt', frozen: true, name: 'Addr"ess' });
    expect(parseCqlType("'org.example.MyType'")).toEqual({ kind: 'custom', className: 'org.example.MyType' });
  });
  it('refuses malformed text', () => {
    expect(() => parseCqlType('map<text>')).toThrow(/expected ","/);
    expect(() => parseCqlType('list<int')).toThrow(/expected ">"/);
    expect(() => parseCqlType('int extra')).toThrow(/the end of the type/);
  });
  it('formats back to the same CQL', () => {
    for (const text of ['frozen<map<text, frozen<list<int>>>>', 'set<text>', 'frozen<tuple<int, text>>', 'vector<float, 3>', 'frozen<address>', 'address', 'frozen<"Odd Type">']) {
      expect(formatCqlType(parseCqlType(text))).toBe(text);
    }
  });
  it('knows which columns are stored cell by cell', () => {
    expect(isMultiCell(parseCqlType('list<int>'))).toBe(true);
    expect(isMultiCell(parseCqlType('address'))).toBe(true);
    expect(isMultiCell(parseCqlType('frozen<list<int>>'))).toBe(false);
    expect(isMultiCell(parseCqlType('frozen<tuple<int, int>>'))).toBe(false);
  });
});
