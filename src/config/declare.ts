import type { Argv } from 'yargs';
import { z } from 'zod';
import { InputError } from '../errors.js';

/**
 * How an option appears outside the program: its long name (the flag, and the config file's key), its help,
 * and where else it may come from. Declared once, on the option's schema, with `option()`; flags, help, the
 * config file's keys and error messages are all read off the command's schema from these.
 */
export interface FlagSpec {
  /** The long name: `--page-size`, and `page-size:` in a config file. */
  flag: string;
  /** `array`: repeatable or comma-separated strings; `entries`: a list whose items may be mappings (config file). */
  type: 'string' | 'number' | 'boolean' | 'array' | 'entries';
  /** The help line; an option without one is read from the config file or the environment only. */
  help?: string;
  /** The environment variable that gives it when neither the command line nor the config file does. */
  env?: string;
}

const flagSpecs = z.registry<FlagSpec>();

/** Declares an option: its schema (validation, default, conversion) and its flag. */
export const option = <S extends z.ZodType>(schema: S, spec: FlagSpec): S => {
  flagSpecs.add(schema, spec);
  return schema;
};

export interface Leaf {
  path: string[];
  spec: FlagSpec;
}

/** Every option of a command's schema, with where its value goes in the nested options. */
export function optionsOf(schema: z.ZodType, path: string[] = []): Leaf[] {
  const spec = flagSpecs.get(schema);
  if (spec) return [{ path, spec }];
  const def = schema._zod.def as { type: string; shape?: Record<string, z.ZodType>; innerType?: z.ZodType; in?: z.ZodType };
  if (def.type === 'object') return Object.entries(def.shape ?? {}).flatMap(([key, child]) => optionsOf(child, [...path, key]));
  const inner = def.innerType ?? def.in;
  return inner ? optionsOf(inner, path) : [];
}

/** Options that may come from the config file or the environment, never from the command line (passwords). */
export const isConfigOnly = (spec: FlagSpec): boolean => spec.help === undefined;

/**
 * Flat options (flags over the config file, then the environment) into a command's nested options,
 * validated; the first problem is one line naming the flag and the fix.
 */
export function parseFlat<S extends z.ZodType>(schema: S, raw: Record<string, unknown>, env: NodeJS.ProcessEnv): z.output<S> {
  const leaves = optionsOf(schema);
  const nested: Record<string, unknown> = {};
  for (const { path, spec } of leaves) {
    let at = nested;
    for (const key of path.slice(0, -1)) at = (at[key] ??= {}) as Record<string, unknown>;
    at[path.at(-1) as string] = raw[spec.flag] ?? (spec.env ? env[spec.env] : undefined);
  }
  const parsed = schema.safeParse(nested);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const leaf = leaves.find((l) => l.path.join('.') === issue?.path.join('.'));
  const flag = leaf?.spec.flag ?? issue?.path.join('.') ?? '';
  const given = raw[flag];
  throw new InputError(
    typeof given === 'number' && Number.isNaN(given)
      ? `--${flag} takes a number`
      : issue?.code === 'invalid_type' && issue.input === undefined
        ? `--${flag} is required`
        : `--${flag}: ${issue?.message}`,
  );
}

/**
 * A command's flags, in help sections named by the option's place in the schema. Defaults stay in the
 * schema (a default here would shadow the config file). Config-only options are known to the parser, so a
 * config file may hold them, but hidden; the command line refuses them (`refuseConfigOnlyFlags`).
 */
export function flagsOf(schema: z.ZodType, sections: Record<string, string>, leaveOut: string[] = []) {
  return (y: Argv): Argv => {
    let out = y;
    for (const { path, spec } of optionsOf(schema)) {
      if (leaveOut.includes(path[0] as string)) continue;
      const type = spec.type === 'entries' ? 'array' : spec.type;
      out = isConfigOnly(spec)
        ? out.option(spec.flag, { type: 'string', hidden: true })
        : out.option(spec.flag, { type, describe: spec.help, group: sections[path[0] as string] ?? 'Options:', ...(spec.type === 'array' ? { string: true } : {}) });
    }
    return out;
  };
}

/** A config-only option given on the command line is refused: other users of the machine can read argv. */
export function refuseConfigOnlyFlags(schema: z.ZodType, argv: string[]): void {
  for (const { spec } of optionsOf(schema)) {
    if (!isConfigOnly(spec) || !argv.some((arg) => arg === `--${spec.flag}` || arg.startsWith(`--${spec.flag}=`))) continue;
    throw new InputError(`--${spec.flag} is not taken on the command line (other users of the machine can read it there): set ${spec.env} or put it in the --config file`);
  }
}
