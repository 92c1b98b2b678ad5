import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { castErrorCodes, castErrorMessages, castErrorStatus } from '../src/contract/decision.js';

const root = resolve(import.meta.dirname, '..');
const readme = readFileSync(resolve(root, 'README.md'), 'utf8');

describe('README', () => {
  it('shows the quick start exactly as examples/quick-start.ts has it', () => {
    const file = readFileSync(resolve(root, 'examples/quick-start.ts'), 'utf8').split('\n').slice(1).join('\n').trim();
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
  });

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

  it('names the two set-up commands', () => {
    expect(readme).toContain('npm run demo');
    expect(readme).toContain('npm test');
  });
});
