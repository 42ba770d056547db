import type { SharedBatchLimits } from '../write/batch-plan.js';
import type { Session } from './session.js';

/**
 * The target's own warning thresholds for batches spanning partitions, as its node reports them in
 * system_views.settings (Cassandra 4.0 and later): Cassandra 4.1 and 5.0 name them
 * `batch_size_warn_threshold` ("5KiB") and list 4.0's `batch_size_warn_threshold_in_kb` ("5") as well.
 * Undefined where the table or a setting is missing (earlier versions, ScyllaDB, and the managed services,
 * whose rules for such batches we cannot read): then every batch stays within one partition.
 */
export async function readSharedBatchLimits(target: Session): Promise<SharedBatchLimits | undefined> {
  let rows: { name: string; value: string | null }[];
  try {
    const result = await target.readOnOneNode(
      "SELECT name, value FROM system_views.settings WHERE name IN ('batch_size_warn_threshold', 'batch_size_warn_threshold_in_kb', 'unlogged_batch_across_partitions_warn_threshold')",
    );
    rows = result.rows.map((row) => ({ name: String(row.get('name')), value: row.get('value') as string | null }));
  } catch {
    return undefined;
  }
  return sharedBatchLimitsOf(rows);
}

/** Pure: the limits from the settings' rows, or undefined unless both are there and make sense. */
export function sharedBatchLimitsOf(rows: readonly { name: string; value: string | null }[]): SharedBatchLimits | undefined {
  const setting = (name: string) => rows.find((row) => row.name === name)?.value ?? undefined;
  const bytes = sizeOf(setting('batch_size_warn_threshold')) ?? kibibytes(setting('batch_size_warn_threshold_in_kb'));
  const partitions = Number(setting('unlogged_batch_across_partitions_warn_threshold'));
  if (bytes === undefined || !Number.isInteger(partitions) || partitions < 2) return undefined;
  return { bytes, partitions };
}

const UNITS: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2 };

/** A DataStorageSpec value of Cassandra 4.1 and later: "5KiB", "5120B", "1MiB". */
function sizeOf(value: string | undefined): number | undefined {
  const m = value === undefined ? null : /^(\d+)(B|KiB|MiB)$/.exec(value.trim());
  return m ? Number(m[1]) * (UNITS[m[2] as string] as number) : undefined;
}

function kibibytes(value: string | undefined): number | undefined {
  return value !== undefined && /^\d+$/.test(value.trim()) ? Number(value) * 1024 : undefined;
}
