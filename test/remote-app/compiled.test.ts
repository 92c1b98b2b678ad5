import { describe, expect, it } from 'vitest';
import { parseRemoteApp } from '../../src/config/parse.js';
import { compiledPatternsOf, compileRemoteAppPatterns } from '../../src/remote-app/compiled.js';
import type { RegexEngine } from '../../src/remote-app/pattern.js';

const app = parseRemoteApp({
  remoteAppName: '||Microsoft Excel',
  args: [{ urlParamName: 'file', valuePattern: '[a-z]+\\.xlsx' }, { argumentName: '/r' }, { urlParamName: 'sheet', valuePattern: '[0-9]{1,3}' }],
});

describe('compiled patterns of a remote app', () => {
  it('compiles each argument\'s pattern by argument index, frozen, with nothing for an argument without one', () => {
    const compiled = compileRemoteAppPatterns(app);
    expect(compiled.ok).toBe(true);
    if (!compiled.ok) return;
    expect(compiled.patterns).toHaveLength(3);
    expect(Object.isFrozen(compiled.patterns)).toBe(true);
    expect(compiled.patterns[0]?.test('report.xlsx')).toBe(true);
    expect(compiled.patterns[0]?.test('report.xlsx.exe')).toBe(false);
    expect(compiled.patterns[1]).toBeUndefined();
    expect(compiled.patterns[2]?.test('12')).toBe(true);
  });

  it('names every argument whose pattern the engine refuses, in argument order, with the reason', () => {
    const refusesDigits: RegexEngine = (anchored) => {
      if (anchored.includes('0-9')) throw new SyntaxError('no digits here');
      return { test: () => true };
    };
    const everything: RegexEngine = () => {
      throw new SyntaxError('refused');
    };
    expect(compileRemoteAppPatterns(app, refusesDigits)).toEqual({ ok: false, refused: [{ index: 2, reason: 'no digits here' }] });
    expect(compileRemoteAppPatterns(app, everything)).toEqual({
      ok: false,
      refused: [
        { index: 0, reason: 'refused' },
        { index: 2, reason: 'refused' },
      ],
    });
  });

  it('remembers the matchers the config parser compiled for a parsed remote app only', () => {
    expect(compiledPatternsOf(app)).toHaveLength(3);
    expect(compiledPatternsOf({ ...app })).toBeUndefined();
  });
});
