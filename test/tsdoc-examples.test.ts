// Every `@example` in src/ is on a public name (exported from an entry point, or a member of one),
// imports the way a user does ('castgate' or a subpath, never a file inside the package), and
// type-checks: one tsc program over all of them.
import { readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { typecheckSnippets } from './helpers/typecheck.js';

const root = resolve(import.meta.dirname, '..');

interface Example {
  /** `src/…/file.ts:line`, where the example's tag is. */
  readonly where: string;
  /** The documented declaration's name, e.g. `parseCastConfig` or `ParseCastConfigOptions.regex`. */
  readonly name: string;
  /** The public entry point that exports the declaration (or its parent), if any. */
  readonly entry: string | undefined;
  readonly code: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The package's entry points, read from the tsconfig `paths` that map `castgate` and its subpaths. */
function entryPoints(options: ts.CompilerOptions): Map<string, string> {
  const entries = new Map<string, string>();
  for (const [specifier, targets] of Object.entries(options.paths ?? {})) {
    if (specifier === 'castgate' || specifier.startsWith('castgate/')) entries.set(specifier, resolve(root, targets[0]!));
  }
  return entries;
}

function declarationName(node: ts.Node): string | undefined {
  if (ts.isVariableStatement(node)) return declarationName(node.declarationList.declarations[0]!);
  const name = (node as { name?: ts.Node }).name;
  return name !== undefined && (ts.isIdentifier(name) || ts.isStringLiteral(name)) ? name.text : undefined;
}

function collectExamples(): Example[] {
  const config = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
  const files = sourceFiles(join(root, 'src'));
  const program = ts.createProgram(files, { ...config.options, noEmit: true });
  const checker = program.getTypeChecker();
  // Every declaration an entry point exports, with the entry and the exported name.
  const publicDeclarations = new Map<ts.Node, { entry: string; exportedAs: string }>();
  for (const [entry, file] of entryPoints(config.options)) {
    const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(file)!)!;
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      for (const declaration of symbol.declarations ?? []) {
        const owner = ts.isVariableDeclaration(declaration) ? declaration.parent.parent : declaration;
        if (!publicDeclarations.has(owner)) publicDeclarations.set(owner, { entry, exportedAs: exported.name });
      }
    }
  }
  const examples: Example[] = [];
  for (const file of files) {
    const source = program.getSourceFile(file)!;
    const visit = (node: ts.Node, parents: readonly ts.Node[]): void => {
      for (const tag of ts.getJSDocTags(node)) {
        if (tag.tagName.text !== 'example' || tag.parent.parent !== node && tag.parent !== (node as { jsDoc?: ts.Node[] }).jsDoc?.at(-1)) continue;
        const raw = source.text.slice(tag.pos, tag.end).split('\n').map((line) => line.replace(/^\s*\*( |$)/u, '')).join('\n');
        const code = /```ts\n([\s\S]*?)```/u.exec(raw)?.[1] ?? raw.replace(/^@example/u, '');
        const owners = [node, ...parents].map((n) => publicDeclarations.get(n)).filter((p) => p !== undefined);
        const names = [...parents].reverse().concat(node).map(declarationName).filter((n) => n !== undefined);
        examples.push({
          where: `${relative(root, file)}:${source.getLineAndCharacterOfPosition(tag.getStart(source)).line + 1}`,
          name: names.join('.'),
          entry: owners[0]?.entry,
          code,
        });
      }
      const inside = ts.isSourceFile(node) || ts.isModuleBlock(node) ? parents : [node, ...parents];
      ts.forEachChild(node, (child) => {
        visit(child, ts.isVariableDeclarationList(child) || ts.isVariableDeclaration(child) ? parents : inside);
      });
    };
    visit(source, []);
  }
  return examples;
}

let examples: Example[] = [];
beforeAll(() => {
  examples = collectExamples();
}, 120_000);

describe('TSDoc examples', () => {
  it('finds the examples', () => {
    expect(examples.length).toBeGreaterThan(100);
  });

  it('are only on public names (exported from castgate or a subpath, or members of those)', () => {
    expect(examples.filter((e) => e.entry === undefined).map((e) => `${e.where} ${e.name}`)).toEqual([]);
  });

  it('import from castgate or a subpath, never from a file inside the package', () => {
    const internal = examples.filter((e) => /\bfrom\s+['"](\.{1,2}\/|src\/)|import\(\s*['"](\.{1,2}\/|src\/)/u.test(e.code));
    expect(internal.map((e) => `${e.where} ${e.name}`)).toEqual([]);
  });

  it('import what they use from castgate or a subpath', () => {
    const without = examples.filter((e) => !/\bfrom\s+['"]castgate(\/[a-z-]+)?['"]/u.test(e.code));
    expect(without.map((e) => `${e.where} ${e.name}`)).toEqual([]);
  });

  it('type-check, all of them in one program', () => {
    const snippets = examples.map((e, index) => ({ name: `example-${index}-${e.where.replace(/[/:.]/gu, '_')}.ts`, text: e.code }));
    expect(typecheckSnippets(snippets)).toEqual([]);
  }, 180_000);
});
