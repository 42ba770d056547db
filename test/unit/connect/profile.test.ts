import { describe, expect, it } from 'vitest';
import { type ClusterFacts, createdTableOf, detectProfile, profileOf } from '../../../src/connect/profile.js';

// What each kind of cluster exposes, from our nodes (Apache Cassandra 5.0.9) and from each service's documentation.
const cassandra: ClusterFacts = {
  hosts: ['10.0.0.1'],
  bundle: false,
  releaseVersion: '5.0.9',
  partitioner: 'org.apache.cassandra.dht.Murmur3Partitioner',
  systemTables: ['local', 'peers', 'peers_v2', 'size_estimates', 'paxos'],
  keyspaces: ['system', 'system_schema', 'system_auth', 'shop'],
  localColumns: ['key', 'bootstrapped', 'cluster_name', 'data_center', 'host_id', 'partitioner', 'release_version', 'tokens'],
};

describe('target profiles', () => {
  it('are told apart by what each exposes', () => {
    expect(detectProfile(cassandra)).toBe('cassandra');
    expect(detectProfile({ ...cassandra, bundle: true, hosts: [] })).toBe('astra');
    expect(detectProfile({ ...cassandra, hosts: ['0d4b1c2e-us-east1.apps.astra.datastax.com'] })).toBe('astra');
    expect(detectProfile({ ...cassandra, hosts: ['myaccount.cassandra.cosmos.azure.com'], releaseVersion: '3.11.0' })).toBe('cosmos');
    expect(detectProfile({ ...cassandra, partitioner: 'com.amazonaws.cassandra.DefaultPartitioner' })).toBe('keyspaces');
    expect(detectProfile({ ...cassandra, keyspaces: [...cassandra.keyspaces, 'system_schema_mcs'] })).toBe('keyspaces');
    expect(detectProfile({ ...cassandra, hosts: ['cassandra.us-east-1.amazonaws.com'] })).toBe('keyspaces');
    expect(detectProfile({ ...cassandra, systemTables: [...cassandra.systemTables, 'scylla_local'] })).toBe('scylla');
    expect(detectProfile({ ...cassandra, localColumns: [...cassandra.localColumns, 'dse_version'] })).toBe('dse');
  });

  it('a CREATE TABLE names the table Keyspaces is asked about until it is ACTIVE', () => {
    expect(createdTableOf('CREATE TABLE shop.orders (\n    id int PRIMARY KEY\n) WITH comment = \'\';')).toEqual({ keyspace: 'shop', table: 'orders' });
    expect(createdTableOf('create table if not exists "Shop"."My""Table" (id int PRIMARY KEY)')).toEqual({ keyspace: 'Shop', table: 'My"Table' });
    expect(createdTableOf('CREATE TABLE Shop.Orders (id int PRIMARY KEY)')).toEqual({ keyspace: 'shop', table: 'orders' });
    expect(createdTableOf('CREATE TYPE shop.address (street text)')).toBeUndefined();
  });

  it('shape what the tool does on each', () => {
    expect(profileOf('cassandra', '5.0.9')).toMatchObject({ label: 'Apache Cassandra 5.0.9', maxBatchStatements: undefined, lightweightTransactions: true, listRemoval: 'by-value', createsKeyspaces: true, tableOptions: {} });
    expect(profileOf('keyspaces', '3.11.2')).toMatchObject({ label: 'Amazon Keyspaces', maxBatchStatements: 30 });
    expect(profileOf('astra', '4.0.0')).toMatchObject({ label: 'Astra DB', listRemoval: 'whole-list', createsKeyspaces: false, serial: 'local' });
    expect(profileOf('cosmos', '3.11.0')).toMatchObject({
      lightweightTransactions: false,
      tableOptions: { cosmosdb_cell_level_timestamp: 'true', cosmosdb_cell_level_timestamp_tombstones: 'true', cosmosdb_cell_level_timetolive: 'true' },
    });
    expect(profileOf('scylla', '6.2.0')).toMatchObject({ label: 'ScyllaDB 6.2.0', lightweightTransactions: false });
  });
});
