import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { joinWindowsCommandLine, parseWindowsCommandLine, quoteWindowsArg } from '../../src/remote-app/windows-quote.js';
import { argvArbitrary, hostileString, hostileUnits } from './arbitraries.js';


describe('quoteWindowsArg (ArgvQuote)', () => {
  it.each([
    [String.raw`C:\Reports\Q1 2030.xlsx`, String.raw`"C:\Reports\Q1 2030.xlsx"`],
    ['C:\\dir\\', 'C:\\dir\\'],
    ['C:\\my dir\\', '"C:\\my dir\\\\"'],
    ['a"b', String.raw`"a\"b"`],
    [String.raw`a\"b`, String.raw`"a\\\"b"`],
    [String.raw`C:\x.xlsx" /e "D:\y`, String.raw`"C:\x.xlsx\" /e \"D:\y"`],
    ['', '""'],
    [String.raw`x\\`, String.raw`x\\`],
    ['100%', '100%'],
    ['a&b|c^d', 'a&b|c^d'],
    ['a\tb', '"a\tb"'],
    ['a\nb', '"a\nb"'],
    ['a\vb', '"a\vb"'],
    ['é😀', 'é😀'],
  ])('quotes %j as %j', (arg, quoted) => {
    expect(quoteWindowsArg(arg)).toBe(quoted);
  });

  it('leaves a value without space, tab, newline, vertical tab or quote as it is', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (arg) => {
        const plain = arg !== '' && !/[ \t\n\v"]/u.test(arg);
        expect(quoteWindowsArg(arg) === arg).toBe(plain);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('joinWindowsCommandLine', () => {
  it('joins quoted arguments with single spaces', () => {
    expect(joinWindowsCommandLine(['/r', String.raw`C:\Reports\Q1 2030.xlsx`, ''])).toBe(String.raw`/r "C:\Reports\Q1 2030.xlsx" ""`);
  });

  it('gives an empty string for no arguments', () => {
    expect(joinWindowsCommandLine([])).toBe('');
  });

  it('keeps the argument after a trailing backslash separate (6.2): C:\\dir\\ then next', () => {
    const argv = ['C:\\my dir\\', 'next'];
    const line = joinWindowsCommandLine(argv);
    expect(line).toBe(String.raw`"C:\my dir\\" next`);
    expect(parseWindowsCommandLine(line)).toEqual(argv);
    // The naive quoting swallows the next argument.
    expect(parseWindowsCommandLine(String.raw`"C:\my dir\" next`)).toEqual([String.raw`C:\my dir" next`]);
  });

  it('keeps a quote break-out inside one argument (6.1): C:\\x.xlsx" /e "D:\\y', () => {
    const value = String.raw`C:\x.xlsx" /e "D:\y`;
    expect(parseWindowsCommandLine(joinWindowsCommandLine([value]))).toEqual([value]);
    // The naive quoting lets the value inject a switch.
    expect(parseWindowsCommandLine(`"${value}"`)).toEqual([String.raw`C:\x.xlsx`, '/e', String.raw`D:\y`]);
  });
});

describe('parseWindowsCommandLine', () => {
  it.each([
    ['a b', ['a', 'b']],
    ['  a \t b  ', ['a', 'b']],
    ['', []],
    ['   ', []],
    ['""', ['']],
    ['"" ""', ['', '']],
    ['"a b" c', ['a b', 'c']],
    ['a"b c"d', ['ab cd']],
    [String.raw`a\b`, [String.raw`a\b`]],
    [String.raw`a\\b`, [String.raw`a\\b`]],
    [String.raw`a\\"b c"`, [String.raw`a\b c`]],
    [String.raw`a\\\"b`, [String.raw`a\"b`]],
    [String.raw`a\"b`, ['a"b']],
    [String.raw`"a\\" b`, ['a\\', 'b']],
    ['"unterminated quote', ['unterminated quote']],
    ['a\nb\vc', ['a\nb\vc']],
    ['a\u00a0b\u3000c', ['a\u00a0b\u3000c']],
    ['"a""b c"', ['a"b', 'c']],
    ['"a""" b', ['a" b']],
    ['""""', ['"']],
    ['"""a b', ['"a', 'b']],
    ['a""b', ['ab']],
  ])('splits %j into %j (CommandLineToArgvW)', (line, argv) => {
    expect(parseWindowsCommandLine(line)).toEqual(argv);
  });

  it.each([
    ['"a""b c"', ['a"b c']],
    ['"a""" b', ['a"', 'b']],
    ['""""', ['"']],
    ['a""b', ['ab']],
  ])('splits %j into %j with the C runtime (2008+) rule for "" inside quotes', (line, argv) => {
    expect(parseWindowsCommandLine(line, { dialect: 'crt2008' })).toEqual(argv);
  });

  it('never fails, and splitting is stable: parse(join(parse(s))) equals parse(s)', () => {
    const line = fc.oneof(fc.string({ unit: 'binary' }), hostileString);
    fc.assert(
      fc.property(line, (s) => {
        const argv = parseWindowsCommandLine(s);
        expect(parseWindowsCommandLine(joinWindowsCommandLine(argv))).toEqual(argv);
      }),
      { numRuns: 5000 },
    );
  });
});

describe('round trip (6.3)', () => {
  it('gives back any argv without control characters, over the hostile alphabet (10,000 runs)', () => {
    fc.assert(
      fc.property(argvArbitrary, (argv) => {
        expect(parseWindowsCommandLine(joinWindowsCommandLine(argv))).toEqual(argv);
      }),
      { numRuns: 10_000 },
    );
  });

  it('gives back the same argv under the C runtime (2008+) rules: the quoting never writes "" inside quotes', () => {
    fc.assert(
      fc.property(argvArbitrary, (argv) => {
        expect(parseWindowsCommandLine(joinWindowsCommandLine(argv), { dialect: 'crt2008' })).toEqual(argv);
      }),
      { numRuns: 10_000 },
    );
  });

  it('gives back any argv of any UTF-16 strings, control characters and lone surrogates included', () => {
    const anyUnits = fc.string({ unit: fc.oneof(fc.constantFrom(...hostileUnits, '\n', '\v', '\ud800', '\udc00'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })) });
    fc.assert(
      fc.property(fc.array(anyUnits, { maxLength: 8 }), (argv) => {
        expect(parseWindowsCommandLine(joinWindowsCommandLine(argv))).toEqual(argv);
      }),
      { numRuns: 10_000 },
    );
  });
});
