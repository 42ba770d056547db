import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { InputError, messageOf } from '../errors.js';

/** A YAML config file: a mapping of long option names to values. */
export function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new InputError(`--config ${path} cannot be read: check the path`);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    throw new InputError(`--config ${path} is not valid YAML (${messageOf(error).split('\n')[0]}): fix the file`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new InputError(`--config ${path} must be a mapping of option names to values, like "keyspace: shop"`);
  }
  return parsed as Record<string, unknown>;
}
