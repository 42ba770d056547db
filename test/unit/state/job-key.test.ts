import { describe, expect, it } from 'vitest';
import { encodeJobKey, type JobKey, parseJobKey, sameTablePair } from '../../../src/state/job-key.js';

const copy: JobKey = {
  command: 'copy',
  source: { cluster: 'Test Cluster:0b6e5a3c-1d2f-4e5a-9b8c-7d6e5f4a3b2c', keyspace: 'shop', table: 'orders' },
  target: { cluster: 'target/one -> two:9f8e', keyspace: 'shop2', table: 'orders_v2' },
};

describe('job keys', () => {
  it('are written as earlier versions wrote them, so their runs are still found', () => {
    expect(encodeJobKey(copy)).toBe('copy Test Cluster:0b6e5a3c-1d2f-4e5a-9b8c-7d6e5f4a3b2c/shop.orders -> target/one -> two:9f8e/shop2.orders_v2');
    expect(encodeJobKey({ ...copy, shard: { index: 1, count: 4 } })).toMatch(/ \[shard 1\/4\]$/);
    expect(encodeJobKey({ ...copy, command: 'validate', source: { ...copy.source, table: '*' }, target: { ...copy.target, table: '*' } })).toBe(
      'validate Test Cluster:0b6e5a3c-1d2f-4e5a-9b8c-7d6e5f4a3b2c/shop.* -> target/one -> two:9f8e/shop2.*',
    );
  });

  it('read back field for field, even with a cluster name holding slashes and arrows', () => {
    for (const key of [copy, { ...copy, command: 'validate' as const, shard: { index: 3, count: 8 } }, { ...copy, source: { ...copy.source, table: '*' }, target: { ...copy.target, table: '*' } }]) {
      expect(parseJobKey(encodeJobKey(key))).toEqual({ shard: undefined, ...key });
    }
    expect(parseJobKey('something else')).toBeUndefined();
  });

  it('tell runs of the same table pair, whatever their command and shard', () => {
    expect(sameTablePair(copy, { ...copy, command: 'validate', shard: { index: 0, count: 2 } })).toBe(true);
    expect(sameTablePair(copy, { ...copy, target: { ...copy.target, table: 'orders' } })).toBe(false);
    expect(sameTablePair(copy, { ...copy, source: { ...copy.source, cluster: 'Other:1' } })).toBe(false);
  });
});
