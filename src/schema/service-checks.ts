import { quoteIdentifier } from './cql-type.js';

/** Amazon Keyspaces' per-table settings, as system_schema_mcs.tables holds them in custom_properties. */
export type CustomProperties = Readonly<Record<string, Readonly<Record<string, string>> | null>>;

/**
 * Amazon Keyspaces takes `USING TIMESTAMP` only on tables with client-side timestamps turned on, and
 * `USING TTL` only with custom TTL on; every write of the copy and of validate's corrections carries both.
 * The one line to stop with when a table lacks them, with the statement that turns them on; null when
 * both are on. Pure: the row is read by the caller.
 */
export function keyspacesRefusal(keyspace: string, table: string, properties: CustomProperties | null): string | null {
  const on = (name: string) => String(properties?.[name]?.status ?? '').toLowerCase() === 'enabled';
  const missing = [on('client_side_timestamps') ? null : "'client_side_timestamps': {'status': 'enabled'}", on('ttl') ? null : "'ttl': {'status': 'enabled'}"].filter((p) => p !== null);
  if (missing.length === 0) return null;
  const name = `${quoteIdentifier(keyspace)}.${quoteIdentifier(table)}`;
  const what = [on('client_side_timestamps') ? null : 'client-side timestamps', on('ttl') ? null : 'custom TTL'].filter(Boolean).join(' and ');
  return `the target table ${name} in Amazon Keyspaces has ${what} off, and every write of migrate carries USING TIMESTAMP and TTL: run ALTER TABLE ${name} WITH custom_properties = {${missing.join(', ')}}; (this cannot be turned off again), then run again`;
}
