// The shape of a `castgate test` fixtures file (SPEC §12), as a zod schema, and the path-bearing
// messages its problems are reported with. Reading files and loading the configs a fixture names is
// fixtures.ts's concern; this module only checks and converts values.
import { castErrorCodes, type CastErrorCode, type CastRequest } from 'castgate';
import { z } from 'zod';
import { didYouMean } from '../config/did-you-mean.js';
import { parseIsoInstant } from '../net/iso-time.js';
import { formatIssuePath } from './format.js';

/**
 * What one fixture case expects: an allowed decision, or a denial with this code.
 */
export type FixtureExpectation = { readonly allowed: true } | { readonly code: CastErrorCode };

const dateOnly = /^\d{4}-\d{2}-\d{2}$/u;

/** A fixture's `now`: a date (UTC midnight) or a date and time with an offset, as `castgate explain --now` reads it. */
export function parseFixtureNow(text: string): Date | undefined {
  const ms = parseIsoInstant(dateOnly.test(text) ? `${text}T00:00:00Z` : text);
  return typeof ms === 'number' ? new Date(ms) : undefined;
}

/**
 * A fixture's `query` string (`a=b&c=d`, a leading `?` allowed) as the `URLSearchParams` a host's
 * framework would hand castgate: repeated names stay repeated (the engine refuses them), `+` and
 * percent escapes are decoded.
 */
export function parseFixtureQuery(text: string): URLSearchParams {
  return new URLSearchParams(text.startsWith('?') ? text.slice(1) : text);
}

const requestSchema = z.strictObject({
  ip: z.string(),
  referrer: z.string().nullable().optional(),
  query: z
    .union([z.string(), z.record(z.string(), z.union([z.string(), z.array(z.string())]))], {
      error: 'must be a query string ("a=b&c=d") or an object of strings (or arrays of strings)',
    })
    .optional(),
  user: z
    .union([z.string().min(1), z.strictObject({ id: z.string().min(1) }), z.null()], {
      error: 'must be a user id (a non-empty string), { "id": "<user id>" }, or null for anonymous',
    })
    .optional(),
  now: z
    .string()
    .refine((text) => parseFixtureNow(text) !== undefined, {
      error: 'must be an ISO 8601 date (2030-01-01) or a date and time with an offset (2030-01-01T12:00:00Z)',
    })
    .optional(),
  captchaToken: z.string().nullable().optional(),
});

const codeSchema = z.enum(castErrorCodes, {
  error: (issue) => {
    if (typeof issue.input !== 'string') return 'must be a castgate error code (a string)';
    const input = issue.input;
    const guess = didYouMean(input, castErrorCodes) ?? (input.length >= 4 ? castErrorCodes.find((code) => code.includes(input)) : undefined);
    return `is not a castgate error code${guess === undefined ? '' : ` (did you mean "${guess}"?)`}`;
  },
});

const expectSchema = z
  .strictObject({ allowed: z.literal(true, { error: 'must be true (for a denial, expect { "code": "<error code>" })' }).optional(), code: codeSchema.optional() })
  .refine((value) => (value.allowed === undefined) !== (value.code === undefined), {
    error: 'must be { "allowed": true } or { "code": "<error code>" }',
  });

const caseSchema = z.strictObject({
  name: z.string().min(1),
  config: z.string().min(1),
  request: requestSchema,
  repeat: z.int().min(1).max(100_000).optional(),
  expect: expectSchema,
});

/**
 * An entry of `configs` that points at a file: `{ "file": "<path>", "kasm"?: true }` (a relative path
 * is read from the fixtures file's folder).
 */
export const configReferenceSchema = z.strictObject({ file: z.string().min(1), kasm: z.boolean().optional() });

/**
 * A whole fixtures file. `configs` values are checked later (each is a config, or a file reference
 * that {@link configReferenceSchema} checks) so that their problems carry the config's own paths.
 */
export const fixturesSchema = z.strictObject({
  configs: z.record(z.string().min(1), z.unknown()),
  captcha: z.strictObject({ pass: z.array(z.string()) }).optional(),
  cases: z.array(caseSchema).min(1, { error: 'needs at least one case' }),
});

/** A fixtures file as the schema reads it. */
export type RawFixtures = z.infer<typeof fixturesSchema>;
/** One request of a fixtures file as the schema reads it. */
export type RawFixtureRequest = z.infer<typeof requestSchema>;
/** One expectation of a fixtures file as the schema reads it. */
export type RawFixtureExpectation = z.infer<typeof expectSchema>;

/** The field names each object of the format knows, for "did you mean" on an unknown one. */
const knownFields: readonly (readonly string[])[] = [
  Object.keys(fixturesSchema.shape),
  Object.keys(caseSchema.shape),
  Object.keys(requestSchema.shape),
  Object.keys(configReferenceSchema.shape),
  ['allowed', 'code'],
  ['pass'],
];

function unknownFieldMessage(key: string): string {
  const guess = didYouMean(key, knownFields.flat());
  return `unknown field ${JSON.stringify(key)}${guess === undefined || guess === key ? '' : ` (did you mean "${guess}"?)`}`;
}

/** Zod's own words for a wrong type are "Invalid input: expected string, received number"; ours name what is missing or wrong. */
function describeIssue(issue: z.core.$ZodIssue): string[] {
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map(unknownFieldMessage);
    case 'invalid_type':
      return [/received undefined$/u.test(issue.message) ? 'is required' : `must be ${issue.expected === 'int' ? 'a whole number' : `a${/^[aeiou]/u.test(issue.expected) ? 'n' : ''} ${issue.expected}`}`];
    case 'too_small':
      return [issue.origin === 'string' ? 'must not be empty' : issue.origin === 'array' ? issue.message : `must be at least ${String(issue.minimum)}`];
    case 'too_big':
      return [`must be at most ${String(issue.maximum)}`];
    case 'custom':
    case 'invalid_element':
    case 'invalid_format':
    case 'invalid_key':
    case 'invalid_union':
    case 'invalid_value':
    case 'not_multiple_of':
      // Our own messages (unions, refinements, the error-code enum) or zod's, which name the problem.
      return [issue.message];
  }
}

/**
 * Every problem of a value that is not a fixtures file, one line each, with its path:
 * `cases[2].expect.code: is not a castgate error code (did you mean "rate_limited"?)`.
 */
export function describeFixturesError(error: z.ZodError): string[] {
  return error.issues.flatMap((issue) => {
    const path = formatIssuePath(issue.path.map((part) => (typeof part === 'number' ? part : String(part))));
    return describeIssue(issue).map((message) => `${path}: ${message}`);
  });
}

/**
 * Builds the `CastRequest` a fixture's request stands for: a `query` string becomes
 * `URLSearchParams`, a `user` id becomes `{ id }`, `now` a `Date`.
 */
export function toCastRequest(raw: RawFixtureRequest): CastRequest {
  const { ip, referrer, query, user, now, captchaToken } = raw;
  const instant = now === undefined ? undefined : parseFixtureNow(now);
  return {
    ip,
    ...(referrer === undefined ? {} : { referrer }),
    ...(query === undefined ? {} : { query: typeof query === 'string' ? parseFixtureQuery(query) : query }),
    ...(user === undefined || user === null ? {} : { user: typeof user === 'string' ? { id: user } : { id: user.id } }),
    ...(instant === undefined ? {} : { now: instant }),
    ...(captchaToken === undefined ? {} : { captchaToken }),
  };
}

/** The expectation a fixture's `expect` stands for. */
export function toExpectation(raw: RawFixtureExpectation): FixtureExpectation {
  return raw.code === undefined ? { allowed: true } : { code: raw.code };
}
