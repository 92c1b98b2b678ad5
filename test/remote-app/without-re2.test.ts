import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

interface Answers {
  readonly available: boolean;
  readonly engineName: string;
  readonly re2Throws: string | undefined;
  readonly plainAllowed: boolean;
  readonly patternParsed: boolean;
  readonly patternGood: boolean;
  readonly patternBad: string | undefined;
  readonly patternBadParameter: string | undefined;
  readonly invalidIssues: readonly { path: unknown[]; code: string; message: string }[];
  readonly kasmImported: boolean;
  readonly catastrophic: boolean;
  readonly directOk: boolean;
  readonly directBad: string | undefined;
  readonly engineGood: boolean;
  readonly engineBad: string | undefined;
}

// One child process in which `re2` fails to load, as on a host that cannot build native addons.
const script = String.raw`
  import Module from 'node:module';
  const load = Module._load;
  Module._load = function (request, ...rest) {
    if (request === 're2') throw new Error("Cannot find module 're2'");
    return load.call(this, request, ...rest);
  };
  const castgate = await import('./src/index.ts');
  const { parseCastConfig, safeParseCastConfig, fromKasmCastConfig, evaluateCast, createMemoryStores, buildRemoteAppArgs } = castgate;
  let re2Throws;
  try { castgate.re2Engine('^(?:a)$'); } catch (error) { re2Throws = error.message; }
  const plain = parseCastConfig({ name: 'P', key: 'plain-0123456789abcdef', imageId: 'img', allowAnonymous: true });
  const plainDecision = await evaluateCast(plain, { ip: '192.0.2.1' }, createMemoryStores());
  const excel = { remoteAppName: '||Excel', args: [{ urlParamName: 'file', required: true, valuePattern: '[A-Z]:\\\\[a-z]+\\.xlsx' }] };
  const withPattern = safeParseCastConfig({ name: 'P', key: 'pattern-0123456789abc', imageId: 'img', allowAnonymous: true, remoteApp: excel });
  const good = await evaluateCast(withPattern.config, { ip: '192.0.2.1', query: { file: 'C:\\report.xlsx' } }, createMemoryStores());
  const bad = await evaluateCast(withPattern.config, { ip: '192.0.2.1', query: { file: 'C:\\report.xlsx & calc' } }, createMemoryStores());
  const invalid = safeParseCastConfig({ name: 'P', key: 'invalid-0123456789abc', imageId: 'img',
    remoteApp: { remoteAppName: '||Excel', args: [{ urlParamName: 'a', valuePattern: '(a)\\1' }, { urlParamName: 'b', valuePattern: 'a(?=b)' }, { urlParamName: 'c', valuePattern: '\\C' }] } });
  const kasm = fromKasmCastConfig({ casting_config_name: 'K', key: 'kasm-0123456789abcdef', image_id: 'img',
    remote_app_configs: { remote_app_name: '||Excel', args: [{ url_param_name: 'file', value_pattern: '^[A-Z]:\\\\[a-z]+\\.xlsx$' }] } });
  const redos = parseCastConfig({ name: 'P', key: 'redos-0123456789abcde', imageId: 'img', allowAnonymous: true,
    remoteApp: { remoteAppName: '||App', args: [{ urlParamName: 'v', valuePattern: '(a+)+$' }] } });
  const catastrophic = buildRemoteAppArgs(redos.remoteApp, { v: 'a'.repeat(50000) + '!' });
  const direct = buildRemoteAppArgs(excel, { file: 'D:\\x.xlsx' });
  const directBad = buildRemoteAppArgs(excel, { file: 'D:\\x.xlsx.exe' });
  const regex = (anchored) => { const re = new RegExp(anchored, 'u'); return { test: (value) => re.test(value) }; };
  const withEngine = parseCastConfig({ name: 'P', key: 'engine-0123456789abcd', imageId: 'img', allowAnonymous: true, remoteApp: excel }, { regex });
  const engineGood = await evaluateCast(withEngine, { ip: '192.0.2.1', query: { file: 'C:\\report.xlsx' } }, createMemoryStores());
  const engineBad = await evaluateCast(withEngine, { ip: '192.0.2.1', query: { file: 'C:\\report.xlsx & calc' } }, createMemoryStores());
  console.log(JSON.stringify({
    available: castgate.isRe2Available(), engineName: castgate.regexEngineName(), re2Throws,
    plainAllowed: plainDecision.allowed, patternParsed: withPattern.success,
    patternGood: good.allowed, patternBad: bad.error?.code, patternBadParameter: bad.error?.parameter,
    invalidIssues: invalid.error?.issues ?? [], kasmImported: kasm.remoteApp !== undefined,
    catastrophic: catastrophic.ok, directOk: direct.ok, directBad: directBad.ok ? undefined : directBad.error.code,
    engineGood: engineGood.allowed, engineBad: engineBad.error?.code,
  }));`;

let answers: Answers | undefined;
function ask(): Answers {
  answers ??= JSON.parse(
    execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' }),
  ) as Answers;
  return answers;
}

// re2 is an optional dependency loaded on the first pattern. A host that cannot build it (blocked
// install scripts, Deno, Bun, Workers) still gets RE2's syntax and linear time from re2js, never a
// backtracking RegExp; it can pass its own engine too.
describe('castgate without the re2 addon', () => {
  it('says which engine runs: re2 is unavailable, so re2js', () => {
    expect(ask().available).toBe(false);
    expect(ask().engineName).toBe('re2js');
  });

  it('refuses to use re2Engine itself, naming the fallback', () => {
    expect(ask().re2Throws).toContain('re2 native addon is not available');
    expect(ask().re2Throws).toContain('re2jsEngine');
  });

  it('evaluates configs without a valuePattern', () => {
    expect(ask().plainAllowed).toBe(true);
  });

  it('parses a config with a valuePattern and enforces it on the whole value (THREATS 5.1)', () => {
    const { patternParsed, patternGood, patternBad, patternBadParameter } = ask();
    expect(patternParsed).toBe(true);
    expect(patternGood).toBe(true);
    expect(patternBad).toBe('invalid_parameter');
    expect(patternBadParameter).toBe('file');
  });

  it('refuses what RE2 refuses, at the pattern path: backreferences, lookahead, \\C (THREATS 5.4)', () => {
    const { invalidIssues } = ask();
    expect(invalidIssues.map((issue) => issue.path)).toEqual([
      ['remoteApp', 'args', 0, 'valuePattern'],
      ['remoteApp', 'args', 1, 'valuePattern'],
      ['remoteApp', 'args', 2, 'valuePattern'],
    ]);
    expect(invalidIssues.every((issue) => issue.code === 'invalid_pattern')).toBe(true);
  });

  it('imports a Kasm config with a value_pattern (THREATS 5.8)', () => {
    expect(ask().kasmImported).toBe(true);
  });

  it('answers a catastrophic pattern on a 50,000-character value without backtracking (THREATS 5.3)', () => {
    expect(ask().catastrophic).toBe(false);
  });

  it('compiles a plain remote-app object passed to buildRemoteAppArgs', () => {
    expect(ask().directOk).toBe(true);
    expect(ask().directBad).toBe('invalid_parameter');
  });

  it('parses and enforces the pattern with the regex engine the host passes instead', () => {
    const { engineGood, engineBad } = ask();
    expect(engineGood).toBe(true);
    expect(engineBad).toBe('invalid_parameter');
  });
});
