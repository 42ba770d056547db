// npm run demo: the whole play on the local clusters. Loads the sample keyspace into the source, creates
// its schema in the empty target, copies the keyspace, validates it, makes the drift real migrations see,
// finds it, corrects it, validates clean.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import cassandra from 'cassandra-driver';
import { createSampleSchema, loadSampleData } from '../examples/sample-data.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const SOURCE = '127.0.0.1:19042';
const TARGET = '127.0.0.1:29042';
const KS = 'shop';
const stateDir = `${root}.migrate/demo`;

function sh(cmd, args) {
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  return result.status ?? 1;
}

function migrate(...args) {
  console.log(`\n$ migrate ${args.join(' ')}`);
  const state = args[0] === 'schema' ? [] : ['--state-dir', stateDir, '--quiet'];
  return sh(process.execPath, [`${root}dist/cli/bin.js`, ...args, '--source', SOURCE, '--target', TARGET, '--keyspace', KS, ...state]);
}

function expectExit(code, wanted, what) {
  if (code !== wanted) {
    console.error(`demo: ${what} exited ${code}, expected ${wanted}`);
    process.exit(1);
  }
}

const client = (contactPoint) => {
  const [host, port] = contactPoint.split(':');
  return new cassandra.Client({ contactPoints: [host], protocolOptions: { port: Number(port) }, localDataCenter: 'datacenter1', encoding: { map: Map, set: Set } });
};

expectExit(sh('bash', ['scripts/cassandra.sh', 'start', 'source', 'target']), 0, 'starting the clusters');
const source = client(SOURCE);
const target = client(TARGET);
await Promise.all([source.connect(), target.connect()]);
try {
  console.log('\n== Loading the sample keyspace "shop" (5 tables, a secondary index, a materialized view) into the source; the target is empty');
  for (const c of [source, target]) await c.execute(`DROP KEYSPACE IF EXISTS ${KS}`);
  await createSampleSchema(source, KS);
  await loadSampleData(source, { keyspace: KS, scale: 5 });

  console.log('\n== 1. The target schema, made from the source');
  expectExit(migrate('schema', '--apply'), 0, 'schema --apply');

  console.log('\n== 2. Bulk copy of the whole keyspace, each cell keeping its own writetime and TTL');
  expectExit(migrate('copy', '--writetime', 'preserve', '--live-since', 'none'), 0, 'copy');

  console.log('\n== 3. Validate the keyspace: the target holds exactly what the source holds');
  expectExit(migrate('validate'), 0, 'validate');

  console.log('\n== 4. Drift in one table, as a live migration sees it');
  const old = (BigInt(Date.now()) * 1000n - 10n * 86_400_000_000n).toString();
  const run = (c, q, p = []) => c.execute(q, p, { prepare: true });
  console.log('   - 3 profiles the copy never saw (source only, old writetimes)');
  for (const id of [9001, 9002, 9003]) await run(source, `INSERT INTO ${KS}.profiles (id, tags) VALUES (?, {'late'}) USING TIMESTAMP ?`, [id, old]);
  console.log('   - 2 newer writes that only the source got (a set element, a UDT field)');
  await run(source, `UPDATE ${KS}.profiles SET tags = tags + {'vip'} WHERE id = 5`);
  await run(source, `UPDATE ${KS}.profiles SET home.city = 'Lille' WHERE id = 6`);
  console.log('   - 2 stray old rows in the target only');
  for (const id of [9901, 9902]) await run(target, `INSERT INTO ${KS}.profiles (id, tags) VALUES (?, {'stray'}) USING TIMESTAMP ?`, [id, old]);
  console.log('   - 1 live write through the proxy that the source has not got yet (newer in the target)');
  await run(target, `UPDATE ${KS}.profiles SET attrs['proxy'] = 1 WHERE id = 7`);

  console.log('\n== 5. Validate the keyspace finds them, in profiles only (exit 1: differences remain)');
  expectExit(migrate('validate'), 1, 'validate with drift');

  console.log('\n== 6. Autocorrect, deleting the stray rows; the newer live write is left alone');
  expectExit(migrate('validate', '--autocorrect', '--delete-extra'), 0, 'autocorrect');

  console.log('\n== 7. Validate again: clean (the target-newer row is reported, not a failure)');
  expectExit(migrate('validate'), 0, 'validate after autocorrect');
  console.log(`\nDemo done. Run state and reports are in ${stateDir}; "node dist/cli/bin.js status --state-dir ${stateDir}" lists the runs.`);
} finally {
  await Promise.all([source.shutdown(), target.shutdown()]);
}
