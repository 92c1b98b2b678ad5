// The quoting checked against the real CommandLineToArgvW (Wine's shell32), not only against our
// own reader. Needs wine64 and mingw-w64 (apt: wine64 gcc-mingw-w64-x86-64): under CI=true their
// absence fails the suite; elsewhere it is skipped with the reason in its title.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildRemoteAppArgs } from '../../src/remote-app/build.js';
import { joinWindowsCommandLine, parseWindowsCommandLine } from '../../src/remote-app/windows-quote.js';
import { argvArbitrary, hostileString } from './arbitraries.js';
import { findWineTools, splitWithWine } from './wine.js';

const tools = findWineTools();
const inCi = process.env.CI === 'true';

/** The argv vectors of THREATS §6, each as one argv. */
const threatVectors: readonly (readonly string[])[] = [
  ['C:\\Reports\\Q1 2030.xlsx'],
  ['C:\\x.xlsx" /e "D:\\y'], // 6.1 quote break-out
  ['C:\\dir\\', 'next'], // 6.2 trailing backslash
  ['C:\\my dir\\', 'next'],
  ['a"b'],
  ['a\\"b'],
  [''],
  ['', '', 'x'],
  ['x\\\\'],
  ['100%', 'a&b|c^d'],
  ['%COMSPEC%'], // 6.4
  ['/automation', '-x'], // 6.5
  ['C:\\a\uff02 /e \uff02.xlsx'], // 6.6 fullwidth quote
  ['/r', 'C:\\Reports\\Q1 2030.xlsx'], // 6.8 switch then value
  ['\\\\server\\share\\x.xlsx'],
  ['"', '""', '\\"', '\\\\"', ' ', '\t', 'a b\\', 'é😀'],
  ['a\nb', 'c\vd'],
];

/** Raw command lines (not made by our quoting) on which our reader must agree with the real one. */
const hostileRawLines: readonly string[] = [
  '"a""b c"',
  '"a""" b',
  '""""',
  '"""a b',
  'a""b',
  '"" ""',
  'a\\\\\\"b',
  'a\\\\"b c"',
  '"a\\\\" b',
  '"unterminated',
  '  leading and trailing  ',
  'tab\tseparated\t\t',
  'a\nb\vc',
  '\u00a0x\u3000y',
  '\ud800 \udc00',
  'C:\\x.xlsx" /e "D:\\y',
  '"C:\\dir\\" next',
  '\\\\\\\\"',
  '"\\"""\\\\""\\""',
];

/** Command lines buildRemoteAppArgs makes for a switch, a URL value and a static value. */
const built = [
  'C:\\Reports\\Q1 2030.xlsx',
  'C:\\x.xlsx" /e "D:\\y',
  'C:\\my dir\\',
  '',
  '%COMSPEC% & calc ^ |',
  'C:\\a\uff02 /e \uff02.xlsx',
].map((file) => {
  const app = {
    remoteAppName: '||Microsoft Excel',
    args: [{ argumentName: '/r' }, { urlParamName: 'file', required: true }, { argumentName: '/x', argumentValue: 'C:\\Static dir\\' }],
  };
  const result = buildRemoteAppArgs(app, new URLSearchParams({ file }));
  if (!result.ok) throw new Error(`buildRemoteAppArgs refused ${file}`);
  return result;
});
const builtArgv = built.map((result) => result.argv);
const builtLines = built.map((result) => result.commandLine);

const sampledArgv = fc.sample(argvArbitrary, { seed: 20301124, numRuns: 400 });
const sampledRawLines = fc.sample(hostileString, { seed: 4577, numRuns: 400 });

if (!tools.ok && inCi) {
  describe('CommandLineToArgvW under Wine', () => {
    it('has wine64 and mingw-w64 installed (CI must install apt packages wine64 and gcc-mingw-w64-x86-64)', () => {
      expect.fail(`missing: ${tools.missing.join(', ')}`);
    });
  });
}

const title = tools.ok ? 'CommandLineToArgvW under Wine' : `CommandLineToArgvW under Wine (skipped: missing ${tools.missing.join(', ')})`;

describe.skipIf(!tools.ok)(title, () => {
  let quotedSplits: string[][] = [];
  let builtSplits: string[][] = [];
  let sampledSplits: string[][] = [];
  let rawSplits: string[][] = [];

  beforeAll(async () => {
    if (!tools.ok) return;
    // One Wine run for every case: each start is slow, the first one creates the prefix.
    const lines = [
      ...threatVectors.map((argv) => joinWindowsCommandLine(argv)),
      ...builtLines,
      ...sampledArgv.map((argv) => joinWindowsCommandLine(argv)),
      ...hostileRawLines,
      ...sampledRawLines,
    ];
    const splits = await splitWithWine(tools, lines);
    const take = (count: number) => splits.splice(0, count);
    quotedSplits = take(threatVectors.length);
    builtSplits = take(builtLines.length);
    sampledSplits = take(sampledArgv.length);
    rawSplits = splits;
  }, 300_000);

  it('splits the quoted THREATS §6 vectors back into exactly their argv', () => {
    expect(quotedSplits).toEqual(threatVectors);
  });

  it('splits the commandLine of buildRemoteAppArgs back into exactly its argv', () => {
    expect(builtSplits).toEqual(builtArgv);
  });

  it('splits 400 generated argv (hostile alphabet, any Unicode), quoted by quoteWindowsArg, back into exactly argv', () => {
    expect(sampledSplits).toHaveLength(400);
    expect(sampledSplits).toEqual(sampledArgv);
  });

  it('agrees with parseWindowsCommandLine on hostile raw command lines', () => {
    const raw = [...hostileRawLines, ...sampledRawLines];
    expect(rawSplits).toEqual(raw.map((line) => parseWindowsCommandLine(line)));
  });

  it('reads "" inside quotes as a literal quote that ends the quoted region (shell32, not the 2008 C runtime)', () => {
    expect(rawSplits[0]).toEqual(['a"b', 'c']);
    expect(parseWindowsCommandLine(hostileRawLines[0] ?? '', { dialect: 'crt2008' })).toEqual(['a"b c']);
  });
});
