import { parseArgs } from 'node:util';
import { createMemoryStores, evaluateCast, type CastDecision, type CastErrorCode, type CastStores, type GuardTrace } from 'castgate';
import { createFakeCaptchaVerifier } from 'castgate/testing';
import { argsError, describeArgsError, type CliOptionSpecs } from './args.js';
import type { FixtureExpectation } from './fixtures-schema.js';
import { loadFixtures, type FixtureCase } from './fixtures.js';
import { formatTable, printable, usageError, type CliIo } from './format.js';

/**
 * The `castgate test --help` text.
 */
export const testHelp = `Usage: castgate test <fixtures.json> [--json]

Runs policy tests kept as data: each case sends a request to a named config and says what the
decision must be. Cases run in order on one set of fresh in-memory stores (a repeated case meets the
rate limit and spends the quota); "expect" is checked on the last repetition.

  {
    "configs": { "<name>": <config> | { "file": "<path>", "kasm": true } },
    "captcha": { "pass": ["token", ...] },
    "cases": [
      { "name": "...", "config": "<name>",
        "request": { "ip": "...", "referrer": "...", "query": "a=b&c=d", "user": "id", "now": "2030-01-01T00:00:00Z", "captchaToken": "..." },
        "repeat": 3,
        "expect": { "allowed": true } }
    ]
  }

A relative "file" is read from the fixtures file's folder; "query" is a string or an object; "user"
is an id or { "id" } (absent: anonymous); "now" is a date (UTC midnight) or a date and time with an
offset (absent: the system clock); "expect" is { "allowed": true } or { "code": "<error code>" }. Captcha tokens
listed under "captcha.pass" pass; any other token fails (no provider is called).

Options:
  --json        print the results as one JSON document
  -h, --help    show this help

Exit codes: 0 every case passed, 1 a case failed (each failure shown: expected, got, trace),
2 the fixtures cannot be used (missing or unreadable file, invalid JSON, an invalid fixture or
config, an unknown config name) or a usage error.
`;

const testOptions = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies CliOptionSpecs;

/** What a decision was, in the words of an expectation. */
interface Got {
  readonly allowed: boolean;
  readonly outcome?: 'created' | 'resumed';
  readonly code?: CastErrorCode;
  readonly status: number;
  readonly message?: string;
  readonly parameter?: string;
  readonly retryAfterSeconds?: number;
}

interface CaseResult {
  readonly name: string;
  readonly config: string;
  readonly passed: boolean;
  readonly repeat: number;
  readonly expected: FixtureExpectation;
  readonly got: Got;
  readonly trace: readonly GuardTrace[];
}

function gotOf(decision: CastDecision): Got {
  if (decision.allowed) return { allowed: true, outcome: decision.outcome, status: 200 };
  const { code, status, message, parameter, retryAfterSeconds } = decision.error;
  return {
    allowed: false,
    code,
    status,
    message,
    ...(parameter === undefined ? {} : { parameter }),
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
  };
}

function meets(expectation: FixtureExpectation, got: Got): boolean {
  return 'code' in expectation ? !got.allowed && got.code === expectation.code : got.allowed;
}

/** Sends a case's request `repeat` times, in order, and checks the last decision. */
async function runCase(fixture: FixtureCase, stores: CastStores): Promise<CaseResult> {
  let decision = await evaluateCast(fixture.config, fixture.request, stores);
  for (let sent = 1; sent < fixture.repeat; sent++) decision = await evaluateCast(fixture.config, fixture.request, stores);
  const got = gotOf(decision);
  return { name: fixture.name, config: fixture.configName, passed: meets(fixture.expect, got), repeat: fixture.repeat, expected: fixture.expect, got, trace: decision.trace };
}

const describeExpected = (expected: FixtureExpectation): string => ('code' in expected ? `denied with ${expected.code}` : 'allowed');

function describeGot(got: Got): string {
  if (got.allowed) return `allowed (${got.outcome ?? 'created'}, HTTP 200)`;
  const details = [`HTTP ${got.status}`, got.parameter === undefined ? '' : `parameter ${got.parameter}`, got.retryAfterSeconds === undefined ? '' : `retry after ${got.retryAfterSeconds} s`];
  return `denied with ${got.code ?? '?'} (${details.filter((detail) => detail !== '').join(', ')}): ${got.message ?? ''}`;
}

function failureLines(result: CaseResult): string[] {
  const trace = formatTable(
    ['guard', 'verdict', 'code', 'note'],
    result.trace.map((entry) => [entry.guard, entry.verdict, entry.code ?? '', printable(entry.note ?? '')]),
  );
  return [
    `✗ ${printable(result.name)}`,
    `    config    ${printable(result.config)}${result.repeat > 1 ? ` (the last of ${result.repeat} requests)` : ''}`,
    `    expected  ${describeExpected(result.expected)}`,
    `    got       ${printable(describeGot(result.got))}`,
    '    trace',
    ...trace.split('\n').map((line) => `      ${line}`),
  ];
}

function jsonReport(results: readonly CaseResult[]): string {
  const failed = results.filter((result) => !result.passed).length;
  const report = {
    ok: failed === 0,
    passed: results.length - failed,
    failed,
    cases: results.map((result) => ({
      name: result.name,
      config: result.config,
      passed: result.passed,
      repeat: result.repeat,
      expected: result.expected,
      got: result.got,
      ...(result.passed ? {} : { trace: result.trace }),
    })),
  };
  return `${JSON.stringify(report, null, 2)}\n`;
}

function textReport(results: readonly CaseResult[]): string {
  const failed = results.filter((result) => !result.passed).length;
  const lines = results.flatMap((result) => (result.passed ? [`✓ ${printable(result.name)}`] : failureLines(result)));
  lines.push('', `${results.length - failed} passed, ${failed} failed (${results.length} ${results.length === 1 ? 'case' : 'cases'})`);
  return `${lines.join('\n')}\n`;
}

/**
 * Runs `castgate test`: loads a fixtures file (SPEC §12), runs its cases in order on one set of
 * fresh memory stores (with a fake captcha verifier passing the listed tokens; no provider is
 * called), and prints each result, every failure with what was expected, what came and the trace.
 * With `--json` standard output holds exactly one JSON document, whatever happens (on exit 2,
 * `{ ok: false, error }`). Answers 0 when every case passed, 1 when one failed, 2 when the fixtures
 * cannot be used or on a usage error.
 */
export async function runTest(args: readonly string[], io: CliIo): Promise<number> {
  // Known before parsing, so that even a usage error answers with a JSON document.
  const json = args.includes('--json');
  const jsonError = (message: string): void => {
    if (json) io.stdout(`${JSON.stringify({ ok: false, error: message }, null, 2)}\n`);
  };
  const usage = (message: string): 2 => {
    jsonError(message);
    return usageError(io, 'castgate test', message, testHelp);
  };
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], allowPositionals: true, strict: true, options: testOptions });
  } catch (error) {
    jsonError(describeArgsError(error, args, testOptions));
    return argsError(io, 'castgate test', error, args, testOptions);
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    io.stdout(testHelp);
    return 0;
  }
  const [path, ...extra] = positionals;
  if (path === undefined) return usage('test needs a fixtures file');
  if (extra.length > 0) return usage(`test takes one fixtures file, got ${positionals.length}`);

  const loaded = await loadFixtures(path);
  if (!loaded.ok) {
    io.stderr(loaded.problems.map((problem) => `castgate test: ${printable(problem)}\n`).join(''));
    jsonError(loaded.problems.join('\n'));
    return 2;
  }
  const { cases, captchaPass } = loaded.fixtures;
  const stores: CastStores = { ...createMemoryStores(), captcha: createFakeCaptchaVerifier({ pass: captchaPass }) };
  const results: CaseResult[] = [];
  for (const fixture of cases) results.push(await runCase(fixture, stores));
  io.stdout(json ? jsonReport(results) : textReport(results));
  return results.every((result) => result.passed) ? 0 : 1;
}
