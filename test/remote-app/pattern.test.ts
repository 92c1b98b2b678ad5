import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileValuePattern, isRe2Available, re2Engine, re2jsEngine, regexEngineName, tryCompileValuePattern, type RegexEngine } from '../../src/remote-app/pattern.js';

/** Pieces of RE2 syntax an admin writes in a `valuePattern`, JavaScript spellings included. */
const atom = fc.constantFrom(
  'a', 'b', 'A', '1', ' ', 'é', '😀', '\\.', '\\\\', '.', '\\d', '\\D', '\\w', '\\W', '\\s', '\\S',
  '[a-c]', '[^ab]', '[a-zA-Z0-9_.-]', '[.]', '\\u0041', '\\x61', '\\p{L}', '\\pN', '[[:alpha:]]', '\\b', '\\B', '^', '$',
);
const quantifier = fc.constantFrom('', '', '*', '+', '?', '*?', '+?', '??', '{2}', '{1,3}', '{0,}');

const pattern: fc.Arbitrary<string> = fc.letrec<{ pattern: string; term: string }>((tie) => ({
  term: fc.oneof(
    { weight: 4, arbitrary: fc.tuple(atom, quantifier).map(([a, q]) => a + q) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('(', '(?:', '(?<name>', '(?i)(?:'), tie('pattern'), quantifier).map(([open, inner, q]) => `${open}${inner})${q}`) },
  ),
  pattern: fc.oneof(
    { weight: 3, arbitrary: fc.array(tie('term'), { minLength: 1, maxLength: 4 }).map((terms) => terms.join('')) },
    { weight: 1, arbitrary: fc.tuple(tie('term'), tie('term')).map(([left, right]) => `${left}|${right}`) },
  ),
})).pattern;

/** Values over the same alphabet, so that patterns match some of them. */
const value = fc.array(fc.constantFrom('a', 'b', 'c', 'A', 'B', '1', '9', ' ', '.', '\\', '_', '-', 'é', 'É', '😀', '\n', 'x'), { maxLength: 8 }).map((units) => units.join(''));

function outcome(engine: RegexEngine, source: string, values: readonly string[]): string | boolean[] {
  let matcher;
  try {
    matcher = compileValuePattern(source, engine);
  } catch (error) {
    return error instanceof SyntaxError ? 'refused' : `threw ${String(error)}`;
  }
  return values.map((v) => matcher.test(v));
}

describe('pattern engines', () => {
  it('uses native re2 where it loads (the CI machine builds it)', () => {
    expect(isRe2Available()).toBe(true);
    expect(regexEngineName()).toBe('re2');
  });

  it('re2 and re2js agree on every pattern: both refuse it, or both give the same whole-match answers', () => {
    fc.assert(
      fc.property(pattern, fc.array(value, { minLength: 1, maxLength: 12 }), (source, values) => {
        expect(outcome(re2jsEngine, source, values)).toEqual(outcome(re2Engine, source, values));
      }),
      { numRuns: 500 },
    );
  }, 120_000);

  it('re2js refuses what RE2 refuses, with a SyntaxError: backreferences, lookaround, possessive, huge repeats (THREATS 5.4)', () => {
    for (const source of ['(a)\\1', 'a(?=b)', '(?<=a)b', 'a++', '(?>a)', 'a{1001}', 'a)|(b', '\\C']) {
      expect(() => compileValuePattern(source, re2jsEngine), source).toThrow(SyntaxError);
    }
  });

  it('re2js matches the whole value, never a part (THREATS 5.1)', () => {
    const excel = compileValuePattern('[A-Z]:\\\\[a-z]+\\.xlsx', re2jsEngine);
    expect(excel.test('C:\\report.xlsx')).toBe(true);
    for (const hostile of ['C:\\report.xlsx & calc.exe', '\\\\host\\share\\x.xlsx', 'C:\\report.xlsx\n', 'C:\\report.xlsx.exe']) {
      expect(excel.test(hostile), hostile).toBe(false);
    }
  });
});

describe('tryCompileValuePattern: compiling without a throw, for the config parser', () => {
  it('answers a whole-value matcher for a pattern the engine accepts', () => {
    const compiled = tryCompileValuePattern('[a-z]+');
    expect(compiled.ok).toBe(true);
    if (!compiled.ok) return;
    expect(compiled.matcher.test('abc')).toBe(true);
    expect(compiled.matcher.test('abc1')).toBe(false);
  });

  it('answers the engine\'s reason for a pattern it refuses, and never throws', () => {
    expect(tryCompileValuePattern('a++')).toEqual({ ok: false, reason: expect.stringContaining('repetition') });
    expect(tryCompileValuePattern('a\\Cb')).toEqual({ ok: false, reason: '\\C (match any byte) is not allowed' });
    expect(tryCompileValuePattern('a)|(b')).toMatchObject({ ok: false });
  });

  it('cuts a long reason to 200 characters and an ellipsis, so an issue never quotes a whole pattern', () => {
    const engine: RegexEngine = () => {
      throw new SyntaxError('x'.repeat(500));
    };
    expect(tryCompileValuePattern('a', engine)).toEqual({ ok: false, reason: `${'x'.repeat(200)}…` });
    const short: RegexEngine = () => {
      throw new SyntaxError('y'.repeat(200));
    };
    expect(tryCompileValuePattern('a', short)).toEqual({ ok: false, reason: 'y'.repeat(200) });
  });

  it('says "unknown error" when the engine throws something that is not an Error', () => {
    const engine: RegexEngine = () => {
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- a host's engine may throw anything
      throw 'nope';
    };
    expect(tryCompileValuePattern('a', engine)).toEqual({ ok: false, reason: 'unknown error' });
  });
});

describe('a built-in engine matcher asked the same value again', () => {
  const engines: [string, RegexEngine][] = [['re2js', re2jsEngine], ...(isRe2Available() ? [['re2', re2Engine] as [string, RegexEngine]] : [])];

  for (const [name, engine] of engines) {
    it(`answers each value on its own, whatever it was asked before (${name})`, () => {
      const matcher = engine('^(?:[a-z]+\\.xlsx)$');
      const asked = ['q.xlsx', 'q.xlsx', 'Q.xlsx', 'Q.xlsx', 'q.xlsx', '', 'q.xlsx', ''.concat('q', '.xlsx')];
      expect(asked.map((value) => matcher.test(value))).toEqual([true, true, false, false, true, false, true, true]);
    });

    it(`answers any sequence of values as a fresh matcher would (${name}, property)`, () => {
      const values = fc.constantFrom('a.xlsx', 'b.xlsx', 'A.xlsx', 'a.xls', '', 'é.xlsx');
      fc.assert(
        fc.property(fc.array(values, { maxLength: 20 }), (sequence) => {
          const kept = engine('^(?:[a-z]+\\.xlsx)$');
          for (const value of sequence) expect(kept.test(value)).toBe(engine('^(?:[a-z]+\\.xlsx)$').test(value));
        }),
        { numRuns: 100 },
      );
    });
  }
});
