import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type cassandra from 'cassandra-driver';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Summary } from '../../src/report/summary.js';
import { jobArgs, spawnCli } from '../support/cli.js';
import { clientsForFile } from '../support/file-clients.js';
import { loadGeneratedTable } from '../support/generated-table.js';
import { blankCells, dumpTable, expectSameCells } from '../support/table-dump.js';

/**
 * `--workers 2`: the ranges of one run are worked by two processes with their own connections; the
 * command still prints one summary, and the table ends exactly equal.
 */
const KS = 'workers';
const PARTITIONS = 150;
const ROWS_PER_PARTITION = 20;
const ROWS = PARTITIONS * ROWS_PER_PARTITION;
/** Rows written to the source after the copy, at a stamp older than the copy's: the copy missed them. */
const LATE = 40;

const clients = clientsForFile();
let source: cassandra.Client;
let target: cassandra.Client;

const TABLE = {
  keyspace: KS,
  table: 'items',
  columns: 'id int, seq int, name text, price decimal, labels list<text>, PRIMARY KEY (id, seq)',
  insertColumns: ['id', 'seq', 'name', 'price', 'labels'],
  partitions: PARTITIONS,
  rowsPerPartition: ROWS_PER_PARTITION,
  row: (id: number, seq: number) => [id, seq, `item ${id}-${seq}`, `${id}.${seq}`, [`a${seq % 3}`, `b${id % 4}`]],
};

/** Runs the built CLI with --workers 2 and JSON logs; returns its exit code, its one summary, and its log events. */
async function run(args: string[]): Promise<{ code: number; summary: Summary; events: Record<string, unknown>[]; stdout: string }> {
  const cli = spawnCli([...args, '--workers', '2', '--json', '--log-format', 'json']);
  const code = await cli.code;
  const stdout = cli.out().trim();
  const events = cli.err().trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
  return { code, summary: JSON.parse(stdout) as Summary, events, stdout };
}

describe('--workers 2', () => {
  beforeAll(async () => {
    source = clients.source();
    target = clients.target();
    await loadGeneratedTable(source, TABLE, true);
    await loadGeneratedTable(target, TABLE, false);
  });

  it('copies and validates exactly, with one summary per command', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'workers-'));
    // No skew margin: the rows were just loaded, and list elements newer than the stamp would count as the proxy's.
    const copy = await run(['copy', ...jobArgs(KS, 'items', stateDir, ['--splits', '16', '--skew-margin', '0'])]);
    expect(copy.code, JSON.stringify(copy.events.filter((e) => e.event === 'error'))).toBe(0);
    // One JSON document on stdout: the parent's summary of the whole run.
    expect(copy.stdout.split('\n')).toHaveLength(1);
    expect(copy.events.find((e) => e.event === 'run-start')).toMatchObject({ workers: 2 });
    expect(copy.summary).toMatchObject({ rangesFailed: 0, rowsRead: ROWS, rowsWritten: ROWS });
    expect(copy.summary.rangesDone).toBe(copy.summary.rangesTotal);

    const sourceRows = await dumpTable(source, KS, 'items');
    const copied = await dumpTable(target, KS, 'items');
    expectSameCells(blankCells(sourceRows, { writetime: null }), blankCells(copied, { writetime: null }));
    const stamps = new Set([...copied.values()].flatMap((row) => Object.values(row).flatMap((cell) => [cell.writetime].flat().map((w) => String(w).replace(/^Long:/, '')))));
    expect([...stamps]).toEqual([copy.summary.jobStartMicros]);

    // Rows the copy missed (written to the source at an older stamp afterwards): both workers find theirs.
    const older = BigInt(copy.summary.jobStartMicros) - 10_000_000n;
    for (let i = 0; i < LATE; i++) {
      await source.execute(`INSERT INTO ${KS}.items (id, seq, name, price, labels) VALUES (?, ?, ?, ?, ?) USING TIMESTAMP ?`, [i * 3, 100 + i, `late ${i}`, '1.5', ['late'], older.toString()], { prepare: true });
    }
    const found = await run(['validate', ...jobArgs(KS, 'items', stateDir)]);
    expect(found.code).toBe(1);
    expect(found.summary).toMatchObject({ rangesFailed: 0, rowsCompared: ROWS + LATE, missing: LATE, mismatched: 0, extra: 0 });
    const csv = (await readFile(join(stateDir, 'runs', found.summary.runId, 'differences.csv'), 'utf8')).trimEnd().split('\n');
    expect(csv[0]).toBe('kind,id,seq,columns,note,range');
    expect(csv.slice(1).map((line) => line.split(',').slice(0, 3).join(',')).sort()).toEqual(Array.from({ length: LATE }, (_, i) => `missing,${i * 3},${100 + i}`).sort());

    const corrected = await run(['validate', ...jobArgs(KS, 'items', stateDir, ['--autocorrect'])]);
    expect(corrected.code).toBe(0);
    expect(corrected.summary).toMatchObject({ missing: LATE, corrected: LATE, rangesFailed: 0 });

    const clean = await run(['validate', ...jobArgs(KS, 'items', stateDir)]);
    expect(clean.code).toBe(0);
    expect(clean.summary).toMatchObject({ rowsCompared: ROWS + LATE, missing: 0, mismatched: 0, extra: 0, rangesFailed: 0 });
    expectSameCells(blankCells(await dumpTable(source, KS, 'items'), { writetime: null }), blankCells(await dumpTable(target, KS, 'items'), { writetime: null }));
  });
});
