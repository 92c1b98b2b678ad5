import type { z } from 'zod';
import { castConfigIssueCodes, type CastConfigIssue, type CastConfigIssueCode } from './errors.js';
import { unknownKeyIssues } from './unknown-keys.js';

type PathKey = string | number;
type ZodIssue = z.core.$ZodIssue;

/**
 * The keys known at an object's path, so that {@link fromZodIssues} can suggest one for an
 * unknown key.
 */
export type KnownKeysAt = (objectPath: readonly PathKey[]) => readonly string[];

/**
 * Options of {@link fromZodIssues}.
 */
export interface FromZodIssuesOptions {
  /** Prefixed to every path (e.g. `['remoteApp']` when a remote app is parsed alone). */
  readonly basePath?: readonly PathKey[];
  /** The keys known at an object's path, to suggest one for an unknown key. */
  readonly knownKeysAt?: KnownKeysAt;
}

const typeNames: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list (array)',
  date: 'a Date',
};

function isIssueCode(value: unknown): value is CastConfigIssueCode {
  return typeof value === 'string' && (castConfigIssueCodes as readonly string[]).includes(value);
}

/** The value at a path of the (already copied, plain-data) input; `present` is false for a missing key. */
function valueAt(input: unknown, path: readonly PathKey[]): { present: boolean; value: unknown } {
  let value = input;
  for (const key of path) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) return { present: false, value: undefined };
    value = (value as Record<PathKey, unknown>)[key];
  }
  return { present: value !== undefined, value };
}

function bound(value: number | bigint): string {
  return value === Number.MAX_SAFE_INTEGER ? `${value} (2^53 - 1)` : String(value);
}

function sizeMessage(issue: Extract<ZodIssue, { code: 'too_small' | 'too_big' }>): string {
  const small = issue.code === 'too_small';
  const limit = small ? issue.minimum : issue.maximum;
  const inclusive = issue.inclusive !== false;
  if (issue.origin === 'string') {
    if (small && limit === 1) return 'must not be empty';
    return `must be ${small ? 'at least' : 'at most'} ${bound(limit)} characters`;
  }
  if (issue.origin === 'array' || issue.origin === 'set') {
    return `must have ${small ? 'at least' : 'at most'} ${bound(limit)} items`;
  }
  if (inclusive) return `must be ${small ? 'at least' : 'at most'} ${bound(limit)}`;
  return `must be ${small ? 'greater' : 'less'} than ${bound(limit)}`;
}

function typeMessage(issue: Extract<ZodIssue, { code: 'invalid_type' }>, value: unknown): string {
  if (typeof value === 'number' && !Number.isFinite(value)) return 'must be a finite number';
  return `must be ${typeNames[issue.expected] ?? issue.expected}`;
}

function unionIssue(issue: Extract<ZodIssue, { code: 'invalid_union' }>, value: unknown): Omit<CastConfigIssue, 'path'> {
  if (value instanceof Date) return { code: 'invalid_date', message: 'is an invalid Date' };
  const expected = issue.errors.flat().map((sub) => (sub.code === 'invalid_type' ? sub.expected : ''));
  if (expected.includes('date') && expected.includes('string')) {
    return { code: 'invalid_type', message: 'must be a Date or an ISO 8601 string with an offset, such as 2030-01-01T00:00:00Z' };
  }
  return { code: 'invalid_type', message: 'has the wrong type' };
}

function mapOne(issue: ZodIssue, path: readonly PathKey[], input: unknown, knownKeysAt: KnownKeysAt | undefined): CastConfigIssue[] {
  const at = valueAt(input, path);
  switch (issue.code) {
    case 'invalid_type':
      return [{ path, code: 'invalid_type', message: at.present ? typeMessage(issue, at.value) : 'is required' }];
    case 'too_small':
    case 'too_big':
      return [{ path, code: issue.code, message: sizeMessage(issue) }];
    case 'invalid_format':
      // Our regex checks carry their own sentence; zod's default one starts with "Invalid".
      return [{ path, code: 'invalid_value', message: issue.message.startsWith('Invalid') ? 'has the wrong format' : issue.message }];
    case 'not_multiple_of':
      return [{ path, code: 'invalid_value', message: `must be a multiple of ${issue.divisor}` }];
    case 'unrecognized_keys':
      return unknownKeyIssues(path, issue.keys, knownKeysAt?.(path) ?? [], 'a known field');
    case 'invalid_union':
      return [{ path, ...unionIssue(issue, at.value) }];
    case 'invalid_value':
      return [{ path, code: 'invalid_value', message: `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}` }];
    case 'invalid_key':
    case 'invalid_element':
      return [{ path, code: 'invalid_value', message: 'is not valid' }];
    case 'custom': {
      const code: unknown = issue.params?.code;
      return [{ path, code: isIssueCode(code) ? code : 'invalid_value', message: issue.message }];
    }
  }
}

/**
 * Turns zod issues into castgate's own {@link CastConfigIssue}s: our closed codes, paths of
 * strings and numbers, sentences written for the admin, and never the offending value (zod's
 * `input` is dropped). Duplicates (zod reports `2**53` as too big twice) are merged.
 */
export function fromZodIssues(issues: readonly ZodIssue[], input: unknown, options: FromZodIssuesOptions = {}): CastConfigIssue[] {
  const base = options.basePath ?? [];
  const out: CastConfigIssue[] = [];
  const seen = new Set<string>();
  for (const issue of issues) {
    const path = issue.path.map((key) => (typeof key === 'number' ? key : String(key)));
    for (const mapped of mapOne(issue, path, input, options.knownKeysAt)) {
      const fingerprint = JSON.stringify([mapped.path, mapped.code, mapped.message]);
      if (seen.has(fingerprint)) continue;
      seen.add(fingerprint);
      out.push({ ...mapped, path: [...base, ...mapped.path] });
    }
  }
  return out;
}
