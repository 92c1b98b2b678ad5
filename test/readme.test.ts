import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { castErrorCodes, castErrorMessages, castErrorStatus } from '../src/contract/decision.js';
import { typecheckSnippets, type Snippet } from './helpers/typecheck.js';

const root = resolve(import.meta.dirname, '..');
const readme = readFileSync(resolve(root, 'README.md'), 'utf8');

/**
 * Every ```ts block of the README as a module of its own, named after its line. A block that needs
 * names it does not show (an `app`, a backend) gets them from an HTML comment right before it:
 * `<!-- ts-context: declare const app: Express; -->`, invisible on the rendered page.
 */
function readmeSnippets(): Snippet[] {
  const snippets: Snippet[] = [];
  for (const match of readme.matchAll(/```ts\n([\s\S]*?)```/gu)) {
    const before = readme.slice(0, match.index).trimEnd();
    const comment = before.slice(before.lastIndexOf('<!--'));
    const context = comment.startsWith('<!-- ts-context:') && comment.endsWith('-->') ? comment.slice('<!-- ts-context:'.length, -'-->'.length) : '';
    const line = before.split('\n').length + 1;
    snippets.push({ name: `readme-line-${line}.ts`, text: `${context}\n${match[1]}` });
  }
  return snippets;
}

describe('README', () => {
  it('type-checks every ts snippet against the sources', () => {
    const snippets = readmeSnippets();
    expect(snippets.length).toBeGreaterThan(5);
    expect(typecheckSnippets(snippets)).toEqual([]);
  }, 120_000);

  it('shows the quick start exactly as examples/quick-start.ts has it', () => {
    const file = readFileSync(resolve(root, 'examples/quick-start.ts'), 'utf8').replace(/^(\/\/.*\n)+/u, '').trim();
    const block = /<!-- quick-start[^>]*-->\s*```ts\n([\s\S]*?)```/u.exec(readme)?.[1]?.trim();
    expect(block).toBe(file);
  });

  it('shows the Express mount exactly as examples/mount-express.ts has it (type-checked there)', () => {
    const file = readFileSync(resolve(root, 'examples/mount-express.ts'), 'utf8').split('\n').slice(1).join('\n').trim();
    const block = /<!-- mount-express[^>]*-->\s*```ts\n([\s\S]*?)```/u.exec(readme)?.[1]?.trim();
    expect(block).toBe(file);
    expect(readme.indexOf('## Mount it in your framework')).toBeLessThan(readme.indexOf('## Quick start'));
  });

  it('runs the quick start: it starts a session', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', resolve(root, 'examples/quick-start.ts')], { cwd: root, encoding: 'utf8' });
    expect(out).toMatch(/^start kasmweb\/chrome for anon-/u);
  }, 60_000);

  it('documents every error code with its status and default message', () => {
    const table = readme.slice(readme.indexOf('<!-- error-codes'), readme.indexOf('Codes are stable'));
    const rows = table.split('\n').filter((line) => line.startsWith('| `'));
    expect(rows.map((row) => /^\| `([a-z_]+)`/u.exec(row)?.[1])).toEqual([...castErrorCodes]);
    for (const code of castErrorCodes) {
      const row = rows.find((r) => r.startsWith(`| \`${code}\``))!;
      expect(row).toContain(`| ${castErrorStatus[code]} |`);
      expect(row).toContain(castErrorMessages[code]);
    }
  });

  it('lists every folder of src/ in its architecture section', () => {
    const section = readme.slice(readme.indexOf('<!-- architecture'), readme.indexOf('\n## ', readme.indexOf('<!-- architecture')));
    const folders = readdirSync(resolve(root, 'src'), { withFileTypes: true, recursive: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => `${relative(root, join(entry.parentPath, entry.name))}/`)
      // The rooms: src/'s folders and the store backends (src/stores/<backend>/), not their inner folders.
      .filter((folder) => folder !== 'src/stores/' && (folder.split('/').length === 3 || folder.startsWith('src/stores/')) && folder.split('/').length <= 4);
    expect(folders.length).toBeGreaterThan(8);
    expect(folders.filter((folder) => !section.includes(`\`${folder}\``))).toEqual([]);
  });

  it('names the two set-up commands', () => {
    expect(readme).toContain('npm run demo');
    expect(readme).toContain('npm test');
  });
});
