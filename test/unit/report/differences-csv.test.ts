import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DifferencesCsv, type RangeCsv } from '../../../src/report/differences-csv.js';

describe('differences.csv across a kill and a resume', () => {
  it('keeps the whole lines of finished ranges, drops those of unfinished ones and a line cut short, and appends on a new line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'differences-'));
    await DifferencesCsv.start(dir, ['id'], undefined);
    const first = await DifferencesCsv.append(dir);
    await first.write('1:10', ['missing', '1', '', '']);
    await first.write('10:20', ['mismatched', '12', 'a b', 'target-newer']);
    await first.write('1:10', ['extra', '"quoted, with comma"', '', '']);
    await first.close();
    // what kill -9 in the middle of a write would leave
    await writeFile(join(dir, 'differences.csv'), `${await readFile(join(dir, 'differences.csv'), 'utf8')}missing,13,,,10:`);

    await DifferencesCsv.start(dir, ['id'], new Set(['1:10']));
    const resumed = await DifferencesCsv.append(dir);
    await resumed.write('10:20', ['missing', '13', '', '']);
    await resumed.close();
    expect(await readFile(join(dir, 'differences.csv'), 'utf8')).toBe(
      ['kind,id,columns,note,range', 'missing,1,,,1:10', 'extra,"""quoted, with comma""",,,1:10', 'missing,13,,,10:20', ''].join('\n'),
    );
  });

  it('starts afresh for a new run', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'differences-'));
    await writeFile(join(dir, 'differences.csv'), 'kind,id,columns,note,range\nmissing,1,,,1:10\n');
    await DifferencesCsv.start(dir, ['id'], undefined);
    expect(await readFile(join(dir, 'differences.csv'), 'utf8')).toBe('kind,id,columns,note,range\n');
  });

  it('takes whole lines from several appenders at once (worker processes)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'differences-'));
    await DifferencesCsv.start(dir, ['id'], undefined);
    const [a, b] = await Promise.all([DifferencesCsv.append(dir), DifferencesCsv.append(dir)]);
    await Promise.all(Array.from({ length: 200 }, (_, i) => ((i % 2 ? a : b) as RangeCsv).write(`${i}:${i + 1}`, ['missing', String(i), '', ''])));
    await Promise.all([a?.close(), b?.close()]);
    const lines = (await readFile(join(dir, 'differences.csv'), 'utf8')).trimEnd().split('\n');
    expect(lines[0]).toBe('kind,id,columns,note,range');
    expect(lines.slice(1).sort()).toEqual(Array.from({ length: 200 }, (_, i) => `missing,${i},,,${i}:${i + 1}`).sort());
  });
});
