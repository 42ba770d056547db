import cassandra from 'cassandra-driver';

/**
 * A test double of a dual-write proxy (ZDM Proxy and the like): every statement goes to both clusters with
 * one client-side write timestamp, as the application's driver sets it. `clockSkewSeconds` puts that
 * timestamp in the past, as an application host whose clock runs slow does. Counter updates carry no
 * timestamp (Cassandra allows none).
 */
export class DualWriter {
  private last = 0n;
  acknowledged = 0;

  constructor(
    private readonly source: cassandra.Client,
    private readonly target: cassandra.Client,
    private readonly clockSkewSeconds = 0,
  ) {}

  /** The application's clock, in microseconds, strictly increasing (drivers' timestamp generators are). */
  private now(): bigint {
    const micros = BigInt(Date.now()) * 1000n - BigInt(this.clockSkewSeconds) * 1_000_000n;
    this.last = micros > this.last ? micros : this.last + 1n;
    return this.last;
  }

  async execute(query: string, params: unknown[], counter = false): Promise<void> {
    const options: cassandra.QueryOptions = { prepare: true, ...(counter ? {} : { timestamp: cassandra.types.Long.fromString(this.now().toString()) }) };
    await Promise.all([this.source.execute(query, params, options), this.target.execute(query, params, options)]);
    this.acknowledged++;
  }
}

/** Runs `op` over and over with `concurrency` callers until `stop()`, bounded in count and time. */
export function runUntilStopped(op: (i: number) => Promise<void>, { concurrency = 4, maxOps = 200_000, maxMillis = 600_000 } = {}) {
  let stopped = false;
  let issued = 0;
  const started = Date.now();
  const errors: unknown[] = [];
  const loop = async () => {
    while (!stopped && issued < maxOps && Date.now() - started < maxMillis) {
      const i = issued++;
      try {
        await op(i);
      } catch (error) {
        errors.push(error);
      }
    }
  };
  const loops = Array.from({ length: concurrency }, loop);
  return {
    async stop(): Promise<{ ops: number; errors: unknown[] }> {
      stopped = true;
      await Promise.all(loops);
      return { ops: issued, errors };
    },
  };
}
