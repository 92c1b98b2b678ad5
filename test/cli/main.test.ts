// The CLI module in-process, on the sources (test/cli/bin.test.ts runs the built bin): importing it runs nothing; runCli answers exit codes and writes only to the io it is given.
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
});
