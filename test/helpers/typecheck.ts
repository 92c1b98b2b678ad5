// Type-checks generated TypeScript files (README snippets, TSDoc examples) in one tsc program against
// the sources: `castgate` and its subpaths resolve through the root tsconfig's `paths`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');

/** One generated file: its name (which says where it came from) and its text. */
export interface Snippet {
  readonly name: string;
  readonly text: string;
}

/**
 * Writes the snippets under node_modules/.cache (so that they resolve the repository's packages),
 * runs tsc on them with the repository's compiler options, and answers tsc's diagnostics, one per
 * line, each naming its snippet. An empty list means every snippet type-checks.
 */
export function typecheckSnippets(snippets: readonly Snippet[]): string[] {
  const cache = join(root, 'node_modules/.cache');
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, 'castgate-snippets-'));
  try {
    for (const snippet of snippets) writeFileSync(join(dir, snippet.name), snippet.text);
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
      extends: join(root, 'tsconfig.json'),
      compilerOptions: { noEmit: true, moduleDetection: 'force' },
      files: snippets.map((snippet) => snippet.name),
      include: [],
    }));
    try {
      execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json'), '--pretty', 'false'], {
        cwd: dir,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      return [];
    } catch (error) {
      const out = (error as { stdout?: string }).stdout ?? String(error);
      return out.split('\n').filter((line) => line.trim() !== '').map((line) => line.replace(`${dir}/`, ''));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
