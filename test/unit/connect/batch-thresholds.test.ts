import { describe, expect, it } from 'vitest';
import { sharedBatchLimitsOf } from '../../../src/connect/batch-thresholds.js';

describe('sharedBatchLimitsOf (system_views.settings rows)', () => {
  it('Cassandra 4.1 and 5.0: the size with its unit', () => {
    const rows = [
      { name: 'batch_size_warn_threshold', value: '5KiB' },
      { name: 'batch_size_warn_threshold_in_kb', value: '5' },
      { name: 'unlogged_batch_across_partitions_warn_threshold', value: '10' },
    ];
    expect(sharedBatchLimitsOf(rows)).toEqual({ bytes: 5120, partitions: 10 });
    expect(sharedBatchLimitsOf([{ name: 'batch_size_warn_threshold', value: '64000B' }, rows[2]!])).toEqual({ bytes: 64000, partitions: 10 });
  });

  it('Cassandra 4.0: kibibytes', () => {
    expect(sharedBatchLimitsOf([{ name: 'batch_size_warn_threshold_in_kb', value: '64' }, { name: 'unlogged_batch_across_partitions_warn_threshold', value: '20' }])).toEqual({ bytes: 65536, partitions: 20 });
  });

  it('no sharing without both settings, or with one that allows no second partition', () => {
    expect(sharedBatchLimitsOf([])).toBeUndefined();
    expect(sharedBatchLimitsOf([{ name: 'batch_size_warn_threshold', value: '5KiB' }])).toBeUndefined();
    expect(sharedBatchLimitsOf([{ name: 'batch_size_warn_threshold', value: 'lots' }, { name: 'unlogged_batch_across_partitions_warn_threshold', value: '10' }])).toBeUndefined();
    expect(sharedBatchLimitsOf([{ name: 'batch_size_warn_threshold', value: '5KiB' }, { name: 'unlogged_batch_across_partitions_warn_threshold', value: '1' }])).toBeUndefined();
    expect(sharedBatchLimitsOf([{ name: 'batch_size_warn_threshold', value: '5KiB' }, { name: 'unlogged_batch_across_partitions_warn_threshold', value: null }])).toBeUndefined();
  });
});
