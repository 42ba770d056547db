import type { Statement } from '../connect/session.js';
import type { RawRow, ReadPlan } from '../read/select.js';
import { bigintBytes, readBigint } from '../read/serialized.js';
import type { TableSchema } from '../schema/table-schema.js';
import type { TargetTable } from '../schema/target-table.js';

/**
 * Counters cannot be written, only incremented, and an increment is not idempotent. So the copy adds the
 * difference between source and target: `c = c + (source - target)`; a rerun finds nothing left to add.
 * Pure: the caller reads the target row (`targetRow`, same plan, null when absent).
 */
export function counterStatement(source: TableSchema, plan: ReadPlan, target: TargetTable, row: RawRow, targetRow: RawRow | null, withStatics: boolean): Statement | null {
  const partitionKeyCount = source.partitionKey.length;
  const keys = plan.keySlots.map((slot) => row[slot] ?? null);
  const staticOnly = source.clustering.length > 0 && keys[partitionKeyCount] === null;
  const name = (column: string) => target.columnName(column);
  const assignments: string[] = [];
  const deltas: Buffer[] = [];
  for (const slot of plan.cells) {
    const isStatic = slot.column.kind === 'static';
    if (isStatic ? !withStatics : staticOnly) continue;
    const sourceCell = row[slot.value] ?? null;
    const targetCell = targetRow?.[slot.value] ?? null;
    const want = sourceCell ? readBigint(sourceCell) : 0n;
    const have = targetCell ? readBigint(targetCell) : 0n;
    // A counter at 0 is a cell all the same: adding 0 creates it where the target has none.
    if (want === have && (sourceCell === null || targetCell !== null)) continue;
    const column = name(slot.column.name);
    assignments.push(`${column} = ${column} + ?`);
    deltas.push(bigintBytes(want - have));
  }
  if (assignments.length === 0) return null;
  const keyColumns = [...source.partitionKey, ...(staticOnly ? [] : source.clustering)];
  return {
    query: `UPDATE ${target.qualifiedName} SET ${assignments.join(', ')} WHERE ${keyColumns.map((c) => `${name(c.name)} = ?`).join(' AND ')}`,
    params: [...deltas, ...(staticOnly ? keys.slice(0, partitionKeyCount) : keys)],
  };
}
