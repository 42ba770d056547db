import type { PageSource } from '../../../src/diff/range-compare.js';
import type { CompareOptions } from '../../../src/diff/row-digest.js';
import { buildReadPlan, type RawRow } from '../../../src/read/select.js';
import { big, int, schemaOf, text } from '../../support/schemas.js';

/** Rows of a small table with statics and a double, as a range scan reads them, for the range comparisons' tests. */
const schema = schemaOf([
  ['pk', 'partition_key', 'int', 0],
  ['ck', 'clustering', 'int', 0],
  ['s', 'static', 'text'],
  ['v', 'regular', 'text'],
  ['f', 'regular', 'double'],
]);
export const plan = buildReadPlan(schema, { writetimes: false, ttls: false, withToken: true });

/** A row: plan order pk, ck, f, s, v (cells sorted by name), token; its token is its pk unless given. */
export const r = (pk: number, ck: number | null, s: string | null, v: string | null, f = 1.5, token = BigInt(pk)): RawRow => {
  const d = Buffer.alloc(8);
  d.writeDoubleBE(f);
  return [int(pk), ck === null ? null : int(ck), d, s === null ? null : text(s), v === null ? null : text(v), big(token)];
};
export const TOKEN_SLOT = 5;
export const RANGE = { start: -100n, end: 100n };
export const shape = { partitionKey: [0], clustering: [1], token: TOKEN_SLOT, readToken: (b: Buffer) => b.readBigInt64BE(0), hasStatics: true };
export const options: CompareOptions = { ignore: [], compareWritetime: false, compareTtl: false, ttlToleranceSeconds: 60, floatTolerance: 0 };

/** Both sides' rows, served by token range in pages of `pageSize`, in the order given; `asked` records each read. */
export function sides(source: RawRow[], target: RawRow[], pageSize = 2) {
  const asked: string[] = [];
  const served = { source: 0, target: 0 };
  const read: PageSource = async function* (side, range) {
    asked.push(`${side} ${range.start}:${range.end}`);
    const rows = (side === 'source' ? source : target).filter((row) => {
      const token = (row[TOKEN_SLOT] as Buffer).readBigInt64BE(0);
      return token > range.start && token <= range.end;
    });
    for (let i = 0; i < rows.length; i += pageSize) {
      const page = rows.slice(i, i + pageSize);
      served[side] += page.length;
      yield page;
    }
  };
  return { read, asked, served };
}

/** A comparison's candidates as sorted lines: "kind entity pk/ck". */
export const summary = (c: { candidates: { kind: string; entity: string; keys: Buffer[] }[] }) =>
  c.candidates.map((x) => `${x.kind} ${x.entity} ${x.keys.map((k) => k.readInt32BE(0)).join('/')}`).sort();
