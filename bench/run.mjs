// npm run bench: throughput and memory of copy and validate on the local clusters, as ratios from one run.
//
//   node bench/run.mjs [ROWS]      (default 1000000; the memory check also loads ROWS / 10)
//
// 1. copy rows/s: `migrate copy` (raw bytes) against a baseline copy through the driver's own decoding and
//    encoding (what a plain driver program does), same concurrency, same table.
// 2. validate rows/s on the copied table.
// 3. validate peak RSS on a table ROWS/10 rows and on one of ROWS rows: the ratio shows that memory is bounded
//    by the per-range budget, not by table size.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { Readable } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import cassandra from 'cassandra-driver';

const root = fileURLToPath(new URL('..', import.meta.url));
const ROWS = Number(process.argv[2] ?? 1_000_000);
const SOURCE = '127.0.0.1:19042';
const TARGET = '127.0.0.1:29042';
const KS = 'bench';
const CONCURRENCY = 8;

const client = (contactPoint) => {
  const [host, port] = contactPoint.split(':');
  return new cassandra.Client({
    contactPoints: [host], protocolOptions: { port: Number(port) }, localDataCenter: 'datacenter1',
    encoding: { map: Map, set: Set }, socketOptions: { readTimeout: 120_000 },
    queryOptions: { consistency: cassandra.types.consistencies.localQuorum, prepare: true },
  });
};

// 20 columns of mixed types: the shape decoding cost is usually quoted for.
const COLUMNS = [
  ['c_text1', 'text'], ['c_text2', 'text'], ['c_int1', 'int'], ['c_int2', 'int'], ['c_big1', 'bigint'], ['c_big2', 'bigint'],
  ['c_dbl', 'double'], ['c_flt', 'float'], ['c_bool', 'boolean'], ['c_ts', 'timestamp'], ['c_uuid', 'uuid'], ['c_dec', 'decimal'],
  ['c_blob', 'blob'], ['c_date', 'date'], ['c_inet', 'inet'], ['c_set', 'set<text>'], ['c_map', 'map<text, int>'], ['c_list', 'list<int>'],
];

async function createTable(c, table) {
  await c.execute(`CREATE KEYSPACE IF NOT EXISTS ${KS} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`);
  await c.execute(`DROP TABLE IF EXISTS ${KS}.${table}`);
  await c.execute(`CREATE TABLE ${KS}.${table} (pk int, ck int, ${COLUMNS.map(([n, t]) => `${n} ${t}`).join(', ')}, PRIMARY KEY (pk, ck))`);
}

async function load(c, table, rows) {
  const { types } = cassandra;
  const insert = `INSERT INTO ${KS}.${table} (pk, ck, ${COLUMNS.map(([n]) => n).join(', ')}) VALUES (${['?', '?', ...COLUMNS.map(() => '?')].join(', ')})`;
  function* params() {
    for (let i = 0; i < rows; i++) {
      yield [
        Math.floor(i / 10), i % 10, `text value ${i}`, `another somewhat longer text value number ${i}`, i, -i, types.Long.fromNumber(i * 1000), types.Long.fromNumber(-i),
        i / 7, i / 3, i % 2 === 0, new Date(1_600_000_000_000 + i), types.Uuid.random(), types.BigDecimal.fromString(`${i}.${i % 100}`),
        Buffer.from([i & 255, (i >> 8) & 255, 1, 2, 3, 4]), types.LocalDate.fromString('2024-05-17'), types.InetAddress.fromString(`10.1.${(i >> 8) & 255}.${i & 255}`),
        new Set([`a${i % 5}`, `b${i % 7}`]), new Map([['x', i], ['y', -i]]), [i, i + 1, i + 2],
      ];
    }
  }
  const result = await cassandra.concurrent.executeConcurrent(c, insert, Readable.from(params()), { concurrencyLevel: 128, raiseOnFirstError: true });
  if (result.errors.length) throw result.errors[0];
}

/** The plain driver program: paged reads decoded to JS values, written back through prepared INSERTs. */
async function baselineCopy(source, target, table, targetTable) {
  const names = ['pk', 'ck', ...COLUMNS.map(([n]) => n)];
  const insert = `INSERT INTO ${KS}.${targetTable} (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')}) USING TIMESTAMP ?`;
  const stamp = cassandra.types.Long.fromString(`${BigInt(Date.now()) * 1000n - 60_000_000n}`);
  const tokens = [];
  const span = 2n ** 64n / BigInt(CONCURRENCY * 2);
  for (let i = 0n; i < BigInt(CONCURRENCY * 2); i++) tokens.push([-(2n ** 63n) + i * span, i === BigInt(CONCURRENCY * 2 - 1) ? 2n ** 63n - 1n : -(2n ** 63n) + (i + 1n) * span]);
  let next = 0;
  const worker = async () => {
    while (next < tokens.length) {
      const [start, end] = tokens[next++];
      let pageState;
      do {
        const rs = await source.execute(`SELECT ${names.join(', ')} FROM ${KS}.${table} WHERE token(pk) > ? AND token(pk) <= ?`, [start.toString(), end.toString()], { prepare: true, fetchSize: 1000, pageState });
        const written = await cassandra.concurrent.executeConcurrent(target, insert, rs.rows.map((row) => [...names.map((n) => row[n]), stamp]), { concurrencyLevel: 32, raiseOnFirstError: true });
        if (written.errors.length) throw written.errors[0];
        pageState = rs.pageState;
      } while (pageState);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

function migrate(args, nodeFlags = []) {
  const started = process.hrtime.bigint();
  const run = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, ...nodeFlags, `${root}dist/cli/main.js`, ...args, '--source', SOURCE, '--target', TARGET, '--keyspace', KS, '--quiet', '--json', '--concurrency', String(CONCURRENCY), '--state-dir', mkdtempSync(join(tmpdir(), 'bench-'))], { encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (run.status !== 0) throw new Error(`migrate ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  const maxRssKb = Number(run.stderr.trim().split('\n').at(-1));
  return { seconds, summary: JSON.parse(run.stdout), maxRssMb: maxRssKb / 1024 };
}

execFileSync('bash', [`${root}scripts/cassandra.sh`, 'start', 'source', 'target'], { stdio: 'inherit' });
const source = client(SOURCE);
const target = client(TARGET);
await Promise.all([source.connect(), target.connect()]);
try {
  const small = Math.round(ROWS / 10);
  console.log(`Loading ${ROWS} and ${small} rows of 20 columns into the source...`);
  const loadStarted = Date.now();
  for (const c of [source, target]) {
    await createTable(c, 'wide');
    await createTable(c, 'wide_small');
    await createTable(c, 'wide_baseline');
  }
  await load(source, 'wide', ROWS);
  await load(source, 'wide_small', small);
  console.log(`loaded in ${((Date.now() - loadStarted) / 1000).toFixed(0)} s`);

  const copy = migrate(['copy', '--table', 'wide']);
  const t0 = process.hrtime.bigint();
  await baselineCopy(source, target, 'wide', 'wide_baseline');
  const baselineSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const validate = migrate(['validate', '--table', 'wide']);
  migrate(['copy', '--table', 'wide_small']);
  const validateSmall = migrate(['validate', '--table', 'wide_small']);
  // Memory is bounded by the range budget once ranges hold more rows than it, in both tables (4000 rows
  // binds from about 90,000 rows on 22 ranges), and V8 collects rather than growing its heap lazily when
  // told a ceiling above the working set.
  const bounded = ['--range-budget', '4000'];
  const capped = ['--max-old-space-size=128'];
  const boundedSmall = migrate(['validate', '--table', 'wide_small', ...bounded], capped);
  const boundedLarge = migrate(['validate', '--table', 'wide', ...bounded], capped);

  const rate = (rows, s) => Math.round(rows / s);
  const lines = [
    `rows: ${ROWS} (20 columns), concurrency ${CONCURRENCY}, on ${(await import('node:os')).availableParallelism()} cores shared with both clusters`,
    `copy:     migrate ${rate(ROWS, copy.seconds)} rows/s vs driver baseline ${rate(ROWS, baselineSeconds)} rows/s: ratio ${(baselineSeconds / copy.seconds).toFixed(2)}x`,
    `validate: ${rate(ROWS * 2, validate.seconds)} rows/s read (both sides), ${validate.summary.missing + validate.summary.mismatched + validate.summary.extra} differences`,
    `validate peak RSS, default settings: ${validateSmall.maxRssMb.toFixed(0)} MB for ${small} rows, ${validate.maxRssMb.toFixed(0)} MB for ${ROWS} rows: ratio ${(validate.maxRssMb / validateSmall.maxRssMb).toFixed(3)}`,
    `validate peak RSS, node --max-old-space-size=128, --range-budget 4000: ${boundedSmall.maxRssMb.toFixed(0)} MB for ${small} rows, ${boundedLarge.maxRssMb.toFixed(0)} MB for ${ROWS} rows: ratio ${(boundedLarge.maxRssMb / boundedSmall.maxRssMb).toFixed(3)} (${(boundedLarge.seconds / validate.seconds).toFixed(2)}x the default run's time)`,
  ];
  console.log(`\n${lines.join('\n')}`);
} finally {
  await Promise.all([source.shutdown(), target.shutdown()]);
}
