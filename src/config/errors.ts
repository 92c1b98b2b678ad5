/**
 * The codes a {@link CastConfigIssue} can carry: a closed list, never renamed (castgate's own
 * contract, not zod's, whose codes changed between majors).
 *
 * @example
 * ```ts
 * import { castConfigIssueCodes } from 'castgate';
 * castConfigIssueCodes.includes('unknown_key'); // true
 * ```
 */
export const castConfigIssueCodes = [
  'invalid_type',
  'invalid_value',
  'unknown_key',
  'too_small',
  'too_big',
  'invalid_url',
  'invalid_date',
  'invalid_pattern',
  'duplicate_value',
  'forbidden_key',
  'too_deep',
] as const;

/**
 * One of {@link castConfigIssueCodes}.
 *
 * @example
 * ```ts
 * import type { CastConfigIssueCode } from 'castgate';
 * const code: CastConfigIssueCode = 'invalid_url';
 * ```
 */
export type CastConfigIssueCode = (typeof castConfigIssueCodes)[number];

/**
 * One problem in a config: where it is (object keys and array indexes; for
 * `fromKasmCastConfig` the Kasm field path), a stable code and a sentence for the admin. It never
 * carries the offending value, which may be a secret.
 *
 * @example
 * ```ts
 * import type { CastConfigIssue } from 'castgate';
 * const issue: CastConfigIssue = { path: ['ipRateLimit', 'sessions'], code: 'too_small', message: 'must be at least 1' };
 * ```
 */
export interface CastConfigIssue {
  readonly path: readonly (string | number)[];
  readonly code: CastConfigIssueCode;
  readonly message: string;
}

/** The most issues the error message lists; `issues` always holds every one. */
const maxListedIssues = 100;

const brand = Symbol.for('castgate.CastConfigError');
const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/u;

/**
 * Formats an issue path for people: `remoteApp.args[0].valuePattern`; keys that are not plain
 * identifiers are quoted (`["bad key"]`). The root is the empty string.
 *
 * @example
 * ```ts
 * import { formatConfigPath } from 'castgate';
 * formatConfigPath(['remoteApp', 'args', 0, 'valuePattern']); // 'remoteApp.args[0].valuePattern'
 * ```
 */
export function formatConfigPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (identifier.test(key)) out += out === '' ? key : `.${key}`;
    else out += `[${JSON.stringify(key)}]`;
  }
  return out;
}

function formatMessage(issues: readonly CastConfigIssue[]): string {
  const lines = issues.slice(0, maxListedIssues).map((issue) => {
    const at = formatConfigPath(issue.path);
    return at === '' ? `✖ ${issue.message}` : `✖ ${issue.message}\n  → at ${at}`;
  });
  if (issues.length > maxListedIssues) lines.push(`… and ${issues.length - maxListedIssues} more problems`);
  return lines.join('\n');
}

function freezeIssue(issue: CastConfigIssue): CastConfigIssue {
  return Object.freeze({ path: Object.freeze([...issue.path]), code: issue.code, message: issue.message });
}

/**
 * Thrown by `parseCastConfig`, `fromKasmCastConfig` and `buildRemoteAppArgs` (for a plain remote
 * app object) when a config is invalid. `issues` lists every problem with its path; the message
 * shows them as `✖ message` / `  → at path` lines (the first 100). Check for it with
 * {@link isCastConfigError}, which also works across realms and across the ESM and CJS builds.
 *
 * @example
 * ```ts
 * import { parseCastConfig, isCastConfigError } from 'castgate';
 * try {
 *   parseCastConfig({ name: 'Demo', key: 'k', imageId: 'img', sessionsRemaining: -1 });
 * } catch (error) {
 *   if (isCastConfigError(error)) console.error(error.issues[0]?.path); // ['sessionsRemaining']
 * }
 * ```
 */
export class CastConfigError extends Error {
  override readonly name = 'CastConfigError';
  /** Every problem found, in input order, frozen. */
  readonly issues: readonly CastConfigIssue[];

  constructor(issues: readonly CastConfigIssue[]) {
    const frozen = Object.freeze(issues.map(freezeIssue));
    super(formatMessage(frozen));
    this.issues = frozen;
    Object.defineProperty(this, brand, { value: true });
  }
}

/**
 * Tells whether a value is a {@link CastConfigError}, also one made by another copy of castgate
 * (the other of its ESM and CJS builds, or another realm), where `instanceof` would say no.
 *
 * @example
 * ```ts
 * import { safeParseCastConfig, isCastConfigError } from 'castgate';
 * const result = safeParseCastConfig({});
 * if (!result.success) isCastConfigError(result.error); // true
 * ```
 */
export function isCastConfigError(value: unknown): value is CastConfigError {
  if (value instanceof CastConfigError) return true;
  if (typeof value !== 'object' || value === null) return false;
  return (value as Record<symbol, unknown>)[brand] === true && Array.isArray((value as { issues?: unknown }).issues);
}
