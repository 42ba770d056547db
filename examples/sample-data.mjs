// Sample data for the demo and the tests: the schema in sample-schema.cql, filled deterministically with
// edge values, TTLs and several writetimes per row (cells of one row written by different statements at
// different timestamps, as years of application writes leave them).
//
//   node examples/sample-data.mjs [HOST:PORT] [SCALE]     (default 127.0.0.1:19042, scale 1)
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import cassandra from 'cassandra-driver';

const { types } = cassandra;
const DAY_MICROS = 86_400_000_000n;
const LONG_TTL = 30 * 86_400;

/** Deterministic pseudo-random numbers, so every run writes the same data. */
export function prng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `vectors: false` leaves out the vector column, for clusters older than Cassandra 5.0. */
export async function createSampleSchema(client, keyspace = 'shop', replicationFactor = 1, { vectors = true } = {}) {
  const text = await readFile(fileURLToPath(new URL('./sample-schema.cql', import.meta.url)), 'utf8');
  const schema = vectors ? text : text.replace(/^\s*embedding vector<float, 3>,\n/m, '');
  for (const statement of splitCql(schema)) {
    await client.execute(
      statement
        .replaceAll('shop.', `${keyspace}.`)
        .replace('KEYSPACE IF NOT EXISTS shop', `KEYSPACE IF NOT EXISTS ${keyspace}`)
        .replace("'replication_factor': 1", `'replication_factor': ${replicationFactor}`),
    );
  }
}

export function splitCql(text) {
  return text
    .split('\n')
    .filter((line) => !line.trim().startsWith('--'))
    .join('\n')
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The orders insert without its vector (the last column before the timestamp), for clusters before 5.0. */
function withoutVector(vectors, { query, params }) {
  if (vectors) return { query, params };
  return { query: query.replace(', embedding)', ')').replace('?, ?) USING', '?) USING'), params: [...params.slice(0, -2), params.at(-1)] };
}

/** Row counts of one load at the given scale, for the tests' expectations. */
export function sampleCounts(scale = 1) {
  const partitions = 40 * scale;
  return {
    orderPartitions: partitions,
    // 5 rows in each partition, plus one partition holding only its static row (no clustering rows).
    orders: partitions * 5,
    staticOnlyPartitions: 1,
    profiles: 300 * scale,
    pageViews: 100 * scale,
    users: 50 * scale,
    audit: 80 * scale,
  };
}

/**
 * Loads the sample rows, through a client made with `encoding: { map: Map, set: Set }`. `baseMicros` is the oldest writetime used; every later write is a few days newer.
 * Returns the statements' count.
 */
export async function loadSampleData(client, { keyspace = 'shop', scale = 1, baseMicros, vectors = true } = {}) {
  const base = baseMicros ?? BigInt(Date.now()) * 1000n - 30n * DAY_MICROS;
  const rand = prng(42);
  const statements = [];
  const at = (days) => types.Long.fromString((base + BigInt(days) * DAY_MICROS).toString());
  const counts = sampleCounts(scale);

  for (let p = 0; p < counts.orderPartitions; p++) {
    const customerId = uuidFrom(rand);
    const region = ['eu', 'us', 'ap', ''][p % 4];
    statements.push({
      query: `INSERT INTO ${keyspace}.orders (customer_id, region, customer_name, loyalty_tier) VALUES (?, ?, ?, ?) USING TIMESTAMP ?`,
      params: [customerId, region, `customer ${p}`, p % 5, at(1)],
    });
    for (let r = 0; r < 5; r++) {
      const orderTs = new Date(Date.UTC(2020, 0, 1) + Math.floor(rand() * 1e11));
      const orderId = types.TimeUuid.fromDate(orderTs, r, 'abcdef', 'ab');
      const key = [customerId, region, orderTs, orderId];
      if (r === 4 && p % 3 === 0) {
        // A row with only its key columns: it has no readable writetime at all.
        statements.push({ query: `INSERT INTO ${keyspace}.orders (customer_id, region, order_ts, order_id) VALUES (?, ?, ?, ?) USING TIMESTAMP ?`, params: [...key, at(2)] });
        continue;
      }
      const edge = (p * 5 + r) % 7;
      statements.push(withoutVector(vectors, {
        query: `INSERT INTO ${keyspace}.orders (customer_id, region, order_ts, order_id, code, quantity, receipt, paid, ship_date, total, weight, lead_time, rating, client_ip, items, priority, note, pickup, flags, serial, ship_to, dims, embedding) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?`,
        params: [
          ...key,
          edge === 0 ? '' : `C-${p}-${r}`,
          types.Long.fromString(edge === 1 ? '9223372036854775807' : edge === 2 ? '-9223372036854775808' : String(Math.floor(rand() * 1e12))),
          edge === 0 ? Buffer.alloc(0) : Buffer.from([p & 255, r, 0, 255]),
          r % 2 === 0,
          types.LocalDate.fromString(edge === 1 ? '9999-12-31' : edge === 2 ? '0001-01-01' : `2021-0${1 + r}-1${r}`),
          types.BigDecimal.fromString(edge === 3 ? '1.10' : edge === 4 ? '-0.000000000000000000001' : `${p}.${r}0`),
          edge === 5 ? Number.MAX_VALUE : edge === 6 ? -0 : rand() * 1000,
          new types.Duration(edge, r, types.Long.fromString(String(p * 1_000_000_007))),
          Math.fround(rand() * 5),
          types.InetAddress.fromString(edge % 2 === 0 ? `10.0.${p % 256}.${r}` : `2001:db8::${p.toString(16)}:${r}`),
          edge === 1 ? 2147483647 : p * r,
          edge === 2 ? -32768 : r,
          edge === 0 ? '' : `ünïcødé ✓ ${p}/${r}`,
          types.LocalTime.fromString(edge === 1 ? '23:59:59.999999999' : edge === 2 ? '00:00:00' : `12:3${r}:00.123456789`),
          edge === 2 ? -128 : 127 - r,
          types.Integer.fromString(edge === 1 ? '123456789012345678901234567890' : edge === 2 ? '-1' : String(p * 31 + r)),
          { street: `${r} Main St`, city: r === 3 ? null : 'Lyon', zip: 69000 + r, geo: new types.Tuple(45.76, 4.83) },
          new types.Tuple(r, r === 1 ? null : `dim${r}`, Math.fround(r / 3)),
          new types.Vector(new Float32Array([p, r, Math.fround(0.1)]), 'float'),
          at(3),
        ],
      }));
      // Later writes to some cells: rows carry several writetimes, some with TTLs.
      statements.push({
        query: `UPDATE ${keyspace}.orders USING TIMESTAMP ? AND TTL ? SET note = ?, paid = ? WHERE customer_id = ? AND region = ? AND order_ts = ? AND order_id = ?`,
        params: [at(5 + r), LONG_TTL + r * 1000, `updated ${r}`, r % 2 === 1, ...key],
      });
      if (r % 2 === 0) {
        statements.push({
          query: `UPDATE ${keyspace}.orders USING TIMESTAMP ? SET rating = ? WHERE customer_id = ? AND region = ? AND order_ts = ? AND order_id = ?`,
          params: [at(7), null, ...key],
        });
      }
    }
  }
  // A partition holding only its static row.
  statements.push({
    query: `INSERT INTO ${keyspace}.orders (customer_id, region, customer_name) VALUES (?, ?, ?) USING TIMESTAMP ? AND TTL ?`,
    params: [types.Uuid.fromString('00000000-0000-0000-0000-000000000001'), 'static-only', 'nobody yet', at(2), LONG_TTL],
  });

  for (let id = 0; id < counts.profiles; id++) {
    const edge = id % 6;
    statements.push({
      query: `INSERT INTO ${keyspace}.profiles (id, tags, scores, attrs, nested, pairs, history, home, visits) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?`,
      params: [
        id,
        edge === 0 ? null : new Set([`t${id % 7}`, `t${id % 11}`, '']),
        edge === 1 ? null : [id, id, -id, 0],
        new Map([[`a${id % 3}`, id], ['zero', 0]]),
        new Map([['x', [1, 2, id]], [`y${id % 4}`, [id]]]),
        new Set([new types.Tuple(id, 'one'), new types.Tuple(-id - 1, '')]),
        edge === 2 ? null : [{ street: 's1', city: 'Paris', zip: 75000, geo: null }, { street: 's2', city: null, zip: null, geo: new types.Tuple(1.5, -2.5) }],
        { street: `${id} Rue`, city: 'Nantes', zip: 44000, geo: new types.Tuple(47.2, -1.55) },
        new Map([[types.LocalDate.fromString('2024-02-29'), new Set([types.InetAddress.fromString('127.0.0.1'), types.InetAddress.fromString('::1')])]]),
        at(1),
      ],
    });
    // Elements added later, some expiring: per-element writetimes and TTLs inside one collection.
    statements.push({
      query: `UPDATE ${keyspace}.profiles USING TIMESTAMP ? AND TTL ? SET tags = tags + ?, attrs[?] = ? WHERE id = ?`,
      params: [at(4), LONG_TTL, new Set([`late${id % 5}`]), 'late', id * 10, id],
    });
    statements.push({ query: `UPDATE ${keyspace}.profiles USING TIMESTAMP ? SET home.city = ? WHERE id = ?`, params: [at(6), `City ${id}`, id] });
    if (edge === 3) {
      // An empty list inside a frozen map, and a frozen empty set (not null): the driver cannot encode
      // either from JavaScript values, so they are written as CQL literals.
      statements.push({ query: `UPDATE ${keyspace}.profiles USING TIMESTAMP ? SET nested = {'x': [1, 2], 'empty': []}, pairs = {} WHERE id = ?`, params: [at(2), id] });
    }
  }

  for (let i = 0; i < counts.pageViews; i++) {
    statements.push({
      query: `UPDATE ${keyspace}.page_views SET views = views + ?, clicks = clicks + ? WHERE page = ? AND day = ?`,
      params: [types.Long.fromNumber(i * 7 + 1), types.Long.fromNumber(i % 3 === 0 ? -i : i), `/page/${i % 37}`, types.LocalDate.fromString(`2024-01-${String(1 + (i % 28)).padStart(2, '0')}`)],
    });
  }

  for (let i = 0; i < counts.users; i++) {
    statements.push({
      query: `INSERT INTO ${keyspace}.users (id, email, name, country, signed_up) VALUES (?, ?, ?, ?, ?) USING TIMESTAMP ?`,
      // every fifth user has no email yet: absent from the view
      params: [uuidFrom(rand), i % 5 === 4 ? null : `user${i}@example.com`, `User ${i}`, ['fr', 'de', 'us', 'jp'][i % 4], new Date(Date.UTC(2023, i % 12, 1 + (i % 27))), at(4)],
    });
  }
  for (let i = 0; i < counts.audit; i++) {
    const when = new Date(Date.UTC(2024, 2, 1 + (i % 5), 0, i));
    statements.push({
      // the table's default TTL applies
      query: `INSERT INTO ${keyspace}.audit (day, at, actor, detail) VALUES (?, ?, ?, ?) USING TIMESTAMP ?`,
      params: [types.LocalDate.fromDate(when), types.TimeUuid.fromDate(when, i % 1000, 'abcdef', 'ab'), `user${i % 9}`, i % 4 === 0 ? null : `changed setting ${i}`, at(6)],
    });
  }

  const result = await cassandra.concurrent.executeConcurrent(client, statements, { prepare: true, concurrencyLevel: 64, raiseOnFirstError: true, consistency: types.consistencies.localQuorum });
  if (result.errors.length > 0) throw result.errors[0];
  return statements.length;
}

function uuidFrom(rand) {
  const bytes = Buffer.alloc(16);
  for (let i = 0; i < 16; i++) bytes[i] = Math.floor(rand() * 256);
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  return new types.Uuid(bytes);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [host, port] = (process.argv[2] ?? '127.0.0.1:19042').split(':');
  const scale = Number(process.argv[3] ?? 1);
  const client = new cassandra.Client({ contactPoints: [host], protocolOptions: { port: Number(port ?? 9042) }, localDataCenter: 'datacenter1', encoding: { map: Map, set: Set } });
  await client.connect();
  try {
    await createSampleSchema(client);
    const n = await loadSampleData(client, { scale });
    console.log(`loaded the sample keyspace "shop" into ${host}:${port} (${n} statements, scale ${scale})`);
  } finally {
    await client.shutdown();
  }
}
