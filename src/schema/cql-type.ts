/** A CQL type as a tree, parsed from the type text that system_schema stores. Pure. */
export type CqlType =
  | { kind: 'native'; name: string }
  | { kind: 'list' | 'set'; frozen: boolean; element: CqlType }
  | { kind: 'map'; frozen: boolean; key: CqlType; value: CqlType }
  | { kind: 'tuple'; elements: CqlType[] }
  | { kind: 'udt'; frozen: boolean; name: string; fields?: UdtField[] }
  | { kind: 'vector'; element: CqlType; dimension: number }
  | { kind: 'custom'; className: string };

export interface UdtField {
  name: string;
  type: CqlType;
}

export const NATIVE_TYPES = new Set([
  'ascii', 'bigint', 'blob', 'boolean', 'counter', 'date', 'decimal', 'double', 'duration', 'float', 'inet',
  'int', 'smallint', 'text', 'time', 'timestamp', 'timeuuid', 'tinyint', 'uuid', 'varchar', 'varint',
]);

/** Parses `frozen<map<text, frozen<list<int>>>>`, `vector<float, 3>`, `"MyType"`, `'com.example.X'`. */
export function parseCqlType(text: string): CqlType {
  const parser = new TypeParser(text);
  const type = parser.type(false);
  parser.end();
  return type;
}

class TypeParser {
  private pos = 0;
  constructor(private readonly text: string) {}

  type(frozen: boolean): CqlType {
    this.skipSpace();
    if (this.peek() === "'") return { kind: 'custom', className: this.quoted("'") };
    const name = this.peek() === '"' ? this.quoted('"') : this.word();
    const lower = name.toLowerCase();
    this.skipSpace();
    if (this.peek() !== '<') {
      if (NATIVE_TYPES.has(lower)) return { kind: 'native', name: lower === 'varchar' ? 'text' : lower };
      return { kind: 'udt', frozen, name };
    }
    this.expect('<');
    let result: CqlType;
    switch (lower) {
      case 'frozen': {
        result = this.type(true);
        break;
      }
      case 'list':
      case 'set':
        result = { kind: lower, frozen, element: this.type(false) };
        break;
      case 'map': {
        const key = this.type(false);
        this.expect(',');
        result = { kind: 'map', frozen, key, value: this.type(false) };
        break;
      }
      case 'tuple': {
        const elements = [this.type(false)];
        while (this.skipSpace(), this.peek() === ',') {
          this.pos++;
          elements.push(this.type(false));
        }
        result = { kind: 'tuple', elements };
        break;
      }
      case 'vector': {
        const element = this.type(false);
        this.expect(',');
        this.skipSpace();
        const dimension = Number(this.word());
        if (!Number.isInteger(dimension) || dimension < 1) this.fail('a positive vector dimension');
        result = { kind: 'vector', element, dimension };
        break;
      }
      default:
        this.fail(`a known parameterised type, not ${name}`);
    }
    this.expect('>');
    return result;
  }

  end(): void {
    this.skipSpace();
    if (this.pos !== this.text.length) this.fail('the end of the type');
  }

  private word(): string {
    const match = /^[A-Za-z0-9_.]+/.exec(this.text.slice(this.pos));
    if (!match) this.fail('a type name');
    this.pos += match[0].length;
    return match[0];
  }

  private quoted(quote: string): string {
    let out = '';
    this.pos++;
    while (this.pos < this.text.length) {
      const ch = this.text[this.pos++] as string;
      if (ch !== quote) out += ch;
      else if (this.text[this.pos] === quote) (out += quote), this.pos++;
      else return out;
    }
    this.fail(`a closing ${quote}`);
  }

  private expect(ch: string): void {
    this.skipSpace();
    if (this.peek() !== ch) this.fail(`"${ch}"`);
    this.pos++;
  }

  private peek(): string | undefined {
    return this.text[this.pos];
  }

  private skipSpace(): void {
    while (this.text[this.pos] === ' ') this.pos++;
  }

  private fail(wanted: string): never {
    throw new Error(`cannot parse CQL type "${this.text}" at ${this.pos}: expected ${wanted}`);
  }
}

/** The CQL text of a type, as CREATE TABLE takes it; UDT names are quoted when they need it. */
export function formatCqlType(type: CqlType): string {
  switch (type.kind) {
    case 'native':
      return type.name;
    case 'list':
    case 'set':
      return wrapFrozen(type.frozen, `${type.kind}<${formatCqlType(type.element)}>`);
    case 'map':
      return wrapFrozen(type.frozen, `map<${formatCqlType(type.key)}, ${formatCqlType(type.value)}>`);
    case 'tuple':
      return `frozen<tuple<${type.elements.map(formatCqlType).join(', ')}>>`;
    case 'udt':
      return wrapFrozen(type.frozen, quoteIdentifier(type.name));
    case 'vector':
      return `vector<${formatCqlType(type.element)}, ${type.dimension}>`;
    case 'custom':
      return `'${type.className.replace(/'/g, "''")}'`;
  }
}

function wrapFrozen(frozen: boolean, inner: string): string {
  return frozen ? `frozen<${inner}>` : inner;
}

/** Non-frozen collections and UDTs are stored cell by cell, with a writetime per element. */
export function isMultiCell(type: CqlType): boolean {
  return (type.kind === 'list' || type.kind === 'set' || type.kind === 'map' || type.kind === 'udt') && !type.frozen;
}

export function quoteIdentifier(name: string): string {
  return /^[a-z][a-z0-9_]*$/.test(name) && !RESERVED.has(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

// The reserved words a column or type name is most likely to collide with; quoting an unreserved word is harmless.
const RESERVED = new Set([
  'add', 'allow', 'alter', 'and', 'apply', 'asc', 'authorize', 'batch', 'begin', 'by', 'columnfamily', 'create',
  'delete', 'desc', 'describe', 'drop', 'entries', 'execute', 'from', 'full', 'grant', 'if', 'in', 'index',
  'infinity', 'insert', 'into', 'keyspace', 'limit', 'modify', 'nan', 'norecursive', 'not', 'null', 'of', 'on',
  'or', 'order', 'primary', 'rename', 'replace', 'revoke', 'schema', 'select', 'set', 'table', 'to', 'token',
  'truncate', 'unlogged', 'update', 'use', 'using', 'where', 'with',
]);
