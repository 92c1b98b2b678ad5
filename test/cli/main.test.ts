// The CLI module in-process, on the sources (test/cli/bin.test.ts runs the built bin): importing it runs nothing; runCli answers exit codes and writes only to the io it is given.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';

const samples = fileURLToPath(new URL('../../examples/configs.json', import.meta.url));

describe('castgate CLI module', () => {
  it('does nothing on import: no output, no exit code set', async () => {
    const write = vi.spyOn(process.stdout, 'write');
    const { runCli } = await import('../../src/cli/main.js');
    expect(typeof runCli).toBe('function');
    expect(write).not.toHaveBeenCalled();
    expect(process.exitCode).toBeUndefined();
    write.mockRestore();
  });

  it('writes to the io it is given and answers the exit code', async () => {
    const { runCli } = await import('../../src/cli/main.js');
    const out: string[] = [];
    const err: string[] = [];
    const io = { stdout: (text: string) => out.push(text), stderr: (text: string) => err.push(text) };
    expect(await runCli(['validate', samples], io)).toBe(0);
    expect(out.join('')).toContain('OK (9 configs)');
    expect(await runCli(['explain', samples, '--key', 'anon-v7ZgRkJkHY9Uobsi6T', '--ip', '::ffff:192.0.2.1', '--json'], io)).toBe(0);
    expect(await runCli(['nope'], io)).toBe(2);
    expect(err.join('')).toContain('unknown command "nope"');
  });

  it('escapes terminal control characters from its input before printing them', async () => {
    const { runCli } = await import('../../src/cli/main.js');
    const err: string[] = [];
    await runCli(['validate', '/no/such/\u001b[2Jfile.json'], { stdout: () => undefined, stderr: (text) => err.push(text) });
    expect(err.join('')).not.toContain('\u001b');
    expect(err.join('')).toContain('\\u001b[2J');
  });

  it('passes every case of the README\'s fixtures example (castgate test)', async () => {
    const { runCli } = await import('../../src/cli/main.js');
    const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
    const example = /<!-- castgate-test-fixtures -->\s*```json\n([\s\S]*?)```/u.exec(readme)?.[1];
    expect(example).toBeDefined();
    const dir = mkdtempSync(join(tmpdir(), 'castgate-readme-fixtures-'));
    try {
      mkdirSync(join(dir, 'kasm'));
      const kasmExport = { casting_config_name: 'Excel', key: 'excel-W5nYSY2wG3YU4JLLtq', image_id: '2a1b3c4d', allow_anonymous: true, valid_until: '2030-12-31 00:00:00' };
      writeFileSync(join(dir, 'kasm', 'excel.json'), JSON.stringify(kasmExport));
      writeFileSync(join(dir, 'links.test.json'), example ?? '');
      const out: string[] = [];
      const err: string[] = [];
      const code = await runCli(['test', join(dir, 'links.test.json')], { stdout: (text) => out.push(text), stderr: (text) => err.push(text) });
      expect(err.join('')).toBe('');
      expect(out.join('')).toContain('5 passed, 0 failed (5 cases)');
      expect(code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
