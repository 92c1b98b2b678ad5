import { z } from 'zod';
import { clientSettingNames } from '../contract/launch-plan.js';
import { hasControlCharacter } from '../net/control-characters.js';
import { dockerNetworkName } from '../net/docker-network.js';
import { normalizeHostname, withoutTrailingDot } from '../net/host.js';
import { parseIsoInstant, type IsoInstantProblem } from '../net/iso-time.js';
import { maxHttpUrlLength, readHttpUrl, type HttpUrlProblem } from '../net/url.js';
import { maxPatternLength, tryCompileValuePattern } from '../remote-app/pattern.js';
import { maxCommandLineLength, quoteWindowsArg } from '../remote-app/windows-quote.js';
import type { CastConfigIssueCode } from './errors.js';

const maxReferrers = 1000;
const maxArgs = 32;
/**
 * The longest `ipRateLimit.withinSeconds`: 365 days (Kasm's exports hold windows of months).
 */
export const maxWithinSeconds = 365 * 24 * 60 * 60;

/**
 * The most `ipRateLimit.sessions`: 10,000 per client and window.
 */
export const maxRateLimitSessions = 10_000;
const httpUrlMessages: Readonly<Record<HttpUrlProblem, string>> = {
  control_or_space: 'must not contain whitespace or control characters',
  not_http: 'must be an absolute http:// or https:// URL',
  user_info: 'must not contain user info (user:password@)',
};

/** Adds a custom issue that carries castgate's own issue code (read back by `zod-issues.ts`). */
function addIssue(ctx: z.RefinementCtx, code: CastConfigIssueCode, message: string, path?: (string | number)[]): void {
  ctx.addIssue(path === undefined ? { code: 'custom', message, params: { code } } : { code: 'custom', message, params: { code }, path });
}

/**
 * An absolute `http:`/`https:` URL with a host and no user info, at most 2048 characters, checked
 * on the raw string first (no whitespace or control characters, which `new URL` would silently
 * drop). Used for `errorUrl`, `kasmUrl` and `launcherBackgroundUrl`; the JSON Schema marks it
 * `format: uri`.
 */
export const httpUrlSchema = z
  .string()
  .max(maxHttpUrlLength, { abort: true })
  .superRefine((raw, ctx) => {
    const url = readHttpUrl(raw);
    if (typeof url === 'string') addIssue(ctx, 'invalid_url', httpUrlMessages[url]);
  });

const isoInstantMessages: Readonly<Record<IsoInstantProblem, string>> = {
  no_offset: 'must give a time zone offset (e.g. 2030-01-01T00:00:00Z or +02:00); a time without one is ambiguous',
  not_iso: 'must be an ISO 8601 instant with an offset, such as 2030-01-01T00:00:00Z',
  not_a_real_time: 'is not a real date and time: check the month, day, hours (00-23), minutes, seconds and offset',
};

/**
 * `validUntil`: a valid `Date` (copied, so later changes to the caller's object change nothing) or
 * a strict ISO 8601 string with an offset (`parseIsoInstant` of net/iso-time.ts). Numbers are refused: seconds
 * or milliseconds cannot be told apart. The JSON Schema shows it as `format: date-time`.
 */
export const validUntilSchema = z.union([z.date(), z.string().max(64)]).transform((value, ctx) => {
  if (value instanceof Date) return new Date(value.getTime());
  const parsed = parseIsoInstant(value);
  if (typeof parsed === 'string') {
    addIssue(ctx, 'invalid_date', isoInstantMessages[parsed]);
    return z.NEVER;
  }
  return new Date(parsed);
});

const label = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/u;
const dottedQuad = /^\d{1,3}(?:\.\d{1,3}){3}$/u;
const maxDomainLength = 253;

/**
 * Normalises a domain entry of `allowedReferrers` or `kasmUrlAllowedHosts` (SPEC §3.2): trimmed,
 * lower case, punycode, no trailing dot; a leading `*.` marks a wildcard over subdomains.
 * Answers `{ error }` (a message that does not repeat the entry) for a URL, a port, a path, a bare
 * top-level domain (`com`, `*.com`), a lone `*`, empty labels, or an IPv4 address that is not in
 * canonical dotted form (`010.1.1.1` would otherwise silently become `8.1.1.1`).
 */
export function normalizeDomainEntry(raw: string): string | { error: string } {
  const trimmed = raw.trim();
  const wildcard = trimmed.startsWith('*.');
  const body = wildcard ? trimmed.slice(2) : trimmed;
  if (body === '' || body.includes('*')) return { error: 'must be a domain name such as example.com or *.example.com' };
  if (/[/:@?#\s\\[\]%]/u.test(body)) return { error: 'must be a bare domain name: no scheme, port, path or spaces' };
  const ascii = normalizeHostname(body, Number.POSITIVE_INFINITY);
  if (ascii === undefined) return { error: 'must be a domain name such as example.com or *.example.com' };
  if (ascii.length > maxDomainLength) return { error: `must be at most ${maxDomainLength} characters once in punycode` };
  if (dottedQuad.test(ascii)) {
    if (wildcard) return { error: 'an IP address cannot have a wildcard' };
    if (ascii !== withoutTrailingDot(body)) return { error: 'an IPv4 address must be written in canonical dotted form, such as 192.0.2.1' };
    return ascii;
  }
  const labels = ascii.split('.');
  if (!labels.every((l) => label.test(l))) return { error: 'must be a valid domain name' };
  if (labels.length < 2 && ascii !== 'localhost') {
    return { error: wildcard ? 'a wildcard needs at least two labels, such as *.example.com' : 'must not be a bare top-level domain' };
  }
  return wildcard ? `*.${ascii}` : ascii;
}

const domainList = (max: number) =>
  z
    .array(z.string().max(260))
    .max(max)
    .transform((entries, ctx) => {
      const out: string[] = [];
      const firstIndex = new Map<string, number>();
      entries.forEach((entry, index) => {
        const normalized = normalizeDomainEntry(entry);
        const earlier = typeof normalized === 'string' ? firstIndex.get(normalized) : undefined;
        if (typeof normalized !== 'string') {
          addIssue(ctx, 'invalid_value', normalized.error, [index]);
        } else if (earlier !== undefined) {
          addIssue(ctx, 'duplicate_value', `repeats entry ${earlier} once normalised (lower case, punycode, no trailing dot)`, [index]);
        } else {
          firstIndex.set(normalized, index);
          out.push(normalized);
        }
      });
      return out;
    });

/** A count: a safe non-negative integer; `-0` becomes `0`. */
const count = z
  .number()
  .int()
  .nonnegative()
  .max(Number.MAX_SAFE_INTEGER)
  .transform((n) => (n === 0 ? 0 : n));

/**
 * One argument of a remote app (SPEC §5): the URL parameter it reads, whether it is required,
 * the switch name, a static value (which wins over the URL) and the pattern the whole value must
 * match. An entry with none of `urlParamName`, `argumentName`, `argumentValue` is refused.
 */
export const remoteAppArgSchema = z
  .strictObject({
    urlParamName: z
      .string()
      .min(1)
      .max(128)
      .refine((name) => !hasControlCharacter(name), 'must not contain control characters')
      .optional(),
    required: z.boolean().default(false),
    argumentName: z
      .string()
      .min(1)
      .max(1024)
      .refine((name) => !hasControlCharacter(name), 'must not contain control characters')
      .optional(),
    argumentValue: z
      .string()
      .max(4096)
      .refine((value) => !hasControlCharacter(value), 'must not contain control characters')
      .optional(),
    valuePattern: z
      .string()
      .max(maxPatternLength, { abort: true })
      .superRefine((pattern, ctx) => {
        // Checked with the default engine (native re2, else re2js); a host's own engine compiles it
        // again in the config parser.
        const compiled = tryCompileValuePattern(pattern);
        if (!compiled.ok) addIssue(ctx, 'invalid_pattern', `is not a pattern RE2 accepts (${compiled.reason})`);
      })
      .optional(),
  })
  .superRefine((arg, ctx) => {
    if (arg.urlParamName === undefined && arg.argumentName === undefined && arg.argumentValue === undefined) {
      addIssue(ctx, 'invalid_value', 'must name a URL parameter, an argument name or a static value: as it is, it adds nothing');
    }
  });

/**
 * The remote app part of a config (SPEC §5): the RemoteApp name as Kasm writes it
 * (`||Microsoft Excel`), at most 32 arguments, and the argument policy (`'strict'` also refuses
 * `%`, `"`, leading switches, `..` and non-ASCII in URL values). Every `valuePattern` must compile
 * on RE2 (at most 1024 characters, no `\C`).
 */
export const remoteAppSchema = z.strictObject({
  remoteAppName: z
    .string()
    .min(1)
    .max(256)
    .refine((name) => !hasControlCharacter(name) && !name.includes('"'), 'must not contain quotes or control characters'),
  args: z
    .array(remoteAppArgSchema)
    .max(maxArgs)
    .superRefine((args, ctx) => {
      // What every command line holds whatever the URL says: static values, and the switches of
      // arguments that always contribute. Over what RDP clients send, no request could ever launch.
      let length = -1;
      for (const arg of args) {
        const always = arg.argumentValue !== undefined || arg.urlParamName === undefined || arg.required;
        if (!always) continue;
        if (arg.argumentName !== undefined) length += 1 + quoteWindowsArg(arg.argumentName).length;
        if (arg.argumentValue !== undefined) length += 1 + quoteWindowsArg(arg.argumentValue).length;
      }
      if (length > maxCommandLineLength) {
        addIssue(
          ctx,
          'too_big',
          `the static arguments alone make a command line longer than ${maxCommandLineLength} characters (UTF-16 code units), the most RDP clients send`,
        );
      }
    })
    .default([]),
  argPolicy: z.enum(['default', 'strict']).default('default'),
});

const clientSettingsSchema = z
  .strictObject(Object.fromEntries(clientSettingNames.map((name) => [name, z.boolean().optional()])) as {
    [K in (typeof clientSettingNames)[number]]: z.ZodOptional<z.ZodBoolean>;
  })
  .transform((partial) => Object.fromEntries(clientSettingNames.map((name) => [name, partial[name] ?? false])) as {
    [K in (typeof clientSettingNames)[number]]: boolean;
  });

/**
 * `ipRateLimit`: at most `sessions` (1 to 10,000) sessions per client within `withinSeconds`
 * (1 second to 365 days), both whole numbers.
 */
export const ipRateLimitSchema = z.strictObject({
  sessions: z.number().int().min(1).max(maxRateLimitSessions),
  withinSeconds: z.number().int().min(1).max(maxWithinSeconds),
});

/** The largest live-session cap: past a million, a cap is a typo rather than a policy. */
const liveSessionCap = z.number().int().min(1).max(1_000_000);

const dockerNetworkNameSchema = z.string().regex(dockerNetworkName, 'must be a Docker network name');

/**
 * The zod 4 schema of a casting config in castgate's camelCase form (SPEC §7), for composing
 * into a host's own schemas. Prefer {@link parseCastConfig}: it also refuses prototype keys, caps
 * sizes, freezes the result and registers it; `evaluateCast` refuses the bare output of this schema.
 *
 * @example
 * ```ts
 * import { castConfigSchema } from 'castgate';
 * const result = castConfigSchema.safeParse({ name: 'Demo', key: 'demo-key-0123456789', imageId: 'img' });
 * ```
 */
export const castConfigSchema = z.strictObject({
  name: z.string().min(1).max(256),
  key: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/u, 'must be 1 to 128 characters of A-Z, a-z, 0-9, _ or -'),
  imageId: z.string().min(1).max(256),
  launcherBackgroundUrl: httpUrlSchema.optional(),
  allowResume: z.boolean().default(true),
  allowAnonymous: z.boolean().default(false),
  requireCaptcha: z.boolean().default(false),
  anonymousGroupId: z.string().min(1).max(256).optional(),
  sessionsRemaining: count.optional(),
  ipRateLimit: ipRateLimitSchema.optional(),
  kasmUrl: httpUrlSchema.optional(),
  dynamicKasmUrl: z.boolean().default(false),
  kasmUrlAllowedHosts: domainList(maxReferrers).optional(),
  dynamicDockerNetwork: z.boolean().default(false),
  allowedDockerNetworks: z.array(dockerNetworkNameSchema).max(maxReferrers).optional(),
  errorUrl: httpUrlSchema.optional(),
  disableControlPanel: z.boolean().default(false),
  disableTips: z.boolean().default(false),
  enableSharing: z.boolean().default(false),
  disableFixedResolution: z.boolean().default(false),
  allowedReferrers: domainList(maxReferrers).default([]),
  allowMissingReferrer: z.boolean().default(false),
  enforceClientSettings: z.boolean().default(false),
  clientSettings: clientSettingsSchema.optional(),
  remoteApp: remoteAppSchema.optional(),
  validUntil: validUntilSchema.optional(),
  maxLiveSessions: liveSessionCap.optional(),
  maxLiveSessionsPerClient: liveSessionCap.optional(),
  requireSignedLink: z.boolean().default(false),
});

/**
 * A validated casting config, as {@link parseCastConfig} returns it: defaults filled in, referrers
 * normalised, `validUntil` a `Date`, deeply frozen.
 *
 * @example
 * ```ts
 * import { parseCastConfig, type CastConfig } from 'castgate';
 * const config: CastConfig = parseCastConfig({ name: 'Demo', key: 'demo-key-0123456789', imageId: 'img' });
 * ```
 */
export type CastConfig = z.output<typeof castConfigSchema>;

/**
 * The input shape of a casting config (what {@link parseCastConfig} accepts): optional fields
 * may be left out, `validUntil` may be an ISO 8601 string with an offset.
 *
 * @example
 * ```ts
 * import type { CastConfigInput } from 'castgate';
 * const input: CastConfigInput = { name: 'Demo', key: 'demo-key-0123456789', imageId: 'img', validUntil: '2030-01-01T00:00:00Z' };
 * ```
 */
export type CastConfigInput = z.input<typeof castConfigSchema>;

/**
 * The remote app part of a {@link CastConfig}.
 *
 * @example
 * ```ts
 * import type { RemoteAppConfig } from 'castgate';
 * const app: RemoteAppConfig = { remoteAppName: '||Microsoft Excel', args: [], argPolicy: 'default' };
 * ```
 */
export type RemoteAppConfig = z.output<typeof remoteAppSchema>;

/**
 * The input shape of a remote app (as {@link buildRemoteAppArgs} accepts a plain object).
 *
 * @example
 * ```ts
 * import type { RemoteAppConfigInput } from 'castgate';
 * const app: RemoteAppConfigInput = { remoteAppName: '||Microsoft Excel', args: [{ urlParamName: 'file', required: true }] };
 * ```
 */
export type RemoteAppConfigInput = z.input<typeof remoteAppSchema>;
