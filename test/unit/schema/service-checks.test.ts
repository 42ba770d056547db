import { describe, expect, it } from 'vitest';
import { keyspacesRefusal } from '../../../src/schema/service-checks.js';

// custom_properties as Amazon Keyspaces documents them in system_schema_mcs.tables.
const documented = {
  capacity_mode: { last_update_to_pay_per_request_timestamp: '1579551547603', throughput_mode: 'PAY_PER_REQUEST' },
  encryption_specification: { encryption_type: 'AWS_OWNED_KMS_KEY' },
  point_in_time_recovery: { status: 'disabled' },
};

describe('Amazon Keyspaces preflight', () => {
  it('a table with client-side timestamps and custom TTL on passes', () => {
    expect(keyspacesRefusal('shop', 'orders', { ...documented, client_side_timestamps: { status: 'enabled' }, ttl: { status: 'enabled' } })).toBeNull();
  });

  it('a table without them stops the run with the ALTER TABLE that turns them on', () => {
    expect(keyspacesRefusal('shop', 'orders', documented)).toBe(
      "the target table shop.orders in Amazon Keyspaces has client-side timestamps and custom TTL off, and every write of migrate carries USING TIMESTAMP and TTL: run ALTER TABLE shop.orders WITH custom_properties = {'client_side_timestamps': {'status': 'enabled'}, 'ttl': {'status': 'enabled'}}; (this cannot be turned off again), then run again",
    );
    expect(keyspacesRefusal('Shop', 'orders', { ...documented, ttl: { status: 'enabled' } })).toMatch(/^the target table "Shop"\.orders in Amazon Keyspaces has client-side timestamps off, .* WITH custom_properties = \{'client_side_timestamps': \{'status': 'enabled'\}\};/);
    expect(keyspacesRefusal('shop', 'orders', null)).toMatch(/has client-side timestamps and custom TTL off/);
  });
});
