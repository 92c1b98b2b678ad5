import { formatDuration, intervalToDuration } from 'date-fns';
import { parseArgs } from 'node:util';
import { createMemoryStores, explainCast, type CastConfig, type CastExplanation, type CastRequest } from 'castgate';
import { parseIsoInstant } from '../net/iso-time.js';
import { argsError, type CliOptionSpecs } from './args.js';
import { looksLikeKasm, parseConfigInput, rawKeyOf, readConfigFile } from './config-file.js';
import { formatIssuePath, formatTable, printable, usageError, type CliIo } from './format.js';

/**
 * The `castgate explain --help` text.
 */
export const explainHelp = `Usage: castgate explain <file> --ip <address> [options]

Explains the decision castgate would make for one request against a config (a dry run, on fresh
in-memory stores: nothing is taken or created, no captcha provider is called, and a captcha token
counts as given but not verified), and prints it with each guard's verdict. Exits 0 when the
request would be allowed, 1 when it would be denied, 2 on a usage error or when the file cannot be
read or the config is invalid.

Options:
  --ip <address>          the client address (required), e.g. 203.0.113.9 or 2001:db8::1
  --referrer <url>        the Referer header the browser would send
  --query <a=b&c=d>       the cast URL's query string, e.g. 'file=C:\\Reports\\Q1.xlsx'
  --user <id>             a signed-in user id (default: anonymous)
  --now <time>            the time of the request, ISO 8601: 2030-01-01 or 2030-01-01T12:00:00Z
                          (default: now)
  --captcha-token <t>     the captcha token the page would send (never verified: a dry run)
  --captcha-pass          accepted for older scripts; every explanation is a dry run now
  --key <key>             which config of an array to use (not needed when the file holds one)
  --kasm                  the file uses Kasm's own field names
  --json                  print the decision as JSON
  -h, --help              show this help
`;

const explainOptions = {
  ip: { type: 'string' },
  referrer: { type: 'string' },
  query: { type: 'string' },
  user: { type: 'string' },
  now: { type: 'string' },
  'captcha-token': { type: 'string' },
  'captcha-pass': { type: 'boolean' },
  key: { type: 'string' },
  kasm: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies CliOptionSpecs;

const dateOnly = /^\d{4}-\d{2}-\d{2}$/u;

/** Reads `--now`: a date (UTC midnight) or a date and time with an offset; `undefined` when it is neither or impossible. */
function parseNow(text: string): Date | undefined {
  const ms = parseIsoInstant(dateOnly.test(text) ? `${text}T00:00:00Z` : text);
  return typeof ms === 'number' ? new Date(ms) : undefined;
}

/** `retryAfterSeconds` as a person reads it: `90` → `1 minute 30 seconds`. */
function humanSeconds(seconds: number): string {
  return formatDuration(intervalToDuration({ start: 0, end: seconds * 1000 })) || `${seconds} seconds`;
}

function describeRequest(request: CastRequest): string {
  const pairs = request.query instanceof URLSearchParams ? [...request.query].map(([name, value]) => `${name}=${value}`) : [];
  const query = pairs.length > 0 ? pairs.join('&') : '(none)';
  return [
    `ip ${request.ip}`,
    `referrer ${request.referrer ?? '(none)'}`,
    `user ${request.user?.id ?? '(anonymous)'}`,
    `query ${query}`,
    `captcha token ${request.captchaToken === undefined || request.captchaToken === null ? '(none)' : '(given)'}`,
    `now ${request.now?.toISOString() ?? '(the system clock)'}`,
  ].join(', ');
}

function decisionLines(decision: CastExplanation): string[] {
  const field = (name: string, value: string) => `  ${name.padEnd(18)}  ${printable(value)}`;
  if (decision.allowed) {
    const { launch } = decision;
    const user = launch.user.anonymous ? '(a new anonymous user)' : (launch.user.id ?? '(signed in)');
    const lines = [
      `ALLOWED  ${decision.outcome}  (HTTP 200)`,
      field('user', `${user}; groups ${launch.user.groupIds.join(', ')}`),
      field('image', launch.imageId),
    ];
    for (const [name, value] of Object.entries(launch.env)) lines.push(field(name, value));
    if (launch.dockerNetwork !== undefined) lines.push(field('docker network', launch.dockerNetwork));
    if (launch.remoteApp !== undefined) {
      lines.push(field('remote app', launch.remoteApp.name), field('command line', launch.remoteApp.commandLine));
    }
    if (launch.openInNewTab !== undefined) lines.push(field('open in new tab', launch.openInNewTab));
    return lines;
  }
  const { error, redirectUrl } = decision;
  const lines = [`DENIED  ${error.code}  (HTTP ${error.status})`, field('message', error.message)];
  if (error.parameter !== undefined) lines.push(field('parameter', error.parameter));
  if (error.retryAfterSeconds !== undefined) lines.push(field('retryAfterSeconds', `${error.retryAfterSeconds} (${humanSeconds(error.retryAfterSeconds)})`));
  if (redirectUrl !== undefined) lines.push(field('redirectUrl', redirectUrl));
  return lines;
}

function traceLines(decision: CastExplanation): string {
  return formatTable(
    ['guard', 'verdict', 'code', 'ms', 'note'],
    decision.trace.map((entry) => [entry.guard, entry.verdict, entry.code ?? '', entry.durationMs.toFixed(3), printable(entry.note ?? '')]),
  );
}

type Selected = { readonly ok: true; readonly config: CastConfig; readonly index: number } | { readonly ok: false; readonly exitCode: 2; readonly message: string };

async function selectConfig(path: string, key: string | undefined, kasm: boolean): Promise<Selected> {
  const file = await readConfigFile(path);
  if (!file.ok) return { ok: false, exitCode: 2, message: file.message };
  let index = 0;
  if (key !== undefined) {
    index = file.inputs.findIndex((input) => rawKeyOf(input) === key);
    if (index < 0) return { ok: false, exitCode: 2, message: `no config in ${path} has the key ${JSON.stringify(key)}` };
  } else if (file.inputs.length !== 1) {
    const keys = file.inputs.map((input) => rawKeyOf(input) ?? '?').join(', ');
    return { ok: false, exitCode: 2, message: `${path} holds ${file.inputs.length} configs: choose one with --key (${keys})` };
  }
  const result = parseConfigInput(file.inputs[index], kasm);
  if (result.ok) return { ok: true, config: result.config, index };
  const problems = result.issues.map((issue) => `  ✖ ${formatIssuePath(issue.path)}: ${issue.message}  (${issue.code})`).join('\n');
  const hint = !kasm && looksLikeKasm(file.inputs[index]) ? `\n  hint: this looks like Kasm's own format (casting_config_name, image_id, ...): add --kasm` : '';
  return { ok: false, exitCode: 2, message: `the config is invalid (run castgate validate for details):\n${problems}${hint}` };
}

/**
 * Runs `castgate explain`: explains one request against one config with `explainCast` (a dry run on
 * fresh memory stores) and prints the decision (outcome, or code, status, message, parameter, retryAfterSeconds,
 * redirectUrl) and the guard trace as an aligned table, or with `--json` the decision as JSON.
 * Answers the exit code: 0 allowed, 1 denied, 2 usage error, unreadable file or invalid config.
 */
export async function runExplain(args: readonly string[], io: CliIo): Promise<number> {
  const usage = (message: string) => usageError(io, 'castgate explain', message, explainHelp);
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], allowPositionals: true, strict: true, options: explainOptions });
  } catch (error) {
    return argsError(io, 'castgate explain', error, args, explainOptions);
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    io.stdout(explainHelp);
    return 0;
  }
  const [path, ...extra] = positionals;
  if (path === undefined) return usage('explain needs a config file');
  if (extra.length > 0) return usage(`explain takes one file, got ${positionals.length}`);
  if (values.ip === undefined) return usage('--ip is required: the client address the host resolved');
  let now: Date | undefined;
  if (values.now !== undefined) {
    now = parseNow(values.now);
    if (now === undefined) return usage('--now must be an ISO 8601 date (2030-01-01) or a date and time with an offset (2030-01-01T12:00:00Z)');
  }
  if (values.user?.length === 0) return usage('--user needs a non-empty id');

  const selected = await selectConfig(path, values.key, values.kasm === true);
  if (!selected.ok) {
    io.stderr(`castgate explain: ${selected.message.split('\n').map(printable).join('\n')}\n`);
    return selected.exitCode;
  }
  const { config } = selected;
  const query = values.query ?? '';
  const request: CastRequest = {
    ip: values.ip,
    referrer: values.referrer ?? null,
    user: values.user === undefined ? null : { id: values.user },
    query: new URLSearchParams(query.startsWith('?') ? query.slice(1) : query),
    captchaToken: values['captcha-token'] ?? null,
    ...(now === undefined ? {} : { now }),
  };
  const decision = await explainCast(config, request, createMemoryStores());
  if (values.json === true) {
    io.stdout(`${JSON.stringify(decision, null, 2)}\n`);
    return decision.allowed ? 0 : 1;
  }
  const lines = [
    `config   ${printable(config.name)} (key ${config.key})`,
    `request  ${printable(describeRequest(request))}`,
  ];
  lines.push('', ...decisionLines(decision), '', traceLines(decision));
  io.stdout(`${lines.join('\n')}\n`);
  return decision.allowed ? 0 : 1;
}
