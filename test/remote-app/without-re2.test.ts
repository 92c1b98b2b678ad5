import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

// re2 is an optional dependency loaded on the first pattern: a host that cannot build it can still
// install and use castgate, and a config that needs a pattern is refused, never matched loosely.
describe('castgate without the re2 addon', () => {
  it('parses and evaluates configs without a valuePattern, and refuses one with a pattern at parse time', () => {
    // Make \`re2\` fail to load, as on a host that cannot build native addons, then load castgate.
    const script = `
      import Module from 'node:module';
      const load = Module._load;
      Module._load = function (request, ...rest) {
        if (request === 're2') throw new Error("Cannot find module 're2'");
        return load.call(this, request, ...rest);
      };
      const { parseCastConfig, safeParseCastConfig, evaluateCast, createMemoryStores } = await import('./src/index.ts');
      const plain = parseCastConfig({ name: 'P', key: 'plain-0123456789abcdef', imageId: 'img', allowAnonymous: true });
      const decision = await evaluateCast(plain, { ip: '192.0.2.1' }, createMemoryStores());
      const withPattern = safeParseCastConfig({ name: 'P', key: 'pattern-0123456789abc', imageId: 'img',
        remoteApp: { remoteAppName: '||Excel', args: [{ urlParamName: 'file', valuePattern: '[a-z]+' }] } });
      console.log(JSON.stringify({ allowed: decision.allowed, parsed: withPattern.success, issues: withPattern.error?.issues }));`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: root,
      encoding: 'utf8',
    });
    const result = JSON.parse(out) as { allowed: boolean; parsed: boolean; issues: { path: unknown[]; message: string }[] };
    expect(result.allowed).toBe(true);
    expect(result.parsed).toBe(false);
    expect(result.issues[0]?.path).toEqual(['remoteApp', 'args', 0, 'valuePattern']);
    expect(result.issues[0]?.message).toContain('re2 native addon is not available');
  });
});
