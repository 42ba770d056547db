import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/** The shape the code keeps (issue 17): small files, short functions, imports that flow one way. */
const SRC = resolve(import.meta.dirname, '../../src');
const MAX_FILE_LINES = 300;
const MAX_FUNCTION_LINES = 80;

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );

const files = sourceFiles(SRC).map((path) => ({ path, name: relative(SRC, path), text: readFileSync(path, 'utf8') }));
const parsed = files.map((file) => ({ ...file, ast: ts.createSourceFile(file.path, file.text, ts.ScriptTarget.ES2022, true) }));

/** Static and dynamic imports of files in src/ (type-only imports count: they tie the modules together too). */
function importsOf(file: (typeof parsed)[number]): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    const specifier =
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)
        ? node.moduleSpecifier.text
        : ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])
          ? node.arguments[0].text
          : undefined;
    if (specifier?.startsWith('.')) found.push(relative(SRC, resolve(dirname(file.path), specifier.replace(/\.js$/, '.ts'))));
    ts.forEachChild(node, visit);
  };
  visit(file.ast);
  return found;
}

function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const walk = (node: string): void => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) walk(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) walk(node);
  return found;
}

describe('the shape of src/', () => {
  it('has no import cycle', () => {
    const graph = new Map(parsed.map((file) => [file.name, importsOf(file)]));
    expect(cycles(graph).map((cycle) => cycle.join(' -> '))).toEqual([]);
  });

  it(`has no file over ${MAX_FILE_LINES} lines`, () => {
    const long = files.map((file) => ({ name: file.name, lines: file.text.split('\n').length })).filter((file) => file.lines > MAX_FILE_LINES);
    expect(long).toEqual([]);
  });

  it(`has no function over ${MAX_FUNCTION_LINES} lines`, () => {
    const long: string[] = [];
    for (const file of parsed) {
      const visit = (node: ts.Node): void => {
        if (ts.isFunctionLike(node) && 'body' in node && node.body) {
          const start = file.ast.getLineAndCharacterOfPosition(node.getStart()).line;
          const end = file.ast.getLineAndCharacterOfPosition(node.getEnd()).line;
          if (end - start + 1 > MAX_FUNCTION_LINES) long.push(`${file.name}:${start + 1} (${end - start + 1} lines)`);
        }
        ts.forEachChild(node, visit);
      };
      visit(file.ast);
    }
    expect(long).toEqual([]);
  });

  it('finds the imports it checks (a cycle test over nothing would pass)', () => {
    const main = parsed.find((file) => file.name === join('cli', 'main.ts'));
    expect(main && importsOf(main)).toContain(join('errors.ts'));
  });
});
