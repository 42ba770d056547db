/**
 * What kind of cluster a session reached, told apart by what each exposes, and what that changes in the
 * tool. Pure: the facts are read at connect (connect/driver-client.ts and session.ts), the decisions here.
 * Apache Cassandra is told by its version; the managed services by what their documentation says they show:
 * - Astra DB: reached through a Secure Connect Bundle (only Astra issues them), or its *.astra.datastax.com hosts;
 * - Azure Cosmos DB for Apache Cassandra: its *.cassandra.cosmos.azure.com (.cn) hosts;
 * - Amazon Keyspaces: the com.amazonaws.cassandra partitioners, the system_schema_mcs keyspace, or its
 *   cassandra.REGION.amazonaws.com hosts;
 * - ScyllaDB: its own system tables (system.scylla_local);
 * - DataStax Enterprise: dse_version in system.local.
 */
export const PROFILE_NAMES = ['cassandra', 'dse', 'astra', 'cosmos', 'keyspaces', 'scylla'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

export interface ClusterFacts {
  /** The contact points' host names (none with a bundle). */
  hosts: readonly string[];
  bundle: boolean;
  releaseVersion: string;
  partitioner: string;
  /** The tables of the `system` keyspace, and every keyspace, as system_schema lists them. */
  systemTables: readonly string[];
  keyspaces: readonly string[];
  /** The columns system.local has. */
  localColumns: readonly string[];
}

export function detectProfile(facts: ClusterFacts): ProfileName {
  const host = (pattern: RegExp) => facts.hosts.some((h) => pattern.test(h.toLowerCase()));
  if (facts.bundle || host(/\.astra\.datastax\.com$/)) return 'astra';
  if (host(/\.cassandra\.cosmos\.azure\.(com|cn)$/)) return 'cosmos';
  if (facts.partitioner.startsWith('com.amazonaws.cassandra.') || facts.keyspaces.includes('system_schema_mcs') || host(/^cassandra(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/)) return 'keyspaces';
  if (facts.systemTables.includes('scylla_local')) return 'scylla';
  if (facts.localColumns.includes('dse_version')) return 'dse';
  return 'cassandra';
}

/** What the tool does differently on each kind of target. */
export interface Profile {
  name: ProfileName;
  /** For the run's first line and summary.json, e.g. "Apache Cassandra 5.0.9", "Amazon Keyspaces". */
  label: string;
  /** The most statements an unlogged batch may hold (Keyspaces: 30); undefined: no limit of the service's. */
  maxBatchStatements: number | undefined;
  /** Whether lightweight transactions work there, which the ledger of `--state cassandra` needs. */
  lightweightTransactions: boolean;
  /** The ledger's lightweight transactions: Astra takes LOCAL_SERIAL (with LOCAL_QUORUM) only. */
  serial: 'serial' | 'local';
  /** How validate repairs lists: Astra's guardrails refuse removal by value and by index. */
  listRemoval: 'by-value' | 'whole-list';
  /** Whether `CREATE KEYSPACE` over CQL is accepted (Astra: keyspaces are made in its console). */
  createsKeyspaces: boolean;
  /** Table options `migrate schema` adds to each CREATE TABLE (Cosmos DB's per-cell writetimes and TTLs). */
  tableOptions: Readonly<Record<string, string>>;
}

const LABELS: Record<ProfileName, string> = {
  cassandra: 'Apache Cassandra',
  dse: 'DataStax Enterprise',
  astra: 'Astra DB',
  cosmos: 'Azure Cosmos DB for Apache Cassandra',
  keyspaces: 'Amazon Keyspaces',
  scylla: 'ScyllaDB',
};

const PLAIN: Omit<Profile, 'name' | 'label'> = {
  maxBatchStatements: undefined,
  lightweightTransactions: true,
  serial: 'serial',
  listRemoval: 'by-value',
  createsKeyspaces: true,
  tableOptions: {},
};

const DIFFERENCES: Record<ProfileName, Partial<Omit<Profile, 'name' | 'label'>>> = {
  cassandra: {},
  dse: {},
  astra: { listRemoval: 'whole-list', createsKeyspaces: false, serial: 'local' },
  // Lightweight transactions are unavailable on accounts that write in several regions: the ledger is kept locally.
  cosmos: {
    lightweightTransactions: false,
    tableOptions: { cosmosdb_cell_level_timestamp: 'true', cosmosdb_cell_level_timestamp_tombstones: 'true', cosmosdb_cell_level_timetolive: 'true' },
  },
  keyspaces: { maxBatchStatements: 30 },
  // Tables in tablets keyspaces take no lightweight transactions.
  scylla: { lightweightTransactions: false },
};

/** The keyspace and table a CREATE TABLE statement makes (names as stored: unquoted), for services that create them asynchronously. */
export function createdTableOf(statement: string): { keyspace: string; table: string } | undefined {
  const name = String.raw`("(?:[^"]|"")+"|\w+)`;
  const m = new RegExp(String.raw`^\s*CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?${name}\.${name}`, 'i').exec(statement);
  if (!m) return undefined;
  const unquote = (n: string) => (n.startsWith('"') ? n.slice(1, -1).replace(/""/g, '"') : n.toLowerCase());
  return { keyspace: unquote(m[1] as string), table: unquote(m[2] as string) };
}

export function profileOf(name: ProfileName, releaseVersion: string): Profile {
  const label = name === 'cassandra' || name === 'scylla' || name === 'dse' ? `${LABELS[name]} ${releaseVersion}` : LABELS[name];
  return { name, label, ...PLAIN, ...DIFFERENCES[name] };
}
