import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { main } from '../../../src/cli/main.js';
import { readyCommandSchema, schemaCommandSchema, statusCommandSchema } from '../../../src/config/command-options.js';
import { optionsOf, parseFlat } from '../../../src/config/declare.js';
import { jobSchema, parseJobOptions } from '../../../src/config/job-options.js';

const COMMANDS = { job: jobSchema, schema: schemaCommandSchema, status: statusCommandSchema, ready: readyCommandSchema };

/** Fields of a command's schema that are neither a declared option nor a group of them. */
function undeclared(schema: z.ZodType, path: string[] = []): string[] {
  if (optionsOf(schema).length === 1 && optionsOf(schema)[0]?.path.length === 0) return [];
  const def = schema._zod.def as { type: string; shape?: Record<string, z.ZodType>; innerType?: z.ZodType; in?: z.ZodType };
  if (def.type === 'object') return Object.entries(def.shape ?? {}).flatMap(([key, child]) => undeclared(child, [...path, key]));
  const inner = def.innerType ?? def.in;
  return inner ? undeclared(inner, path) : [path.join('.')];
}

async function help(command: string): Promise<string> {
  let out = '';
  await main([command, '--help'], { out: (text) => (out += text), err: () => undefined, env: {} });
  return out;
}

describe('options are declared once, with their flag and help', () => {
  for (const [name, schema] of Object.entries(COMMANDS)) {
    it(`${name}: every field is a declared option with help (or an environment variable)`, () => {
      expect(undeclared(schema)).toEqual([]);
      const missing = optionsOf(schema).filter(({ spec }) => !spec.help && !spec.env);
      expect(missing.map(({ spec }) => spec.flag)).toEqual([]);
      const flags = optionsOf(schema).map(({ spec }) => spec.flag);
      expect(flags.filter((flag, i) => flags.indexOf(flag) !== i)).toEqual([]);
    });
  }

  it('finds a field declared without its flag', () => {
    const plain = { _zod: { def: { type: 'object', shape: { pageSize: { _zod: { def: { type: 'number' } } } } } } } as unknown as z.ZodType;
    expect(undeclared(plain)).toEqual(['pageSize']);
  });

  it("every option with help is in its command's --help, and a config-only one is not", async () => {
    const text = `${await help('copy')}${await help('validate')}`;
    for (const { spec } of optionsOf(jobSchema)) {
      if (spec.help) expect(text, spec.flag).toContain(`--${spec.flag} `);
      else expect(text).not.toContain(`--${spec.flag}`);
    }
    const ready = await help('ready');
    for (const { spec } of optionsOf(readyCommandSchema)) if (spec.help) expect(ready, spec.flag).toContain(`--${spec.flag}`);
  });

  it('reads flat long names into the nested options, the environment last', () => {
    const o = parseJobOptions({ source: 'a', target: 'b', keyspace: 'ks', table: 't', 'page-size': '50', 'target-password': 'flag' }, { MIGRATE_TARGET_PASSWORD: 'env', MIGRATE_SOURCE_PASSWORD: 'src' });
    expect(o.throughput.pageSize).toBe(50);
    expect([o.clusters.source.password, o.clusters.target.password]).toEqual(['src', 'flag']);
    expect(() => parseFlat(jobSchema, { source: 'a', target: 'b', keyspace: 'ks', 'page-size': 'x' }, {})).toThrow(/^--page-size/);
    expect(() => parseFlat(jobSchema, { source: 'a', target: 'b', keyspace: 'ks', 'retry-for': '5 min' }, {})).toThrow('--retry-for: give a duration such as 300 (seconds), 90s, 5m or 1h');
  });
});
