import { describe, expect, it } from 'vitest';
import { anyBigintAbove, joinCollection, noItems, splitCollection, splitFields } from '../../../src/read/serialized.js';
import { big, int, text } from '../../support/schemas.js';

describe('serialized collections', () => {
  it('splits and joins lists and sets byte for byte', () => {
    const items = [text('a'), text(''), text('ccc')];
    const bytes = joinCollection(items);
    expect(bytes.toString('hex')).toBe('00000003' + '0000000161' + '00000000' + '00000003636363');
    expect(splitCollection(bytes)).toEqual(items);
  });
  it('maps alternate keys and values and count pairs', () => {
    const bytes = joinCollection([text('k1'), int(1), text('k2'), int(2)], true);
    expect(bytes.readInt32BE(0)).toBe(2);
    expect(splitCollection(bytes, true)).toEqual([text('k1'), int(1), text('k2'), int(2)]);
  });
  it('reads null elements (TTL lists hold them) and an empty collection', () => {
    const withNull = Buffer.concat([int(2), int(-1), int(4), int(7)]);
    expect(splitCollection(withNull)).toEqual([null, int(7)]);
    expect(splitCollection(joinCollection([]))).toEqual([]);
  });
  it('splits UDT fields, trailing absent fields as null', () => {
    const udt = Buffer.concat([int(1), text('x'), int(-1)]);
    expect(splitFields(udt, 4)).toEqual([text('x'), null, null, null]);
  });
  it('reads element writetimes and TTLs in place: one above a bound, none set', () => {
    const stamps = Buffer.concat([int(3), int(8), big(5n), int(-1), int(8), big(-2n)]);
    expect([anyBigintAbove(stamps, 4n), anyBigintAbove(stamps, 5n), anyBigintAbove(stamps, -3n), anyBigintAbove(joinCollection([]), 0n)]).toEqual([true, false, true, false]);
    expect([noItems(null), noItems(undefined), noItems(joinCollection([])), noItems(Buffer.concat([int(2), int(-1), int(-1)]))]).toEqual([true, true, true, true]);
    expect(noItems(Buffer.concat([int(2), int(-1), int(4), int(60)]))).toBe(false);
  });
});
