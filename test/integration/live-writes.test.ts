import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import cassandra from 'cassandra-driver';
import { describe, expect, it } from 'vitest';
import { prng } from '../../examples/sample-data.mjs';
import type { Summary } from '../../src/report/summary.js';
import { jobArgs, runCli } from '../support/cli.js';
import { dropKeyspace } from '../support/clusters.js';
import { clientsForFile } from '../support/file-clients.js';
import { DualWriter, runUntilStopped } from '../support/dual-writer.js';
import { dumpTable } from '../support/table-dump.js';

/**
 * The play this tool exists for: history in the source, a dual-write proxy (a test double that does what
 * the proxy does) writing to both clusters all through copy, validate and validate --autocorrect, then
 * the writer stopped, one more validate --autocorrect --delete-extra, and a final validate. Afterwards an
 * independent comparison of every value (lists in order, statics, counters) must find the clusters equal.
 */
const PARTITIONS = 200;
/** Ranges in flight and worker processes of every run (LIVE_CONCURRENCY, LIVE_WORKERS; unset: the tool's defaults). */
const envTuning = { concurrency: process.env.LIVE_CONCURRENCY, workers: process.env.LIVE_WORKERS };
const ROWS_PER_PARTITION = 10;
const DAY = 86_400_000_000n;

const clients = clientsForFile();

const schema = (ks: string) => [
  `CREATE KEYSPACE ${ks} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
  `CREATE TABLE ${ks}.items (pk int, ck int, st text STATIC, v text, n int, l list<int>, tags set<text>, attrs map<text, int>, PRIMARY KEY (pk, ck))`,
  `CREATE TABLE ${ks}.hits (pk int, ck int, c counter, PRIMARY KEY (pk, ck))`,
];

async function loadHistory(ks: string): Promise<void> {
  const source = clients.source();
  const random = prng(7);
  const old = BigInt(Date.now()) * 1000n - 30n * DAY;
  const writes: Promise<unknown>[] = [];
  for (let pk = 0; pk < PARTITIONS; pk++) {
    writes.push(source.execute(`UPDATE ${ks}.items USING TIMESTAMP ? SET st = ? WHERE pk = ?`, [(old + BigInt(pk)).toString(), `static-${pk}`, pk], { prepare: true }));
    for (let ck = 0; ck < ROWS_PER_PARTITION; ck++) {
      const at = (old + BigInt(pk * 100 + ck)).toString();
      // Rows written by INSERT (with a row marker) and by UPDATE (without), with several writetimes each.
      if (ck % 3 === 0) writes.push(source.execute(`UPDATE ${ks}.items USING TIMESTAMP ? SET v = ?, n = ? WHERE pk = ? AND ck = ?`, [at, `h${pk}.${ck}`, ck, pk, ck], { prepare: true }));
      else writes.push(source.execute(`INSERT INTO ${ks}.items (pk, ck, v, n, l, tags, attrs) VALUES (?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?`, [pk, ck, `h${pk}.${ck}`, ck, [ck, ck + 1], new Set([`t${ck}`]), new Map([[`a${ck}`, ck]]), at], { prepare: true }));
      writes.push(source.execute(`UPDATE ${ks}.items USING TIMESTAMP ? SET l = l + ? WHERE pk = ? AND ck = ?`, [(old + DAY + BigInt(ck)).toString(), [Math.floor(random() * 100)], pk, ck], { prepare: true }));
      writes.push(source.execute(`UPDATE ${ks}.hits SET c = c + ? WHERE pk = ? AND ck = ?`, [cassandra.types.Long.fromNumber(ck + 1), pk, ck], { prepare: true }));
    }
    if (writes.length > 400) await Promise.all(writes.splice(0));
  }
  await Promise.all(writes);
}

/** One live operation of the application, chosen at random, sent through the proxy double. */
function liveOp(ks: string, proxy: DualWriter, seed: number) {
  const random = prng(seed);
  const int = (n: number) => Math.floor(random() * n);
  const ops: ((pk: number, ck: number) => Promise<void>)[] = [
    (pk, ck) => proxy.execute(`INSERT INTO ${ks}.items (pk, ck, v, n) VALUES (?, ?, ?, ?)`, [pk, ck, `up${int(1000)}`, int(1000)]),
    (pk, ck) => proxy.execute(`UPDATE ${ks}.items SET n = ? WHERE pk = ? AND ck = ?`, [int(1000), pk, ck]),
    (pk, ck) => proxy.execute(`UPDATE ${ks}.items SET l = l + ? WHERE pk = ? AND ck = ?`, [[int(1000)], pk, ck]),
    (pk, ck) => proxy.execute(`UPDATE ${ks}.items SET l = ? + l WHERE pk = ? AND ck = ?`, [[int(1000)], pk, ck]),
    (pk, ck) => proxy.execute(`UPDATE ${ks}.items SET l = ? WHERE pk = ? AND ck = ?`, [[int(1000), int(1000)], pk, ck]),
    (pk, ck) => proxy.execute(`UPDATE ${ks}.items SET tags = ? WHERE pk = ? AND ck = ?`, [new Set([`r${int(50)}`]), pk, ck]),
    (pk, ck) => proxy.execute(`UPDATE ${ks}.items SET tags = tags + ? WHERE pk = ? AND ck = ?`, [new Set([`n${int(50)}`]), pk, ck]),
    (pk, ck) => proxy.execute(`UPDATE ${ks}.items SET tags = tags - ? WHERE pk = ? AND ck = ?`, [new Set([`t${ck}`]), pk, ck]),
    (pk, ck) => proxy.execute(`UPDATE ${ks}.items SET attrs = ? WHERE pk = ? AND ck = ?`, [new Map([[`r${int(9)}`, int(99)]]), pk, ck]),
    (pk, ck) => proxy.execute(`UPDATE ${ks}.items SET attrs = attrs + ? WHERE pk = ? AND ck = ?`, [new Map([[`m${int(9)}`, int(99)]]), pk, ck]),
    (pk, ck) => proxy.execute(`DELETE attrs[?] FROM ${ks}.items WHERE pk = ? AND ck = ?`, [`a${ck}`, pk, ck]),
    (pk) => proxy.execute(`UPDATE ${ks}.items SET st = ? WHERE pk = ?`, [`live-${int(1000)}`, pk]),
    (pk, ck) => proxy.execute(`UPDATE ${ks}.items USING TTL 86400 SET v = ? WHERE pk = ? AND ck = ?`, [`ttl${int(1000)}`, pk, ck]),
    (pk, ck) => proxy.execute(`DELETE FROM ${ks}.items WHERE pk = ? AND ck = ?`, [pk, ck]),
    (pk, ck) => proxy.execute(`DELETE v FROM ${ks}.items WHERE pk = ? AND ck = ?`, [pk, ck]),
    (pk, ck) => proxy.execute(`UPDATE ${ks}.hits SET c = c + 1 WHERE pk = ? AND ck = ?`, [pk, ck], true),
    (pk, ck) => proxy.execute(`UPDATE ${ks}.hits SET c = c + 1 WHERE pk = ? AND ck = ?`, [pk, ck], true),
  ];
  // Keys of the history and a few new ones.
  return (ops[int(ops.length)] as (pk: number, ck: number) => Promise<void>)(int(PARTITIONS + 5), int(ROWS_PER_PARTITION + 2));
}

interface Run {
  code: number;
  summary: Summary;
  err: string;
}

const pick = ({ missing, mismatched, extra, targetNewer, corrected, deleted }: Summary) => ({ missing, mismatched, extra, targetNewer, corrected, deleted });

interface Tuning {
  concurrency?: string | undefined;
  workers?: string | undefined;
}

async function scenario(clockSkewSeconds: number, tuning: Tuning = envTuning): Promise<void> {
  const [source, target] = [clients.source(), clients.target()];
  const ks = `live_skew_${clockSkewSeconds}${tuning.concurrency ? `_c${tuning.concurrency}` : ''}${tuning.workers ? `_w${tuning.workers}` : ''}`;
  const tuningArgs = [...(tuning.concurrency ? ['--concurrency', tuning.concurrency] : []), ...(tuning.workers ? ['--workers', tuning.workers] : [])];
  for (const client of [source, target]) {
    await dropKeyspace(client, ks);
    for (const statement of schema(ks)) await client.execute(statement);
  }
  await loadHistory(ks);
  const stateDir = await mkdtemp(join(tmpdir(), 'migrate-live-'));
  const migrate = async (command: 'copy' | 'validate', table: string, extra: string[] = []): Promise<Run> => {
    const run = await runCli([command, ...jobArgs(ks, table, stateDir, ['--json', '--splits', '16', ...tuningArgs, ...extra])]);
    return { code: run.code, summary: run.out ? (JSON.parse(run.out) as Summary) : ({} as Summary), err: run.err };
  };
  const both = async (command: 'copy' | 'validate', extra: string[] = []) => ({ items: await migrate(command, 'items', extra), hits: await migrate(command, 'hits', extra) });

  const proxy = new DualWriter(source, target, clockSkewSeconds);
  const writer = runUntilStopped((i) => liveOp(ks, proxy, i * 7919 + clockSkewSeconds));
  let stopped: { ops: number; errors: unknown[] };
  try {
    const copied = await both('copy');
    expect({ items: copied.items.code, hits: copied.hits.code, err: copied.items.err + copied.hits.err }).toEqual({ items: 0, hits: 0, err: '' });
    const during = await both('validate');
    const corrected = await both('validate', ['--autocorrect', '--delete-extra']);
    console.log(`skew ${clockSkewSeconds}s ${tuningArgs.join(' ')}: ${proxy.acknowledged} live writes by the end of the copy-validate-correct runs; first validate of items ${JSON.stringify(pick(during.items.summary))}; autocorrect ${JSON.stringify(pick(corrected.items.summary))}, hits ${JSON.stringify(pick(corrected.hits.summary))}`);
  } finally {
    stopped = await writer.stop();
  }
  expect(stopped.errors).toEqual([]);
  expect(proxy.acknowledged).toBeGreaterThan(200);

  const after = await both('validate', ['--autocorrect', '--delete-extra']);
  console.log(`skew ${clockSkewSeconds}s, writer stopped: items ${JSON.stringify(pick(after.items.summary))}, hits ${JSON.stringify(pick(after.hits.summary))}`);
  const final = await both('validate');
  for (const [table, run] of Object.entries(final)) {
    const { missing, mismatched, extra, targetNewer } = run.summary;
    expect({ table, code: run.code, err: run.err, missing, mismatched, extra, targetNewer }).toEqual({ table, code: 0, err: '', missing: 0, mismatched: 0, extra: 0, targetNewer: 0 });
  }

  // Independent of the code under test: every value of both tables, lists in order.
  for (const table of ['items', 'hits']) {
    const values = async (client: cassandra.Client) =>
      new Map([...(await dumpTable(client, ks, table))].map(([key, row]) => [key, Object.fromEntries(Object.entries(row).map(([c, cell]) => [c, cell.value]))]));
    const [fromSource, fromTarget] = [await values(source), await values(target)];
    expect(fromSource.size).toBeGreaterThan(PARTITIONS);
    expect(new Map([...fromTarget].sort())).toEqual(new Map([...fromSource].sort()));
  }
}

describe('live writes through a dual-write proxy during copy and validate', () => {
  it('clocks in step: the target ends equal to the source', () => scenario(0), 300_000);
  it('application clock 30 s slow (inside the skew margin): the target ends equal to the source', () => scenario(30), 300_000);
  it('application clock 120 s slow (outside the margin): equal after the autocorrect run that follows the writer', () => scenario(120), 300_000);
  // Many ranges in flight: list repairs race live appends and prepends to the same rows far more often.
  it('clocks in step, 16 ranges in flight: the target ends equal to the source', () => scenario(0, { ...envTuning, concurrency: '16' }), 300_000);
});
