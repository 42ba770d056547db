// npm run bench: cql-migrate against its peers on the local clusters, in one run, written to bench/RESULTS.md.
//
//   node bench/run.mjs [ROWS]      (default 1000000; the memory check also copies and validates ROWS / 10)
//
// Contenders, interleaved, each on the same 20-column source table, each writing its own target table:
//   migrate copy (job-start), DSBulk unload | load (one query timestamp), migrate copy --writetime preserve,
//   migrate validate (both sides read), DSBulk unload of full rows (one side: the read reference); and
//   migrate copy against DSBulk on a key-value table of as many rows.
// For each: rows/s (wall clock), tool CPU seconds per million rows (user + sys of every process of the
// tool, children included), and peak RSS (the sum over the tool's processes, sampled every 100 ms).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import cassandra from 'cassandra-driver';
import { DSBULK_VERSION, dsbulk, fetchDsbulk } from './peers.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
// Built by scripts/prepare.mjs before this runs: the defaults RESULTS.md says the run used.
const { IN_FLIGHT_DEFAULTS } = await import(new URL('../dist/config/run-options.js', import.meta.url).href);
const ROWS = Number(process.argv[2] ?? 1_000_000);
const SMALL = Math.round(ROWS / 10);
const SOURCE = ['127.0.0.1', 19042];
const TARGET = ['127.0.0.1', 29042];
/** A RandomPartitioner node: validate across partitioners reads the target once and files it by source range. */
const RANDOM = ['127.0.0.1', 22042];
const KS = 'bench';

const client = ([host, port]) =>
  new cassandra.Client({
    contactPoints: [host], protocolOptions: { port }, localDataCenter: 'datacenter1', socketOptions: { readTimeout: 120_000 },
    queryOptions: { consistency: cassandra.types.consistencies.localQuorum, prepare: true },
  });

// 20 columns of mixed types: the shape decoding cost is usually quoted for.
const COLUMNS = [
  ['c_text1', 'text'], ['c_text2', 'text'], ['c_int1', 'int'], ['c_int2', 'int'], ['c_big1', 'bigint'], ['c_big2', 'bigint'],
  ['c_dbl', 'double'], ['c_flt', 'float'], ['c_bool', 'boolean'], ['c_ts', 'timestamp'], ['c_uuid', 'uuid'], ['c_dec', 'decimal'],
  ['c_blob', 'blob'], ['c_date', 'date'], ['c_inet', 'inet'], ['c_set', 'set<text>'], ['c_map', 'map<text, int>'], ['c_list', 'list<int>'],
];

/** A key-value table (one row per partition), the shape whose small partitions share batches. */
const KEY_VALUE = '(pk int PRIMARY KEY, name text, n bigint, ts timestamp, tags set<text>)';

async function createTable(c, table, shape = `(pk int, ck int, ${COLUMNS.map(([n, t]) => `${n} ${t}`).join(', ')}, PRIMARY KEY (pk, ck))`) {
  await c.execute(`CREATE KEYSPACE IF NOT EXISTS ${KS} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`);
  await c.execute(`DROP TABLE IF EXISTS ${KS}.${table}`);
  await c.execute(`CREATE TABLE ${KS}.${table} ${shape}`);
}

/** Rows written an hour ago: history, older than every copy's job-start stamp. */
const historyStamp = () => cassandra.types.Long.fromString(String(BigInt(Date.now() - 3_600_000) * 1000n));

async function load(c, table, rows) {
  const { types } = cassandra;
  const insert = `INSERT INTO ${KS}.${table} (pk, ck, ${COLUMNS.map(([n]) => n).join(', ')}) VALUES (${['?', '?', ...COLUMNS.map(() => '?')].join(', ')}) USING TIMESTAMP ?`;
  const stamp = historyStamp();
  function* params() {
    for (let i = 0; i < rows; i++) {
      yield [
        Math.floor(i / 10), i % 10, `text value ${i}`, `another somewhat longer text value number ${i}`, i, -i, types.Long.fromNumber(i * 1000), types.Long.fromNumber(-i),
        i / 7, i / 3, i % 2 === 0, new Date(1_600_000_000_000 + i), types.Uuid.random(), types.BigDecimal.fromString(`${i}.${i % 100}`),
        Buffer.from([i & 255, (i >> 8) & 255, 1, 2, 3, 4]), types.LocalDate.fromString('2024-05-17'), types.InetAddress.fromString(`10.1.${(i >> 8) & 255}.${i & 255}`),
        [`a${i % 5}`, `b${i % 7}`], { x: i, y: -i }, [i, i + 1, i + 2], stamp,
      ];
    }
  }
  await loadConcurrently(c, insert, params());
}

async function loadKeyValue(c, table, rows) {
  const { types } = cassandra;
  const stamp = historyStamp();
  function* params() {
    for (let i = 0; i < rows; i++) yield [i, `name number ${i}`, types.Long.fromNumber(i * 7), new Date(1_600_000_000_000 + i), [`t${i % 10}`], stamp];
  }
  await loadConcurrently(c, `INSERT INTO ${KS}.${table} (pk, name, n, ts, tags) VALUES (?, ?, ?, ?, ?) USING TIMESTAMP ?`, params());
}

async function loadConcurrently(c, insert, params) {
  const result = await cassandra.concurrent.executeConcurrent(c, insert, Readable.from(params), { concurrencyLevel: 128, raiseOnFirstError: true });
  if (result.errors.length) throw result.errors[0];
}

/** Resident set of a process and all its descendants, in kB. */
function treeRssKb(pid) {
  let total = 0;
  for (const stack = [pid]; stack.length > 0; ) {
    const p = stack.pop();
    try {
      total += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0);
      for (const task of readdirSync(`/proc/${p}/task`)) {
        const children = readFileSync(`/proc/${p}/task/${task}/children`, 'utf8').trim();
        if (children) stack.push(...children.split(/\s+/).map(Number));
      }
    } catch {
      // gone between two reads
    }
  }
  return total;
}

/**
 * Runs a command under GNU time (wall, user and sys seconds of it and every child it waited for) and
 * samples the resident memory of its process tree; the time process itself is left out.
 */
function measure(argv) {
  const timeFile = join(mkdtempSync(join(tmpdir(), 'bench-time-')), 'time');
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', '%e %U %S', '-o', timeFile, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    let peakKb = 0;
    const sampler = setInterval(() => {
      const tree = treeRssKb(child.pid) - Number(/VmRSS:\s+(\d+)/.exec(safeRead(`/proc/${child.pid}/status`))?.[1] ?? 0);
      peakKb = Math.max(peakKb, tree);
    }, 100);
    child.on('close', (code) => {
      clearInterval(sampler);
      if (code !== 0) return reject(new Error(`${argv.slice(0, 6).join(' ')} ... exited ${code}: ${stderr.slice(-2000)}`));
      const [wall, user, sys] = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1).split(' ').map(Number);
      resolve({ seconds: wall, cpu: user + sys, peakMb: peakKb / 1024, stdout });
    });
  });
}

const safeRead = (path) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
};

// As `migrate` runs on Node 22.15 and later, which starts itself again with the V8 flags of node-flags.ts
// (process.execve): given on the command line here, so that the bench measures that on Node 20 too.
const BIN = `${root}dist/cli/bin.js`;
const { NODE_FLAGS } = await import(new URL('../dist/cli/node-flags.js', import.meta.url).href);
const migrate = (args, to = TARGET) => [process.execPath, ...NODE_FLAGS, BIN, ...args, '--source', SOURCE.join(':'), '--target', to.join(':'), '--keyspace', KS, '--quiet', '--json'];

const contact = ([host, port]) => ['-h', host, '-port', String(port)];

execFileSync('bash', [`${root}scripts/cassandra.sh`, 'start', 'source', 'target', 'random'], { stdio: 'inherit' });
const dsbulkLib = fetchDsbulk();
const source = client(SOURCE);
const target = client(TARGET);
const random = client(RANDOM);
await Promise.all([source.connect(), target.connect(), random.connect()]);
const TARGET_TABLES = ['warm_up', 'by_migrate', 'by_migrate_two_workers', 'by_migrate_one_worker', 'by_migrate_preserve', 'by_dsbulk', 'by_migrate_again', 'by_dsbulk_again', 'small_by_migrate', 'small_by_migrate_again', 'small_by_migrate_preserve'];
try {
  console.log(`Loading ${ROWS} and ${SMALL} rows of 20 columns into the source...`);
  const loadStarted = Date.now();
  for (const table of ['wide', 'wide_small']) await createTable(source, table);
  for (const table of TARGET_TABLES) await createTable(target, table);
  for (const [c, table] of [[source, 'kv'], [target, 'kv_by_migrate'], [target, 'kv_by_dsbulk']]) await createTable(c, table, KEY_VALUE);
  await createTable(random, 'by_migrate');
  await load(source, 'wide', ROWS);
  await load(source, 'wide_small', SMALL);
  await loadKeyValue(source, 'kv', ROWS);
  console.log(`loaded in ${((Date.now() - loadStarted) / 1000).toFixed(0)} s`);

  const stateDir = mkdtempSync(join(tmpdir(), 'bench-state-'));
  const logDir = mkdtempSync(join(tmpdir(), 'bench-dsbulk-'));
  const results = [];
  const run = async (name, argv, rows, check) => {
    // Each contender starts on quiet nodes: not competing with the compactions of the copy before it.
    await Promise.all([source, target, random].map(compactionsSettled));
    console.log(`${name}...`);
    const m = await measure(argv);
    if (check) check(m);
    results.push({ name, rows, ...m });
    console.log(`  ${Math.round(rows / m.seconds)} rows/s, ${((m.cpu / rows) * 1e6).toFixed(1)} CPU s per million rows, ${m.peakMb.toFixed(0)} MB peak RSS`);
  };
  const exact = (field) => (m) => {
    const summary = JSON.parse(m.stdout);
    if (summary[field] !== (summary.table === 'wide_small' ? SMALL : ROWS)) throw new Error(`${field} ${summary[field]}: expected every row`);
  };
  // One query timestamp for DSBulk, as our job-start stamp (its load cannot keep each cell's writetime and TTL).
  const jobStart = new Date(Date.now() - 60_000).toISOString();
  const pipeInto = (table, from = 'wide') => `${dsbulk(dsbulkLib, ['unload', '-k', KS, '-t', from, ...contact(SOURCE), '-url', '-'], KS, logDir).map(quote).join(' ')} | ${dsbulk(dsbulkLib, ['load', '-k', KS, '-t', table, ...contact(TARGET), '-url', '-', '--schema.queryTimestamp', jobStart], KS, logDir).map(quote).join(' ')}`;

  // Untimed, and of the whole table: on nodes just started, a first copy of the table took 89 s (the target
  // node 116 CPU s) against 64-70 s (83-92) for the same copy next; after a warm-up on the ROWS / 10 table
  // the first contender still ran 11-20% slower than the same command later in the run.
  console.log('warming up both nodes (a copy of the table, not measured)...');
  await measure(migrate(['copy', '--table', 'wide', '--target-table', 'warm_up', '--state-dir', stateDir]));

  // The headline pair twice, in the order A B B A: the same copy has run 11,809 rows/s first in a run and
  // 17,425 later in it (2026-12-05), so each side gets an early and a late turn, and the ratio is of their totals.
  const COPY = '`migrate copy` (job-start)';
  const DSBULK_PIPE = 'DSBulk `unload -url - | load -url -` (one query timestamp)';
  const SMALL_COPY = `${COPY}, ROWS / 10`;
  const copyRun = (turn, table, small = false) =>
    run(`${small ? SMALL_COPY : COPY}, ${turn}`, migrate(['copy', '--table', small ? 'wide_small' : 'wide', '--target-table', table, '--state-dir', stateDir]), small ? SMALL : ROWS, exact('rowsWritten'));
  const dsbulkRun = (turn, table) => run(`${DSBULK_PIPE}, ${turn}`, ['bash', '-o', 'pipefail', '-c', pipeInto(table)], ROWS);
  await copyRun('1st', 'by_migrate');
  await dsbulkRun('1st', 'by_dsbulk');
  await dsbulkRun('2nd', 'by_dsbulk_again');
  await copyRun('2nd', 'by_migrate_again');
  await run('`migrate copy --workers 2` (job-start, two worker processes)', migrate(['copy', '--table', 'wide', '--target-table', 'by_migrate_two_workers', '--workers', '2', '--state-dir', stateDir]), ROWS, exact('rowsWritten'));
  await run('`migrate copy --workers 1` (job-start, one process)', migrate(['copy', '--table', 'wide', '--target-table', 'by_migrate_one_worker', '--workers', '1', '--state-dir', stateDir]), ROWS, exact('rowsWritten'));
  await run('`migrate copy --writetime preserve`', migrate(['copy', '--table', 'wide', '--target-table', 'by_migrate_preserve', '--writetime', 'preserve', '--live-since', 'none', '--state-dir', stateDir]), ROWS, exact('rowsWritten'));
  await run('`migrate validate` (rows of both sides read)', migrate(['validate', '--table', 'wide', '--target-table', 'by_migrate', '--state-dir', stateDir]), ROWS * 2, exact('rowsCompared'));
  await run('`migrate copy` into a RandomPartitioner node (job-start)', migrate(['copy', '--table', 'wide', '--target-table', 'by_migrate', '--state-dir', stateDir], RANDOM), ROWS, exact('rowsWritten'));
  await run('`migrate validate` across partitioners (Murmur3 source, RandomPartitioner target)', migrate(['validate', '--table', 'wide', '--target-table', 'by_migrate', '--state-dir', stateDir], RANDOM), ROWS * 2, exact('rowsCompared'));
  const KV_COPY = '`migrate copy` (job-start), key-value table';
  const KV_DSBULK = 'DSBulk `unload -url - | load -url -`, key-value table';
  await run(KV_COPY, migrate(['copy', '--table', 'kv', '--target-table', 'kv_by_migrate', '--state-dir', stateDir]), ROWS, exact('rowsWritten'));
  await run(KV_DSBULK, ['bash', '-o', 'pipefail', '-c', pipeInto('kv_by_dsbulk', 'kv')], ROWS);
  await run('DSBulk unload of full rows, one side (the read reference)', ['bash', '-o', 'pipefail', '-c', `${dsbulk(dsbulkLib, ['unload', '-k', KS, '-t', 'wide', ...contact(SOURCE), '-url', '-'], KS, logDir).map(quote).join(' ')} > /dev/null`], ROWS);
  // The same at a tenth of the rows: memory must not grow with the table.
  // Two turns, as at full size: the 10x-rows ratio compares the higher peak of two runs at each size, not the
  // higher of two against a single one.
  await copyRun('1st', 'small_by_migrate', true);
  await copyRun('2nd', 'small_by_migrate_again', true);
  await run('`migrate copy --writetime preserve`, ROWS / 10', migrate(['copy', '--table', 'wide_small', '--target-table', 'small_by_migrate_preserve', '--writetime', 'preserve', '--live-since', 'none', '--state-dir', stateDir]), SMALL, exact('rowsWritten'));
  await run('`migrate validate`, ROWS / 10', migrate(['validate', '--table', 'wide_small', '--target-table', 'small_by_migrate', '--state-dir', stateDir]), SMALL * 2, exact('rowsCompared'));

  for (const table of ['by_dsbulk', 'by_dsbulk_again', 'kv_by_dsbulk']) {
    const dsbulkCount = await countRows(target, table);
    if (dsbulkCount !== ROWS) throw new Error(`DSBulk loaded ${dsbulkCount} rows of ${ROWS} into ${table}`);
  }

  const by = (name) => results.find((r) => r.name === name);
  const rate = (r) => r.rows / r.seconds;
  /** Both turns of a contender as one: their rows, seconds and CPU summed, the higher peak. */
  const bothTurns = (name) => {
    const turns = results.filter((r) => r.name === `${name}, 1st` || r.name === `${name}, 2nd`);
    return { rows: turns.reduce((sum, r) => sum + r.rows, 0), seconds: turns.reduce((sum, r) => sum + r.seconds, 0), cpu: turns.reduce((sum, r) => sum + r.cpu, 0), peakMb: Math.max(...turns.map((r) => r.peakMb)) };
  };
  const copy = bothTurns(COPY);
  const smallCopy = bothTurns(SMALL_COPY);
  const preserve = by('`migrate copy --writetime preserve`');
  const validate = by('`migrate validate` (rows of both sides read)');
  const pipeRun = bothTurns(DSBULK_PIPE);
  const unload = by('DSBulk unload of full rows, one side (the read reference)');
  const across = by('`migrate validate` across partitioners (Murmur3 source, RandomPartitioner target)');
  const cpuPerMillion = (r) => ((r.cpu / r.rows) * 1e6).toFixed(1);
  const table = [
    '| contender | rows | rows/s | tool CPU s per million rows | peak RSS |',
    '| --- | --- | --- | --- | --- |',
    ...results.map((r) => `| ${r.name.replaceAll('|', '\\|')} | ${r.rows.toLocaleString('en')} | ${Math.round(rate(r)).toLocaleString('en')} | ${cpuPerMillion(r)} | ${r.peakMb.toFixed(0)} MB |`),
  ];
  const ratio = (a, b) => (a / b).toFixed(2);
  const ratios = [
    `- copy job-start vs DSBulk unload | load, both turns of each: ${ratio(rate(copy), rate(pipeRun))}x the rows/s (goal >= 2x; ${Math.round(rate(copy)).toLocaleString('en')} against ${Math.round(rate(pipeRun)).toLocaleString('en')}); CPU ${cpuPerMillion(copy)} s per million rows (goal <= 30), preserve ${cpuPerMillion(preserve)} (goal <= 45)`,
    `- key-value table (${ROWS.toLocaleString('en')} single-row partitions of 5 columns, which share batches): copy ${ratio(rate(by(KV_COPY)), rate(by(KV_DSBULK)))}x DSBulk's rows/s, ${cpuPerMillion(by(KV_COPY))} against ${cpuPerMillion(by(KV_DSBULK))} CPU s per million rows`,
    `- validate vs the one-sided DSBulk unload: ${ratio(rate(validate), rate(unload))}x the rows read per second (goal >= 2x); CPU ${cpuPerMillion(validate)} s per million rows (goal <= 15)`,
    `- validate across partitioners vs aligned: ${ratio(rate(across), rate(validate))}x the rows/s, ${ratio(across.cpu / across.rows, validate.cpu / validate.rows)}x the CPU per row, ${ratio(across.peakMb, validate.peakMb)}x the peak RSS (${across.peakMb.toFixed(0)} MB)`,
    `- peak RSS at defaults: copy ${copy.peakMb.toFixed(0)} MB (the higher of its turns) (goal <= 300 MB), preserve ${preserve.peakMb.toFixed(0)} MB, validate ${validate.peakMb.toFixed(0)} MB (goal <= 250 MB); copy --workers 1 ${by('`migrate copy --workers 1` (job-start, one process)').peakMb.toFixed(0)} MB (goal <= 200 MB), --workers 2 ${by('`migrate copy --workers 2` (job-start, two worker processes)').peakMb.toFixed(0)} MB`,
    `- memory against table size (10x the rows): copy ${ratio(copy.peakMb, smallCopy.peakMb)} (the higher of two turns at each size), preserve ${ratio(preserve.peakMb, by('`migrate copy --writetime preserve`, ROWS / 10').peakMb)}, validate ${ratio(validate.peakMb, by('`migrate validate`, ROWS / 10').peakMb)} (goal within 1.10)`,
  ];
  const text = `# Benchmark results

The latest run of \`npm run bench\` (\`node bench/run.mjs ${ROWS}\`), ${new Date().toISOString().slice(0, 10)}, on this project's machine:
${availableParallelism()} cores shared by the tool and the Cassandra 5.0 nodes (source, target, and a RandomPartitioner node for
the cross-partitioner rows, idle otherwise), so the target's write path is the ceiling for every copy. Figures are from one run, contenders interleaved; compare them as ratios.
DSBulk ${DSBULK_VERSION} (its modules from Maven Central). Cassandra Data Migrator is not run: Spark itself is on
Maven Central (spark-sql_2.13 3.5.x resolves here), but CDM's jar is not: its pom publishes to GitHub Packages
(groupId \`datastax.cdm\`, later \`com.datastax.cdm\`) and its releases are GitHub downloads, and neither
https://repo1.maven.org/maven2/com/datastax/cdm/ nor .../datastax/cdm/ exists on Maven Central (HTTP 404,
2026-12-03). This machine reaches Maven Central and no GitHub host, so CDM cannot be fetched or built here.

${table.join('\n')}

${ratios.join('\n')}

How each is measured:
- rows/s: rows / wall-clock seconds of the command (a copy's rows are the source's; validate counts the rows of both sides).
- tool CPU: user + sys seconds of the command and every process it waited for (GNU time), per million rows.
- peak RSS: the largest sum of the resident memory of the command's processes (migrate and its \`--workers\`
  processes; both DSBulk JVMs of the pipe), sampled every 100 ms.
- migrate runs at its defaults (\`--workers\` = ${Math.max(1, availableParallelism() - 1)} here: one less than the cores; a copy keeps ${IN_FLIGHT_DEFAULTS.copy.rangesPerProcess} ranges of ${IN_FLIGHT_DEFAULTS.copy.pageSize}-row pages in flight per process, validate ${IN_FLIGHT_DEFAULTS.validate.rangesPerProcess} of ${IN_FLIGHT_DEFAULTS.validate.pageSize}); each copy's summary must count every row, and
  DSBulk's target table is counted after the run.
- The source rows were written an hour before the run, so every copy copies every cell; each contender
  starts once no node has run a compaction for 6 s (system_views.sstable_tasks), the first one after an
  untimed copy of the whole table: on nodes just started, a first copy took 89 s against 64-70 s for the same
  copy next, and after a warm-up on the ROWS / 10 table alone the first contender still ran 11-20% slower
  than the same command later in the run. Even after the whole-table warm-up, one run had the default copy
  at 11,809 rows/s first and the same command (\`--workers 1\`) at 17,425 later, so the headline pair runs
  twice, copy, DSBulk, DSBulk, copy, and their ratio is of both turns' totals.
- DSBulk does less per row than \`migrate copy\`: one timestamp for all cells, no TTLs, no list guard, and one INSERT
  per row where \`migrate copy\` sends two for a row with a non-frozen list (the INSERT, which also clears the list
  below the stamp, and the prepend that keeps live appends after the copied elements): the target does more work per row for us.
- Validate across partitioners reads the target once, whole, files each row by its source token on disk (in the
  run folder), then compares each source range against its file: its rows/s count both sides, as the aligned one's.
`;
  writeFileSync(join(root, 'bench', 'RESULTS.md'), text);
  console.log(`\n${table.join('\n')}\n\n${ratios.join('\n')}\n\nwritten to bench/RESULTS.md`);
} finally {
  await Promise.all([source.shutdown(), target.shutdown(), random.shutdown()]);
}

/**
 * Waits (up to 5 minutes) until the node has run no compaction for 6 s: after the load the source compacts
 * what it flushed, and after each copy the target compacts what it wrote, which would slow whichever
 * contender comes next (validate after four copies ran 1.23x the unload in one run, 2.05-2.19x in others).
 */
async function compactionsSettled(c) {
  const started = Date.now();
  for (let quiet = 0; quiet < 3 && Date.now() - started < 300_000; ) {
    const tasks = (await c.execute('SELECT keyspace_name FROM system_views.sstable_tasks')).rows.length;
    quiet = tasks === 0 ? quiet + 1 : 0;
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
  const waited = (Date.now() - started) / 1000;
  if (waited > 7) console.log(`  ${c.options.contactPoints[0]}:${c.options.protocolOptions.port}: compactions settled after ${waited.toFixed(0)} s`);
}

/** A table's rows, counted in 64 token ranges (one count(*) of a million rows times out on the server). */
async function countRows(c, table) {
  const step = 2n ** 64n / 64n;
  let total = 0;
  for (let i = 0n; i < 64n; i++) {
    const start = -(2n ** 63n) + i * step;
    const end = i === 63n ? 2n ** 63n - 1n : start + step;
    const first = i === 0n ? 'token(pk) >= ?' : 'token(pk) > ?';
    total += Number((await c.execute(`SELECT count(*) FROM ${KS}.${table} WHERE ${first} AND token(pk) <= ?`, [start.toString(), end.toString()], { readTimeout: 120_000 })).first().count);
  }
  return total;
}

function quote(arg) {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
