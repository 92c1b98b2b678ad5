import { domainToASCII } from 'node:url';
import { z } from 'zod';
import { clientSettingNames } from '../launch-plan.js';
import { compileValuePattern, maxPatternLength } from '../remote-app/pattern.js';

const maxUrlLength = 2048;
const maxReferrers = 1000;
const maxArgs = 32;
const maxWithinSeconds = 30 * 24 * 60 * 60;
// eslint-disable-next-line no-control-regex
const controlOrSpace = /[\u0000-\u0020\u007f-\u009f]/u;

/** An absolute http(s) URL with a host and no user info, checked on the raw string first. */
const httpUrl = z
  .string()
  .max(maxUrlLength)
  .superRefine((raw, ctx) => {
    if (controlOrSpace.test(raw)) {
      ctx.addIssue({ code: 'custom', message: 'must not contain whitespace or control characters' });
      return;
    }
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be an absolute http:// or https:// URL' });
      return;
    }
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
      ctx.addIssue({ code: 'custom', message: 'must be an absolute http:// or https:// URL' });
    } else if (url.username !== '' || url.password !== '') {
      ctx.addIssue({ code: 'custom', message: 'must not contain user info (user:password@)' });
    }
  });

const isoInstant = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})$/u;
const isoWithoutOffset = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$/u;

/** Parses a strict ISO 8601 instant with an offset; answers an error message or the Date. */
export function parseIsoInstant(raw: string): Date | string {
  const match = isoInstant.exec(raw);
  if (!match) {
    return isoWithoutOffset.test(raw)
      ? 'must give a time zone offset (e.g. 2030-01-01T00:00:00Z or +02:00); a time without one is ambiguous'
      : 'must be an ISO 8601 instant such as 2030-01-01T00:00:00Z';
  }
  const [, y, mo, d, h, mi, s = '00', , offset = 'Z'] = match;
  const date = new Date(raw);
  if (Number.isNaN(date.getTime())) return 'is not a valid date';
  // Round trip: the fields as written must describe a real date (no 2030-02-30, no 24:00).
  const offsetMinutes = offset === 'Z' ? 0 : (offset.startsWith('-') ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
  const local = new Date(date.getTime() + offsetMinutes * 60_000);
  if (
    local.getUTCFullYear() !== Number(y) ||
    local.getUTCMonth() + 1 !== Number(mo) ||
    local.getUTCDate() !== Number(d) ||
    local.getUTCHours() !== Number(h) ||
    local.getUTCMinutes() !== Number(mi) ||
    local.getUTCSeconds() !== Number(s) ||
    Number(offset.slice(1, 3)) > 23
  ) {
    return 'is not a real date and time';
  }
  return date;
}

const instant = z.union([z.date(), z.string()]).transform((value, ctx) => {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) {
      ctx.addIssue({ code: 'custom', message: 'is an invalid Date' });
      return z.NEVER;
    }
    return new Date(value.getTime());
  }
  const parsed = parseIsoInstant(value);
  if (typeof parsed === 'string') {
    ctx.addIssue({ code: 'custom', message: parsed });
    return z.NEVER;
  }
  return parsed;
});

const label = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/u;

/**
 * Normalises a domain entry (referrer or kasm_url host): lower case, punycode, no trailing dot.
 * A leading `*.` marks a wildcard over subdomains. Answers an error message for a bad entry.
 */
export function normalizeDomainEntry(raw: string): string | { error: string } {
  const trimmed = raw.trim();
  const wildcard = trimmed.startsWith('*.');
  const body = wildcard ? trimmed.slice(2) : trimmed;
  if (body === '' || body.includes('*')) return { error: 'must be a domain name such as example.com or *.example.com' };
  if (/[/:@?#\s\\]/u.test(body)) return { error: 'must be a bare domain name: no scheme, port, path or spaces' };
  const ascii = domainToASCII(body.endsWith('.') ? body.slice(0, -1) : body);
  if (ascii === '' || ascii.startsWith('.')) return { error: 'must be a domain name such as example.com or *.example.com' };
  const labels = ascii.split('.');
  const isIpv4 = labels.length === 4 && labels.every((l) => /^\d{1,3}$/u.test(l));
  if (!isIpv4) {
    if (!labels.every((l) => label.test(l))) return { error: 'must be a valid domain name' };
    if (labels.length < 2 && ascii !== 'localhost') return { error: 'must not be a bare top-level domain' };
    if (wildcard && labels.length < 2) return { error: 'a wildcard needs at least two labels, such as *.example.com' };
  } else if (wildcard) {
    return { error: 'an IP address cannot have a wildcard' };
  }
  return wildcard ? `*.${ascii}` : ascii;
}

const domainList = (max: number) =>
  z
    .array(z.string().max(260))
    .max(max)
    .transform((entries, ctx) => {
      const out: string[] = [];
      const seen = new Set<string>();
      entries.forEach((entry, index) => {
        const normalized = normalizeDomainEntry(entry);
        if (typeof normalized !== 'string') {
          ctx.addIssue({ code: 'custom', message: normalized.error, path: [index] });
        } else if (seen.has(normalized)) {
          ctx.addIssue({ code: 'custom', message: `duplicates an earlier entry (${normalized})`, path: [index] });
        } else {
          seen.add(normalized);
          out.push(normalized);
        }
      });
      return out;
    });

const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

const remoteAppArgSchema = z.strictObject({
  urlParamName: z.string().min(1).max(128).optional(),
  required: z.boolean().default(false),
  argumentName: z.string().min(1).max(1024).optional(),
  argumentValue: z.string().max(4096).optional(),
  valuePattern: z
    .string()
    .max(maxPatternLength)
    .superRefine((pattern, ctx) => {
      try {
        compileValuePattern(pattern);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `is not a pattern RE2 accepts: ${error instanceof Error ? error.message : String(error)}` });
      }
    })
    .optional(),
});

/**
 * The remote app part of a config (SPEC §5): the RemoteApp name, its arguments and the argument
 * policy (`'strict'` also refuses `%`, `"`, leading switches, `..` and non-ASCII in URL values).
 */
export const remoteAppSchema = z.strictObject({
  remoteAppName: z
    .string()
    .min(1)
    .max(256)
    // eslint-disable-next-line no-control-regex
    .refine((name) => !/[\u0000-\u001f\u007f"]/u.test(name), 'must not contain quotes or control characters'),
  args: z.array(remoteAppArgSchema).max(maxArgs).default([]),
  argPolicy: z.enum(['default', 'strict']).default('default'),
});

const clientSettingsSchema = z
  .strictObject(Object.fromEntries(clientSettingNames.map((name) => [name, z.boolean().optional()])) as {
    [K in (typeof clientSettingNames)[number]]: z.ZodOptional<z.ZodBoolean>;
  })
  .transform((partial) => Object.fromEntries(clientSettingNames.map((name) => [name, partial[name] ?? false])) as {
    [K in (typeof clientSettingNames)[number]]: boolean;
  });

const dockerNetworkName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/u, 'must be a Docker network name');

/**
 * The zod 4 schema of a casting config in castgate's camelCase form (SPEC §7). Prefer
 * {@link parseCastConfig}, which also refuses prototype keys, caps sizes and freezes the result.
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
  launcherBackgroundUrl: httpUrl.optional(),
  allowResume: z.boolean().default(true),
  allowAnonymous: z.boolean().default(false),
  requireCaptcha: z.boolean().default(false),
  anonymousGroupId: z.string().min(1).max(256).optional(),
  sessionsRemaining: count.optional(),
  ipRateLimit: z
    .strictObject({
      sessions: z.number().int().min(1).max(10_000),
      withinSeconds: z.number().int().min(1).max(maxWithinSeconds),
    })
    .optional(),
  kasmUrl: httpUrl.optional(),
  dynamicKasmUrl: z.boolean().default(false),
  kasmUrlAllowedHosts: domainList(maxReferrers).optional(),
  dynamicDockerNetwork: z.boolean().default(false),
  allowedDockerNetworks: z.array(dockerNetworkName).max(maxReferrers).optional(),
  errorUrl: httpUrl.optional(),
  disableControlPanel: z.boolean().default(false),
  disableTips: z.boolean().default(false),
  enableSharing: z.boolean().default(false),
  disableFixedResolution: z.boolean().default(false),
  allowedReferrers: domainList(maxReferrers).default([]),
  allowMissingReferrer: z.boolean().default(false),
  enforceClientSettings: z.boolean().default(false),
  clientSettings: clientSettingsSchema.optional(),
  remoteApp: remoteAppSchema.optional(),
  validUntil: instant.optional(),
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
