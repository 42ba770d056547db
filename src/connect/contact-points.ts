import { InputError } from '../errors.js';

export interface ContactPoints {
  hosts: string[];
  /** The driver reaches every node of a cluster on one native port. */
  port: number;
}

const DEFAULT_PORT = 9042;

/** Parses `HOST[:PORT][,HOST[:PORT]...]`; IPv6 hosts go in brackets: `[::1]:9042`. */
export function parseContactPoints(flag: string, text: string): ContactPoints {
  const entries = text.split(',').map((entry) => entry.trim()).filter((entry) => entry.length > 0);
  if (entries.length === 0) {
    throw new InputError(`--${flag} is empty: give HOST[:PORT][,HOST...], for example 10.0.0.1:9042`);
  }
  const hosts: string[] = [];
  const ports = new Set<number>();
  for (const entry of entries) {
    const match = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d+))?$/.exec(entry);
    if (!match) {
      throw new InputError(`--${flag} has a malformed contact point "${entry}": use HOST[:PORT], IPv6 as [ADDR]:PORT`);
    }
    const port = match[3] === undefined ? DEFAULT_PORT : Number(match[3]);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new InputError(`--${flag} has port ${match[3]} out of range in "${entry}": use 1-65535`);
    }
    hosts.push((match[1] ?? match[2]) as string);
    ports.add(port);
  }
  if (ports.size > 1) {
    throw new InputError(`--${flag} mixes ports ${[...ports].join(', ')}: all nodes of one cluster listen on one native port`);
  }
  return { hosts, port: [...ports][0] as number };
}
