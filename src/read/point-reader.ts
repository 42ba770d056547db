import type { Session } from '../connect/session.js';
import type { TableSchema } from '../schema/table-schema.js';
import { keyQuery, partitionQuery, type RawRow, type ReadPlan, rawRowsOf } from './select.js';

export interface PointReadOptions {
  inFlight: <T>(task: () => Promise<T>) => Promise<T>;
}

/**
 * Reads one row by its whole primary key, or with the partition key alone the partition's first row (a
 * partition's statics, or its static-only row). Null when there is none.
 */
export class PointReader {
  private readonly byKey: string;
  private readonly byPartition: string;

  constructor(
    private readonly session: Session,
    plan: ReadPlan,
    schema: TableSchema,
    private readonly options: PointReadOptions,
  ) {
    this.byKey = keyQuery(plan, schema);
    this.byPartition = `${partitionQuery(plan, schema)} LIMIT 1`;
  }

  async read(keys: Buffer[], partitionOnly: boolean): Promise<RawRow | null> {
    const query = partitionOnly ? this.byPartition : this.byKey;
    const result = await this.options.inFlight(() => this.session.read(query, keys));
    return rawRowsOf(result)[0] ?? null;
  }
}
