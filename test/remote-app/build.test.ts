import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCastConfigError } from '../../src/config/errors.js';
import { parseCastConfig } from '../../src/config/parse.js';
import type { RemoteAppConfigInput } from '../../src/config/schema.js';
import type { CastQuery } from '../../src/contract/query.js';
import { buildRemoteAppArgs, maxCommandLineLength, type RemoteAppArgsResult } from '../../src/remote-app/build.js';
import type { RegexEngine } from '../../src/remote-app/pattern.js';
import { parseWindowsCommandLine } from '../../src/remote-app/windows-quote.js';
import { hostileString, stringWithoutControl } from './arbitraries.js';

const kasmMessage = 'Invalid URL parameters provided for remoteApp.';

/** The seed's `value_pattern` exactly as its JSON spells it, and the string that JSON decodes to. */
const seedPatternJson = String.raw`"([a-zA-Z]:\\\\)([^\\x00-\\x1F\\*\\\"/:<>\\?\\\\\\|]+\\\\)*([^\\x00-\\x1F\\*\\\"/:<>\\?\\\\\\|]+\\.(xls|xlsx|csv))"`;
const excelPattern = String.raw`([a-zA-Z]:\\)([^\x00-\x1F\*\"/:<>\?\\\|]+\\)*([^\x00-\x1F\*\"/:<>\?\\\|]+\.(xls|xlsx|csv))`;

const excel = {
  remoteAppName: '||Microsoft Excel',
  args: [{ urlParamName: 'file', required: true, valuePattern: excelPattern }],
} satisfies RemoteAppConfigInput;

const strictExcel = { ...excel, argPolicy: 'strict' } satisfies RemoteAppConfigInput;
const open = { remoteAppName: '||Notepad', args: [{ urlParamName: 'f', required: true }] } satisfies RemoteAppConfigInput;
const strictOpen = { ...open, argPolicy: 'strict' } satisfies RemoteAppConfigInput;

function excelFromConfig() {
  const config = parseCastConfig({ name: 'Excel', key: 'excel-0123456789abcdef', imageId: 'rds', remoteApp: excel });
  if (config.remoteApp === undefined) throw new Error('the config has no remote app');
  return config.remoteApp;
}

function ok(result: RemoteAppArgsResult) {
  if (!result.ok) throw new Error(`expected ok, got ${result.error.code} for ${result.error.parameter}`);
  return result;
}

function refusal(code: 'missing_parameter' | 'invalid_parameter', parameter: string) {
  return { ok: false, error: { code, parameter, message: kasmMessage } };
}

/** Asserts the line splits back into argv, the promise of SPEC §5. */
function expectRoundTrip(result: RemoteAppArgsResult): void {
  const built = ok(result);
  expect(parseWindowsCommandLine(built.commandLine)).toEqual(built.argv);
}

describe('buildRemoteAppArgs: the seed Excel example', () => {
  it('uses the seed pattern exactly as its JSON decodes', () => {
    expect(JSON.parse(seedPatternJson)).toBe(excelPattern);
  });

  it.each([
    ['C:\\Reports\\q1.xlsx', 'C:\\Reports\\q1.xlsx'],
    ['C:\\Reports\\Q1 2030.xlsx', '"C:\\Reports\\Q1 2030.xlsx"'],
    ['D:\\Finance Team\\2030 budget\\final v2.csv', '"D:\\Finance Team\\2030 budget\\final v2.csv"'],
    ['c:\\x.xls', 'c:\\x.xls'],
  ])('accepts a real Windows path: %s', (file, commandLine) => {
    const result = buildRemoteAppArgs(excel, new URLSearchParams({ file }));
    expect(result).toEqual({ ok: true, name: '||Microsoft Excel', argv: [file], commandLine, warnings: [] });
    expectRoundTrip(result);
  });

  it.each([
    ['a UNC path (remote file, NTLM leak)', '\\\\server\\share\\x.xlsx'],
    ['a UNC path ending in a drive path', '\\\\evil.example\\share\\C:\\x.xlsx'],
    ['a command after the file', 'C:\\a.xlsx & calc.exe'],
    ['a quote break-out', 'C:\\x.xlsx" /e "D:\\y.xls'],
    ['another extension', 'C:\\evil.exe'],
    ['a double extension', 'C:\\x.xlsx.exe'],
    ['a newline and a command', 'C:\\x.xlsx\ncalc'],
    ['a zero-width space after the extension', 'C:\\x.xlsx\u200b'],
    ['an upper-case extension (the pattern is case-sensitive)', 'C:\\x.XLSX'],
    ['a relative path', 'x.xlsx'],
    ['the empty value', ''],
  ])('refuses %s: the whole value must match (5.1)', (_, file) => {
    expect(buildRemoteAppArgs(excel, new URLSearchParams({ file }))).toEqual(refusal('invalid_parameter', 'file'));
  });

  it('refuses a missing file: missing_parameter naming it', () => {
    expect(buildRemoteAppArgs(excel, new URLSearchParams())).toEqual(refusal('missing_parameter', 'file'));
    expect(buildRemoteAppArgs(excel, undefined)).toEqual(refusal('missing_parameter', 'file'));
  });

  it.each([
    ['a .. segment', 'C:\\Public\\..\\Users\\Administrator\\secret.xlsx'],
    ['a %VAR%', 'C:\\%USERPROFILE%\\x.xlsx'],
    ['cmd metacharacters', 'C:\\a & calc & b.xlsx'],
    ['a caret', 'C:\\x^.xlsx'],
  ])('lets the Kasm class admit %s, as one argument; strict mode refuses it or not per its rules', (_, file) => {
    const result = buildRemoteAppArgs(excel, new URLSearchParams({ file }));
    expect(ok(result).argv).toEqual([file]);
    expectRoundTrip(result);
  });

  it('answers the same for a parsed config (compiled matchers reused) as for the plain object', () => {
    const parsed = excelFromConfig();
    for (const file of ['C:\\Reports\\Q1 2030.xlsx', 'C:\\a.xlsx & calc.exe', '\\\\server\\share\\x.xlsx']) {
      const query = new URLSearchParams({ file });
      expect(buildRemoteAppArgs(parsed, query)).toEqual(buildRemoteAppArgs(excel, query));
    }
  });

  it('does not change the plain object it was given', () => {
    const input = structuredClone(excel);
    buildRemoteAppArgs(input, new URLSearchParams({ file: 'C:\\x.xlsx' }));
    expect(input).toEqual(excel);
  });

  it('never echoes the refused value in the error', () => {
    const file = 'C:\\a.xlsx & calc.exe';
    const result = buildRemoteAppArgs(excel, new URLSearchParams({ file }));
    expect(JSON.stringify(result)).not.toContain('calc');
  });
});

describe('buildRemoteAppArgs: regex safety (THREATS §5)', () => {
  const alternation = { remoteAppName: 'app', args: [{ urlParamName: 'v', valuePattern: 'abc|def' }] } satisfies RemoteAppConfigInput;

  it.each(['abcdef', 'xxdef', 'defxx', 'abc\n', ''])('refuses %j against abc|def: the anchors wrap the whole alternation (5.2)', (v) => {
    expect(buildRemoteAppArgs(alternation, { v })).toEqual(refusal('invalid_parameter', 'v'));
  });

  it.each(['abc', 'def'])('accepts %j against abc|def (5.2)', (v) => {
    expect(ok(buildRemoteAppArgs(alternation, { v })).argv).toEqual([v]);
  });

  it('refuses a ReDoS value against (a+)+$ (5.3): over-long, and at 4,096 characters on RE2', () => {
    const redos = { remoteAppName: 'app', args: [{ urlParamName: 'v', valuePattern: '(a+)+$' }] } satisfies RemoteAppConfigInput;
    expect(buildRemoteAppArgs(redos, { v: 'a'.repeat(50_000) + '!' })).toEqual(refusal('invalid_parameter', 'v'));
    // Within the length cap the pattern itself must answer: a backtracking engine would not return.
    expect(buildRemoteAppArgs(redos, { v: 'a'.repeat(4095) + '!' })).toEqual(refusal('invalid_parameter', 'v'));
    expect(ok(buildRemoteAppArgs(redos, { v: 'a'.repeat(4096) })).argv).toEqual(['a'.repeat(4096)]);
  });

  it('gives identical answers when a compiled pattern is reused 1,000 times (5.5)', () => {
    const parsed = excelFromConfig();
    const good = new URLSearchParams({ file: 'C:\\Reports\\Q1 2030.xlsx' });
    const bad = new URLSearchParams({ file: 'C:\\x.xlsx.exe' });
    for (let i = 0; i < 1000; i++) {
      expect(buildRemoteAppArgs(parsed, good).ok).toBe(true);
      expect(buildRemoteAppArgs(parsed, good).ok).toBe(true);
      expect(buildRemoteAppArgs(parsed, bad).ok).toBe(false);
    }
  });

  it.each([
    ['a lone high surrogate', '\ud800'],
    ['a lone low surrogate in a path', 'C:\\a\udc00.xlsx'],
    ['a reversed pair', 'C:\\a\udc00\ud800.xlsx'],
  ])('refuses %s before matching (5.6)', (_, file) => {
    expect(buildRemoteAppArgs(excel, { file })).toEqual(refusal('invalid_parameter', 'file'));
    expect(buildRemoteAppArgs(open, { f: file })).toEqual(refusal('invalid_parameter', 'f'));
  });

  it('accepts a well-formed surrogate pair without a pattern', () => {
    expect(ok(buildRemoteAppArgs(open, { f: 'report 😀.xlsx' })).argv).toEqual(['report 😀.xlsx']);
  });
});

describe('buildRemoteAppArgs: the regex option', () => {
  const regexpEngine: RegexEngine = (anchored) => {
    const re = new RegExp(anchored);
    return { test: (value) => re.test(value) };
  };

  it('matches with the given engine like RE2 on the Excel table', () => {
    for (const file of ['C:\\Reports\\Q1 2030.xlsx', 'C:\\a.xlsx & calc.exe', 'C:\\x.xlsx.exe', '\\\\server\\share\\x.xlsx']) {
      const query = { file };
      expect(buildRemoteAppArgs(excelFromConfig(), query, { regex: regexpEngine })).toEqual(buildRemoteAppArgs(excel, query));
    }
  });

  it('compiles each pattern once per remote app and engine', () => {
    let compiled = 0;
    const counting: RegexEngine = (anchored) => {
      compiled++;
      return regexpEngine(anchored);
    };
    const parsed = excelFromConfig();
    for (let i = 0; i < 100; i++) buildRemoteAppArgs(parsed, { file: 'C:\\x.xlsx' }, { regex: counting });
    // compileValuePattern compiles the bare pattern once (to refuse `a)|(b`) and then the anchored one.
    expect(compiled).toBe(2);
  });

  it('throws CastConfigError naming the pattern when the engine cannot compile it', () => {
    // Kasm's \" is not a valid escape for a JavaScript RegExp with the u flag.
    const unicodeRegExp: RegexEngine = (anchored) => {
      const re = new RegExp(anchored, 'u');
      return { test: (value) => re.test(value) };
    };
    let thrown: unknown;
    try {
      buildRemoteAppArgs(excelFromConfig(), { file: 'C:\\x.xlsx' }, { regex: unicodeRegExp });
    } catch (error) {
      thrown = error;
    }
    expect(isCastConfigError(thrown)).toBe(true);
    expect((thrown as { issues: { path: unknown }[] }).issues[0]?.path).toEqual(['remoteApp', 'args', 0, 'valuePattern']);
  });
});

describe('buildRemoteAppArgs: command-line injection (THREATS §6)', () => {
  it('keeps a quote break-out inside one argument (6.1)', () => {
    const f = 'C:\\x.xlsx" /e "D:\\y';
    const result = buildRemoteAppArgs(open, { f });
    expect(ok(result).argv).toEqual([f]);
    expect(ok(result).commandLine).toBe('"C:\\x.xlsx\\" /e \\"D:\\y"');
    expectRoundTrip(result);
  });

  it('keeps the next argument separate after a trailing backslash (6.2)', () => {
    const two = { remoteAppName: 'app', args: [{ urlParamName: 'dir' }, { urlParamName: 'next' }] } satisfies RemoteAppConfigInput;
    const result = buildRemoteAppArgs(two, { dir: 'C:\\my dir\\', next: 'x y' });
    expect(ok(result).argv).toEqual(['C:\\my dir\\', 'x y']);
    expect(ok(result).commandLine).toBe('"C:\\my dir\\\\" "x y"');
    expectRoundTrip(result);
  });

  it('round-trips any value without control characters, hostile alphabet included (6.3)', () => {
    // The alphabet's tab is a control character, refused as a value (6.7).
    const hostileValue = hostileString.map((s) => s.replaceAll('\t', ' '));
    fc.assert(
      fc.property(fc.oneof(hostileValue, stringWithoutControl), (f) => {
        const result = buildRemoteAppArgs(open, { f });
        expect(ok(result).argv).toEqual([f]);
        expectRoundTrip(result);
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts %COMSPEC% with a warning naming the parameter only, by default (6.4)', () => {
    const result = ok(buildRemoteAppArgs(open, { f: '%COMSPEC%' }));
    expect(result.argv).toEqual(['%COMSPEC%']);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toContain('"f"');
    expect(result.warnings[0]).not.toContain('COMSPEC');
  });

  it('refuses %COMSPEC% in strict mode (6.4)', () => {
    expect(buildRemoteAppArgs(strictOpen, { f: '%COMSPEC%' })).toEqual(refusal('invalid_parameter', 'f'));
  });

  it.each(['/automation', '-x', '--help'])('accepts the switch-like value %s by default, refuses it in strict mode (6.5)', (f) => {
    expect(ok(buildRemoteAppArgs(open, { f })).argv).toEqual([f]);
    expect(buildRemoteAppArgs(strictOpen, { f })).toEqual(refusal('invalid_parameter', 'f'));
  });

  it('round-trips a fullwidth quote U+FF02 by default and refuses it in strict mode (6.6)', () => {
    const f = 'C:\\a\uff02 /e \uff02.xlsx';
    const result = buildRemoteAppArgs(open, { f });
    expect(ok(result).argv).toEqual([f]);
    expectRoundTrip(result);
    expect(buildRemoteAppArgs(strictOpen, { f })).toEqual(refusal('invalid_parameter', 'f'));
  });

  it.each([
    ['NUL', 'a\u0000b'],
    ['CR', 'a\rb'],
    ['LF', 'a\nb'],
    ['tab', 'a\tb'],
    ['unit separator', 'a\u001fb'],
    ['DEL', 'a\u007fb'],
  ])('refuses a control character: %s (6.7)', (_, f) => {
    expect(buildRemoteAppArgs(open, { f })).toEqual(refusal('invalid_parameter', 'f'));
  });

  it('lets a static argumentValue win over the URL, argumentName and value as separate items (6.8)', () => {
    const app = {
      remoteAppName: 'app',
      args: [
        { urlParamName: 'file', argumentName: '/open', argumentValue: 'C:\\Static\\Q1 2030.xlsx' },
        { urlParamName: 'sheet', argumentName: '/sheet' },
      ],
    } satisfies RemoteAppConfigInput;
    const result = buildRemoteAppArgs(app, { file: 'C:\\x & calc.xlsx', sheet: 'Q1' });
    expect(ok(result).argv).toEqual(['/open', 'C:\\Static\\Q1 2030.xlsx', '/sheet', 'Q1']);
    expect(ok(result).commandLine).toBe('/open "C:\\Static\\Q1 2030.xlsx" /sheet Q1');
  });

  it.each<[string, CastQuery]>([
    ['URLSearchParams', new URLSearchParams('file=C%3A%5Cok.xlsx&file=C%3A%5Cx+%26+calc')],
    ['an array', { file: ['C:\\ok.xlsx', 'C:\\x & calc'] }],
    ['the same value twice', new URLSearchParams('file=C%3A%5Cok.xlsx&file=C%3A%5Cok.xlsx')],
  ])('refuses a repeated parameter as %s (6.9)', (_, query) => {
    expect(buildRemoteAppArgs(excel, query)).toEqual(refusal('invalid_parameter', 'file'));
  });

  it('reads a one-element array as its element', () => {
    expect(ok(buildRemoteAppArgs(excel, { file: ['C:\\ok.xlsx'] })).argv).toEqual(['C:\\ok.xlsx']);
  });

  it.each<[string, unknown]>([
    ['an object with toString', { toString: () => 'C:\\a.xlsx' }],
    ['a nested qs object (file[a]=b)', { a: 'b' }],
    ['a number', 42],
    ['null', null],
    ['an array holding a non-string', [{ toString: () => 'C:\\a.xlsx' }]],
    ['an empty array', []],
  ])('refuses a non-string parameter: %s (6.10)', (_, file) => {
    expect(buildRemoteAppArgs(excel, { file } as unknown as CastQuery)).toEqual(refusal('invalid_parameter', 'file'));
  });

  it.each(['constructor', 'toString', 'hasOwnProperty', '__proto__', 'valueOf'])(
    'never reads %s from the prototype (6.11)',
    (name) => {
      const required = { remoteAppName: 'app', args: [{ urlParamName: name, required: true }] } satisfies RemoteAppConfigInput;
      const optional = { remoteAppName: 'app', args: [{ urlParamName: name, argumentName: '/x' }] } satisfies RemoteAppConfigInput;
      expect(buildRemoteAppArgs(required, {})).toEqual(refusal('missing_parameter', name));
      expect(ok(buildRemoteAppArgs(optional, {})).argv).toEqual([]);
      expect(ok(buildRemoteAppArgs(optional, new URLSearchParams())).argv).toEqual([]);
    },
  );

  it('reads a parameter named constructor when it is an own property', () => {
    const app = { remoteAppName: 'app', args: [{ urlParamName: 'constructor', required: true }] } satisfies RemoteAppConfigInput;
    expect(ok(buildRemoteAppArgs(app, JSON.parse('{"constructor":"C:\\\\x.xlsx"}') as CastQuery)).argv).toEqual(['C:\\x.xlsx']);
    expect(ok(buildRemoteAppArgs(app, new URLSearchParams('constructor=y'))).argv).toEqual(['y']);
  });

  it('never reads an inherited value', () => {
    const inherited = Object.create({ file: 'C:\\x.xlsx' }) as CastQuery;
    expect(buildRemoteAppArgs(excel, inherited)).toEqual(refusal('missing_parameter', 'file'));
  });
});

describe('buildRemoteAppArgs: required, optional and switch-only arguments', () => {
  const app = {
    remoteAppName: '||Report Viewer',
    args: [
      { argumentName: '/safe' },
      { urlParamName: 'file', required: true },
      { urlParamName: 'sheet', argumentName: '/sheet' },
      { urlParamName: 'mode', argumentName: '/mode', valuePattern: 'ro|rw|' },
    ],
  } satisfies RemoteAppConfigInput;

  it('puts every piece in config order', () => {
    const result = buildRemoteAppArgs(app, { file: 'C:\\a b.xlsx', sheet: 'Q1', mode: 'ro' });
    expect(result).toEqual({
      ok: true,
      name: '||Report Viewer',
      argv: ['/safe', 'C:\\a b.xlsx', '/sheet', 'Q1', '/mode', 'ro'],
      commandLine: '/safe "C:\\a b.xlsx" /sheet Q1 /mode ro',
      warnings: [],
    });
  });

  it('leaves out an absent optional argument, its argumentName included', () => {
    expect(ok(buildRemoteAppArgs(app, { file: 'x' })).argv).toEqual(['/safe', 'x']);
  });

  it('gives a present-but-empty value as "" (quoted), still checked by its pattern', () => {
    const result = buildRemoteAppArgs(app, { file: '', sheet: '', mode: '' });
    expect(ok(result).argv).toEqual(['/safe', '', '/sheet', '', '/mode', '']);
    expect(ok(result).commandLine).toBe('/safe "" /sheet "" /mode ""');
    expectRoundTrip(result);
    const noEmpty = { remoteAppName: 'app', args: [{ urlParamName: 'mode', valuePattern: 'ro|rw' }] } satisfies RemoteAppConfigInput;
    expect(buildRemoteAppArgs(noEmpty, { mode: '' })).toEqual(refusal('invalid_parameter', 'mode'));
  });

  it('refuses a missing required argument even when later ones are present', () => {
    expect(buildRemoteAppArgs(app, { sheet: 'Q1' })).toEqual(refusal('missing_parameter', 'file'));
  });

  it('answers an empty argv for a remote app without arguments', () => {
    expect(buildRemoteAppArgs({ remoteAppName: '||Calculator', args: [] }, undefined)).toEqual({
      ok: true,
      name: '||Calculator',
      argv: [],
      commandLine: '',
      warnings: [],
    });
  });

  it('reports the first problem in config order', () => {
    expect(buildRemoteAppArgs(app, { file: 'a\nb', mode: 'xx' })).toEqual(refusal('invalid_parameter', 'file'));
    expect(buildRemoteAppArgs(app, { file: 'a', mode: 'xx' })).toEqual(refusal('invalid_parameter', 'mode'));
  });
});

describe('buildRemoteAppArgs: strict argument policy', () => {
  it.each([
    ['%', 'C:\\100%.xlsx'],
    ['"', 'a"b'],
    ['a leading -', '-x'],
    ['a leading /', '/x'],
    ['a .. segment', 'C:\\Public\\..\\secret.xlsx'],
    ['a .. segment with slashes', '../secret.xlsx'],
    ['a trailing .. segment', 'C:\\Public\\..'],
    ['.. alone', '..'],
    ['a drive-relative parent C:..\\secret.txt', 'C:..\\secret.txt'],
    ['a drive-relative parent c:..', 'c:..'],
    ['a dots-and-spaces segment', 'C:\\a\\.. \\b.xlsx'],
    ['a ... segment', 'C:\\a\\...\\b.xlsx'],
    ['a fullwidth quote U+FF02', 'C:\\a\uff02.xlsx'],
    ['a fullwidth backslash U+FF3C', 'C:\\a\uff3cb.xlsx'],
    ['a yen sign (best-fit \\ on CP932)', 'C:\\a\u00a5b.xlsx'],
    ['a soft hyphen', '\u00adx'],
    ['an accented letter', 'C:\\café.xlsx'],
    ['a zero-width space', 'C:\\a\u200b.xlsx'],
    ['an emoji', 'C:\\😀.xlsx'],
    ['a control character', 'a\u0001'],
  ])('refuses %s', (_, f) => {
    expect(buildRemoteAppArgs(strictOpen, { f })).toEqual(refusal('invalid_parameter', 'f'));
  });

  it.each(['C:\\Reports\\Q1 2030.xlsx', 'C:\\a..b\\c.xlsx', 'C:\\..a\\b.xlsx', 'a-b', 'a/b', 'x.', "C:\\it's & more^.xlsx", ''])(
    'accepts %j',
    (f) => {
      const result = buildRemoteAppArgs(strictOpen, { f });
      expect(ok(result).argv).toEqual([f]);
      expect(ok(result).warnings).toEqual([]);
    },
  );

  it('checks the pattern too: strict Excel refuses a UNC path and accepts a plain one', () => {
    expect(buildRemoteAppArgs(strictExcel, { file: '\\\\server\\share\\x.xlsx' })).toEqual(refusal('invalid_parameter', 'file'));
    expect(ok(buildRemoteAppArgs(strictExcel, { file: 'C:\\Reports\\Q1 2030.xlsx' })).argv).toEqual(['C:\\Reports\\Q1 2030.xlsx']);
  });

  it('does not check admin-written static values', () => {
    const app = {
      remoteAppName: 'app',
      argPolicy: 'strict',
      args: [{ argumentName: '/cfg', argumentValue: '%APPDATA%\\..\\cfg "x"' }],
    } satisfies RemoteAppConfigInput;
    const result = ok(buildRemoteAppArgs(app, {}));
    expect(result.argv).toEqual(['/cfg', '%APPDATA%\\..\\cfg "x"']);
    expect(result.warnings).toEqual([]);
    expectRoundTrip(result);
  });
});

describe('buildRemoteAppArgs: length limits', () => {
  const four = {
    remoteAppName: 'app',
    args: [{ urlParamName: 'a' }, { urlParamName: 'b' }, { urlParamName: 'c' }, { urlParamName: 'd' }],
  } satisfies RemoteAppConfigInput;
  const full = 'x'.repeat(4096);

  it('refuses a value longer than 4096 characters', () => {
    expect(ok(buildRemoteAppArgs(open, { f: full })).argv).toEqual([full]);
    expect(buildRemoteAppArgs(open, { f: `${full}x` })).toEqual(refusal('invalid_parameter', 'f'));
  });

  it('caps the command line at 7,999 UTF-16 code units, what FreeRDP sends (16,000 bytes with the NUL)', () => {
    expect(maxCommandLineLength).toBe(7999);
  });

  it('accepts a command line of exactly 7,999 characters and refuses 8,000, naming the parameter that took it over', () => {
    // 4096 + 1 separating space + the second value.
    const exact = ok(buildRemoteAppArgs(four, { a: full, b: 'x'.repeat(3902) }));
    expect(exact.commandLine).toHaveLength(7999);
    expect(buildRemoteAppArgs(four, { a: full, b: 'x'.repeat(3903) })).toEqual(refusal('invalid_parameter', 'b'));
  });

  it('counts UTF-16 code units: an emoji is two', () => {
    expect(ok(buildRemoteAppArgs(four, { a: full, b: '😀'.repeat(1951) })).commandLine).toHaveLength(7999);
    expect(buildRemoteAppArgs(four, { a: full, b: '😀'.repeat(1952) })).toEqual(refusal('invalid_parameter', 'b'));
  });

  it('counts the quoting: doubled backslashes and escaped quotes', () => {
    const quotes = '"'.repeat(1000); // quoted: 2 × 1000 + 2 characters
    const result = buildRemoteAppArgs(four, { a: quotes, b: quotes, c: quotes, d: quotes });
    expect(result).toEqual(refusal('invalid_parameter', 'd'));
    expect(ok(buildRemoteAppArgs(four, { a: quotes, b: quotes, c: quotes })).commandLine).toHaveLength(3 * 2002 + 2);
  });

  it('names the last URL parameter used when a static value takes the line over', () => {
    const app = {
      remoteAppName: 'app',
      args: [{ urlParamName: 'a' }, { argumentValue: 'x'.repeat(3000) }, { argumentValue: 'x'.repeat(3000) }, { urlParamName: 'z' }],
    } satisfies RemoteAppConfigInput;
    expect(buildRemoteAppArgs(app, { a: full })).toEqual(refusal('invalid_parameter', 'a'));
  });

  it('throws CastConfigError at remoteApp.args when static values alone are over the limit, whatever the URL holds', () => {
    for (const [args, query] of [
      [[{ argumentValue: full }, { argumentValue: full }, { urlParamName: 'z' }], { z: 'x' }],
      [[{ argumentValue: full }, { argumentValue: 'x'.repeat(3903) }], {}],
    ] as const) {
      const app = { remoteAppName: 'app', args: [...args] } satisfies RemoteAppConfigInput;
      expect(() => buildRemoteAppArgs(app, query)).toThrow(/longer than 7999 characters/u);
    }
  });
});

describe('buildRemoteAppArgs: the remote app', () => {
  it('throws CastConfigError for an invalid plain remote app', () => {
    let thrown: unknown;
    try {
      buildRemoteAppArgs({ remoteAppName: '||Excel"', args: [{ urlParamName: 'f', valuePattern: 'a(?=b)' }] }, {});
    } catch (error) {
      thrown = error;
    }
    expect(isCastConfigError(thrown)).toBe(true);
  });

  it('keeps the RemoteApp name as written, with or without ||', () => {
    expect(ok(buildRemoteAppArgs({ remoteAppName: 'C:\\Apps\\viewer.exe', args: [] }, {})).name).toBe('C:\\Apps\\viewer.exe');
  });
});

describe('buildRemoteAppArgs: properties', () => {
  const apps = [excel, strictExcel, open, strictOpen, excelFromConfig()];
  const names = fc.constantFrom('file', 'f', 'constructor', '__proto__', 'toString', 'sheet');
  const queryObject = fc.dictionary(fc.oneof(names, fc.string()), fc.anything(), { maxKeys: 6 });
  const searchParams = fc
    .array(fc.tuple(fc.oneof(names, fc.string()), fc.oneof(fc.string({ unit: 'binary' }), hostileString)), { maxLength: 6 })
    .map((pairs) => new URLSearchParams(pairs));

  it('never throws on arbitrary query objects, and every answer is a result value', () => {
    fc.assert(
      fc.property(fc.constantFrom(...apps), fc.oneof(queryObject, searchParams), (app, query) => {
        const result = buildRemoteAppArgs(app, query as CastQuery);
        if (result.ok) {
          expect(parseWindowsCommandLine(result.commandLine)).toEqual(result.argv);
        } else {
          expect(Object.keys(result.error).sort()).toEqual(['code', 'message', 'parameter']);
          expect(result.error.message).toBe(kasmMessage);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('answers ok for a value exactly when it has no control character, is well-formed, short enough and matches', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: fc.constantFrom('a', '\u0000', '\n', '\u007f', '\ud800', '\udc00', ' ') })), (f) => {
        // eslint-disable-next-line no-control-regex
        const acceptable = !/[\u0000-\u001f\u007f]/u.test(f) && !/[\ud800-\udfff]/u.test(f) && f.length <= 4096;
        expect(buildRemoteAppArgs(open, { f }).ok).toBe(acceptable);
      }),
      { numRuns: 3000 },
    );
  });
});
