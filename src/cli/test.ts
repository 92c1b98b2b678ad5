import { parseArgs } from 'node:util';
import { createMemoryStores, evaluateCast, type CastDecision, type GuardTrace } from 'castgate';
import { createFakeCaptchaVerifier } from 'castgate/testing';
import { argsError, type CliOptionSpecs } from './args.js';
import { loadFixtures, type FixtureCase, type FixtureExpectation } from './fixtures.js';
import { formatTable, printable, usageError, type CliIo } from './format.js';

/**
 * The `castgate test --help` text.
 *
 * @example
 * ```ts
 * process.stdout.write(testHelp);
 * ```
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
is an id or { "id" }; "expect" is { "allowed": true } or { "code": "<error code>" }. Captcha tokens
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
  readonly code?: string;
  readonly status: number;
  readonly message?: string;
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
  return decision.allowed
    ? { allowed: true, outcome: decision.outcome, status: 200 }
    : { allowed: false, code: decision.error.code, status: decision.error.status, message: decision.error.message };
}

function meets(expectation: FixtureExpectation, got: Got): boolean {
  return 'code' in expectation ? !got.allowed && got.code === expectation.code : got.allowed;
}

async function runCase(fixture: FixtureCase, stores: Parameters<typeof evaluateCast>[2]): Promise<CaseResult> {
  let decision: CastDecision | undefined;
  for (let i = 0; i < fixture.repeat; i++) decision = await evaluateCast(fixture.config, fixture.request, stores);
  const last = decision as CastDecision;
  const got = gotOf(last);
  return { name: fixture.name, config: fixture.configName, passed: meets(fixture.expect, got), repeat: fixture.repeat, expected: fixture.expect, got, trace: last.trace };
}

const describeExpected = (expected: FixtureExpectation): string => ('code' in expected ? `denied with ${expected.code}` : 'allowed');
const describeGot = (got: Got): string =>
  got.allowed ? `allowed (${got.outcome ?? 'created'}, HTTP 200)` : `denied with ${got.code ?? '?'} (HTTP ${got.status}: ${got.message ?? ''})`;

function failureLines(result: CaseResult): string[] {
  const trace = formatTable(
    ['guard', 'verdict', 'code', 'note'],
    result.trace.map((entry) => [entry.guard, entry.verdict, entry.code ?? '', printable(entry.note ?? '')]),
  );
  return [
    `✗ ${printable(result.name)}`,
    `    config    ${printable(result.config)}${result.repeat > 1 ? ` (last of ${result.repeat} requests)` : ''}`,
    `    expected  ${describeExpected(result.expected)}`,
    `    got       ${printable(describeGot(result.got))}`,
    ...trace.split('\n').map((line) => `    ${line}`),
  ];
}

/**
 * Runs `castgate test`: loads a fixtures file (SPEC §12), runs its cases in order on one set of
 * fresh memory stores (with a fake captcha verifier passing the listed tokens), and prints each
 * result, every failure with what was expected, what came and the trace; `--json` prints one JSON
 * document. Answers 0 when every case passed, 1 when one failed, 2 when the fixtures cannot be used.
 *
 * @example
 * ```ts
 * const code = await runTest(['links.test.json'], io);
 * ```
 */
export async function runTest(args: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], allowPositionals: true, strict: true, options: testOptions });
  } catch (error) {
    return argsError(io, 'castgate test', error, args, testOptions);
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    io.stdout(testHelp);
    return 0;
  }
  const json = values.json === true;
  const [path, ...extra] = positionals;
  if (path === undefined) return usageError(io, 'castgate test', 'test needs a fixtures file', testHelp);
  if (extra.length > 0) return usageError(io, 'castgate test', `test takes one fixtures file, got ${positionals.length}`, testHelp);

  const loaded = await loadFixtures(path);
  if (!loaded.ok) {
    io.stderr(`castgate test: ${loaded.message.split('\n').map(printable).join('\n')}\n`);
    if (json) io.stdout(`${JSON.stringify({ ok: false, error: loaded.message }, null, 2)}\n`);
    return 2;
  }
  const { cases, captchaPass } = loaded.fixtures;
  const stores = { ...createMemoryStores(), captcha: createFakeCaptchaVerifier({ pass: captchaPass }) };
  const results: CaseResult[] = [];
  for (const fixture of cases) results.push(await runCase(fixture, stores));
  const failed = results.filter((result) => !result.passed);

  if (json) {
    const report = {
      ok: failed.length === 0,
      passed: results.length - failed.length,
      failed: failed.length,
      cases: results.map((result) => ({
        name: result.name,
        config: result.config,
        passed: result.passed,
        expected: result.expected,
        got: result.got,
        ...(result.passed ? {} : { trace: result.trace }),
      })),
    };
    io.stdout(`${JSON.stringify(report, null, 2)}\n`);
    return failed.length === 0 ? 0 : 1;
  }
  const lines: string[] = [];
  for (const result of results) {
    if (result.passed) lines.push(`✓ ${printable(result.name)}`);
    else lines.push(...failureLines(result));
  }
  lines.push('', `${results.length - failed.length} passed, ${failed.length} failed (${results.length} cases)`);
  io.stdout(`${lines.join('\n')}\n`);
  return failed.length === 0 ? 0 : 1;
}
