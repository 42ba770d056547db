import { describe, expect, it } from 'vitest';
import { LentValues } from '../../../src/connect/lent-values.js';

describe('LentValues', () => {
  it('lends a copy per attempt and empties every copy on release, leaving the caller its values', () => {
    const row = [Buffer.from('key'), Buffer.from('value'), null];
    const values = new LentValues();
    const first = values.lend(row);
    const retry = values.lend(row);
    expect(first).toEqual(row);
    expect(first).not.toBe(row);
    expect(retry).not.toBe(first);
    values.release();
    expect(first).toEqual([]);
    expect(retry).toEqual([]);
    expect(row.map((v) => v?.toString() ?? null)).toEqual(['key', 'value', null]);
  });
});
