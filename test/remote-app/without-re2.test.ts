import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

interface Answers {
  readonly plainAllowed: boolean;
  readonly patternParsed: boolean;
  readonly patternIssues: readonly { path: unknown[]; message: string }[];
  readonly engineGood: boolean;
  readonly engineBad: string | undefined;
  readonly plainObjectOk: boolean;
}

// One child process in which `re2` fails to load, as on a host that cannot build native addons.
const script = String.raw`
  import Module from 'node:module';
  const load = Module._load;
  Module._load = function (request, ...rest) {
    if (request === 're2') throw new Error("Cannot find module 're2'");
    return load.call(this, request, ...rest);
  };
  const { parseCastConfig, safeParseCastConfig, evaluateCast, createMemoryStores, buildRemoteAppArgs } = await import('./src/index.ts');
  const plain = parseCastConfig({ name: 'P', key: 'plain-0123456789abcdef', imageId: 'img', allowAnonymous: true });
  const plainDecision = await evaluateCast(plain, { ip: '192.0.2.1' }, createMemoryStores());
  const excel = { remoteAppName: '||Excel', args: [{ urlParamName: 'file', required: true, valuePattern: '[A-Z]:\\\\[a-z]+\\.xlsx' }] };
  const withPattern = safeParseCastConfig({ name: 'P', key: 'pattern-0123456789abc', imageId: 'img', remoteApp: excel });
  const regex = (anchored) => { const re = new RegExp(anchored, 'u'); return { test: (value) => re.test(value) }; };
  const withEngine = parseCastConfig({ name: 'P', key: 'engine-0123456789abcd', imageId: 'img', allowAnonymous: true, remoteApp: excel }, { regex });
  const good = await evaluateCast(withEngine, { ip: '192.0.2.1', query: { file: 'C:\\report.xlsx' } }, createMemoryStores());
  const bad = await evaluateCast(withEngine, { ip: '192.0.2.1', query: { file: 'C:\\report.xlsx & calc' } }, createMemoryStores());
  const direct = buildRemoteAppArgs(excel, { file: 'C:\\report.xlsx' }, { regex });
  console.log(JSON.stringify({
    plainAllowed: plainDecision.allowed, patternParsed: withPattern.success, patternIssues: withPattern.error?.issues ?? [],
    engineGood: good.allowed, engineBad: bad.error?.code, plainObjectOk: direct.ok,
  }));`;

let answers: Answers | undefined;
function ask(): Answers {
  answers ??= JSON.parse(
    execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' }),
  ) as Answers;
  return answers;
}

// re2 is an optional dependency loaded on the first pattern: a host that cannot build it can still
// install and use castgate; a config that needs a pattern is refused, never matched loosely, unless
// the host passes its own regex engine.
describe('castgate without the re2 addon', () => {
  it('evaluates configs without a valuePattern', () => {
    expect(ask().plainAllowed).toBe(true);
  });

  it('refuses a config with a valuePattern at parse time, at the pattern path, saying why', () => {
    const { patternParsed, patternIssues } = ask();
    expect(patternParsed).toBe(false);
    expect(patternIssues[0]?.path).toEqual(['remoteApp', 'args', 0, 'valuePattern']);
    expect(patternIssues[0]?.message).toContain('re2 native addon is not available');
  });

  it('parses and enforces the pattern with the regex engine the host passes instead', () => {
    const { engineGood, engineBad, plainObjectOk } = ask();
    expect(engineGood).toBe(true);
    expect(engineBad).toBe('invalid_parameter');
    expect(plainObjectOk).toBe(true);
  });
});
