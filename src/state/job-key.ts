/** One end of a job: a cluster (by what it is, not how its contact points are spelled) and a table, or `*` for a keyspace job. */
export interface JobEnd {
  cluster: string;
  keyspace: string;
  table: string;
}

/**
 * What makes two runs the same job: one lock, one state, `--resume` finds the other. Kept in the store as
 * the text `encodeJobKey` writes (a lock's key, a run record's jobKey), which `parseJobKey` reads back.
 */
export interface JobKey {
  command: 'copy' | 'validate';
  source: JobEnd;
  target: JobEnd;
  shard?: { index: number; count: number } | undefined;
}

// Keyspace and table names are word characters in Cassandra; a cluster's identity may hold anything else.
const JOB_KEY = /^(copy|validate) (.+)\/(\w+)\.(\w+|\*) -> (.+)\/(\w+)\.(\w+|\*)(?: \[shard (\d+)\/(\d+)\])?$/;

/** `copy CLUSTER/ks.t -> CLUSTER/ks.t [shard I/N]`: the text earlier versions wrote too, so their runs still match. */
export function encodeJobKey(key: JobKey): string {
  const end = (e: JobEnd) => `${e.cluster}/${e.keyspace}.${e.table}`;
  return `${key.command} ${end(key.source)} -> ${end(key.target)}${key.shard ? ` [shard ${key.shard.index}/${key.shard.count}]` : ''}`;
}

/** A stored job key read back; undefined for text no version of the tool wrote. */
export function parseJobKey(text: string): JobKey | undefined {
  const m = JOB_KEY.exec(text);
  if (!m) return undefined;
  const [, command, sourceCluster, sourceKeyspace, sourceTable, targetCluster, targetKeyspace, targetTable, index, count] = m as unknown as string[];
  return {
    command: command as JobKey['command'],
    source: { cluster: sourceCluster as string, keyspace: sourceKeyspace as string, table: sourceTable as string },
    target: { cluster: targetCluster as string, keyspace: targetKeyspace as string, table: targetTable as string },
    shard: index === undefined ? undefined : { index: Number(index), count: Number(count) },
  };
}

/** Whether two jobs move the same source table to the same target table (any command, any shard). */
export function sameTablePair(a: JobKey, b: JobKey): boolean {
  const same = (x: JobEnd, y: JobEnd) => x.cluster === y.cluster && x.keyspace === y.keyspace && x.table === y.table;
  return same(a.source, b.source) && same(a.target, b.target);
}
