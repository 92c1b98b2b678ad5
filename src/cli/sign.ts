import { parseArgs } from 'node:util';
import { signCastLink, type CastLinkGrant } from 'castgate';
import { printable, usageError, type CliIo } from './format.js';

/**
 * The `castgate sign --help` text.
 */
export const signHelp = `Usage: castgate sign <config-key> --kid <kid> --secret-env <VAR> [options]

Mints a signed link token for a config with requireSignedLink (an HS256 compact JWS) and prints it
on one line; send it as the link's token query parameter. The secret is read from the environment
variable you name (never from the command line, where other users could see it) and must be at
least 32 bytes. The evaluator's linkKeys must hold the same kid and secret. Exits 0 when a token was
printed, 2 on a usage error.

Options:
  --kid <kid>             the key id the evaluator's linkKeys knows the secret by (required)
  --secret-env <VAR>      the environment variable holding the secret (required)
  --expires <when>        when the link stops working: a duration from now (90s, 30m, 12h, 7d)
                          or an instant (2030-01-01T12:00:00Z); rounded down to a whole second
  --not-before <when>     when the link starts working (same forms); rounded up to a whole second
  --param <name=value>    bind a query parameter to this exact value (repeatable); with at least
                          one --param or --bind-params, any dynamic parameter the token does not
                          sign is refused
  --bind-params           bind the dynamic parameters even with no --param: the link then serves
                          only without any
  --single-use            the link serves one session (needs --expires)
  --url <link-url>        print the whole link: this URL with the params and token added to its query
  -h, --help              show this help
`;

const durationPattern = /^(\d{1,9})(s|m|h|d)$/u;
const unitMs = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const instantPattern = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/u;

/** A duration from `nowMs` or an ISO 8601 instant, as epoch ms; `undefined` when it is neither. */
function instantOf(text: string, nowMs: number): number | undefined {
  const duration = durationPattern.exec(text);
  if (duration) return nowMs + Number(duration[1]) * unitMs[duration[2] as keyof typeof unitMs];
  if (!instantPattern.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * Runs `castgate sign` (see {@link signHelp}) and answers its exit code. `env` is where the secret
 * is read from; `nowMs` is what a duration counts from.
 */
export async function runSign(
  argv: readonly string[],
  io: CliIo,
  env: Readonly<Record<string, string | undefined>> = process.env,
  nowMs: number = Date.now(),
): Promise<number> {
  const usage = (message: string) => usageError(io, 'castgate sign', message, signHelp);
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        kid: { type: 'string' },
        'secret-env': { type: 'string' },
        expires: { type: 'string' },
        'not-before': { type: 'string' },
        param: { type: 'string', multiple: true },
        'bind-params': { type: 'boolean' },
        'single-use': { type: 'boolean' },
        url: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return usage(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    io.stdout(signHelp);
    return 0;
  }
  const [key, ...extra] = positionals;
  if (key === undefined) return usage('sign needs a config key');
  if (extra.length > 0) return usage(`unexpected argument ${JSON.stringify(extra[0])}`);
  if (values.kid === undefined) return usage('--kid is required');
  const secretVar = values['secret-env'];
  if (secretVar === undefined) return usage('--secret-env is required (the name of the variable holding the secret)');
  const secret = env[secretVar];
  if (secret === undefined || secret === '') return usage(`the environment variable ${secretVar} is not set`);

  const grant: { -readonly [K in keyof CastLinkGrant]: CastLinkGrant[K] } = { key };
  if (values.expires !== undefined) {
    const at = instantOf(values.expires, nowMs);
    if (at === undefined) return usage('--expires must be a duration (90s, 30m, 12h, 7d) or an ISO 8601 instant');
    grant.expiresAt = at;
  }
  if (values['not-before'] !== undefined) {
    const at = instantOf(values['not-before'], nowMs);
    if (at === undefined) return usage('--not-before must be a duration (90s, 30m, 12h, 7d) or an ISO 8601 instant');
    grant.notBefore = at;
  }
  const params: Record<string, string> = {};
  for (const pair of values.param ?? []) {
    const equals = pair.indexOf('=');
    if (equals < 1) return usage('--param must be name=value');
    const name = pair.slice(0, equals);
    if (Object.hasOwn(params, name)) return usage(`--param ${JSON.stringify(name)} is given twice`);
    params[name] = pair.slice(equals + 1);
  }
  if ((values.param ?? []).length > 0 || values['bind-params'] === true) grant.params = params;
  if (values['single-use'] === true) grant.singleUse = true;
  let base: URL | undefined;
  if (values.url !== undefined) {
    if (!URL.canParse(values.url)) return usage('--url must be an absolute URL');
    base = new URL(values.url);
  }

  let token: string;
  try {
    token = await signCastLink(grant, { secret, kid: values.kid });
  } catch (error) {
    return usage(error instanceof Error ? error.message : String(error));
  }
  if (base === undefined) {
    io.stdout(`${token}\n`);
    return 0;
  }
  for (const [name, value] of Object.entries(params)) base.searchParams.set(name, value);
  base.searchParams.set('token', token);
  io.stdout(`${printable(base.href)}\n`);
  return 0;
}
