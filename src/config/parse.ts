import { clientSettingNames } from '../contract/launch-plan.js';
import { compiledPatternsOf, compileRemoteAppPatterns, rememberCompiledPatterns } from '../remote-app/compiled.js';
import type { RegexEngine } from '../remote-app/pattern.js';
import { CastConfigError, type CastConfigIssue } from './errors.js';
import { freezeFresh } from './freeze.js';
import { snapshotInput } from './prepass.js';
import {
  castConfigSchema,
  ipRateLimitSchema,
  remoteAppArgSchema,
  remoteAppSchema,
  type CastConfig,
  type RemoteAppConfig,
} from './schema.js';
import { fromZodIssues, type KnownKeysAt } from './zod-issues.js';

type PathKey = string | number;

/**
 * What {@link safeParseCastConfig} answers: the config, or the error listing every problem. Both
 * branches have the same keys, so `result.error?.issues` needs no narrowing.
 *
 * @example
 * ```ts
 * import { safeParseCastConfig, type SafeParseCastConfigResult } from 'castgate';
 * const result: SafeParseCastConfigResult = safeParseCastConfig({ name: 'Demo', key: 'demo-key-0123456789', imageId: 'img' });
 * ```
 */
export type SafeParseCastConfigResult =
  | { readonly success: true; readonly config: CastConfig; readonly error?: never }
  | { readonly success: false; readonly config?: never; readonly error: CastConfigError };

/**
 * A config checked against the camelCase schema (frozen, compiled and registered), or the issues
 * (with camelCase paths) that stopped it. Used by `fromKasmCastConfig`, which renames the paths.
 */
export type CastConfigCheck =
  | { readonly ok: true; readonly config: CastConfig }
  | { readonly ok: false; readonly issues: readonly CastConfigIssue[] };

/**
 * Every config this module built, with its `validUntil` instant captured at parse time (a frozen
 * object cannot stop `Date#setTime`): the engine refuses any other object (SPEC §1).
 */
const parsedConfigs = new WeakMap<object, { readonly validUntilMs: number | undefined }>();

const topKeys = Object.keys(castConfigSchema.shape);
const remoteAppKeys = Object.keys(remoteAppSchema.shape);
const argKeys = Object.keys(remoteAppArgSchema.shape);
const rateLimitKeys = Object.keys(ipRateLimitSchema.shape);

/** The keys known at an object path of a camelCase config (for "did you mean" hints). */
const camelKnownKeysAt: KnownKeysAt = (path) => {
  const [first, second] = path;
  if (path.length === 0) return topKeys;
  if (first === 'remoteApp') return path.length === 1 ? remoteAppKeys : second === 'args' && path.length === 3 ? argKeys : [];
  if (first === 'ipRateLimit' && path.length === 1) return rateLimitKeys;
  if (first === 'clientSettings' && path.length === 1) return clientSettingNames;
  return [];
};

/**
 * Options of {@link parseCastConfig}, {@link safeParseCastConfig} and `fromKasmCastConfig`.
 *
 * @example
 * ```ts
 * import type { ParseCastConfigOptions } from 'castgate';
 * const options: ParseCastConfigOptions = {};
 * ```
 */
export interface ParseCastConfigOptions {
  /**
   * The engine that compiles each `valuePattern` (the matchers every request then uses). With the
   * default, RE2 (the native addon, else `re2js` where it cannot load), matching takes linear time.
   * A backtracking JavaScript `RegExp` engine can take exponential time on a bad pattern (ReDoS), so
   * only reviewed patterns belong there. Patterns must also be valid RE2 (checked with the default).
   * @defaultValue RE2 (`re2`, else `re2js`)
   */
  readonly regex?: RegexEngine | undefined;
}

/**
 * Compiles each argument's `valuePattern` once (anchored) and remembers the matchers for the
 * frozen remote app, so requests never compile. Answers issues (with the engine's reason, shortened)
 * for a pattern the engine refuses, e.g. when `re2` is not installed and no engine was given.
 */
function compileRemoteApp(app: RemoteAppConfig, basePath: readonly PathKey[], engine: RegexEngine | undefined): CastConfigIssue[] {
  const compiled = compileRemoteAppPatterns(app, engine);
  if (!compiled.ok) {
    return compiled.refused.map(({ index, reason }) => ({
      path: [...basePath, 'args', index, 'valuePattern'],
      code: 'invalid_pattern',
      message: `is not a pattern the regex engine accepts (${reason})`,
    }));
  }
  rememberCompiledPatterns(app, compiled.patterns);
  return [];
}

/**
 * Validates input that has already been through the pre-pass (plain data, no prototype keys,
 * within the size caps) against the camelCase schema, then builds the frozen config, compiles
 * its patterns and registers it. Not for direct use: call {@link parseCastConfig}.
 */
export function checkCastConfigSnapshot(snapshot: unknown, options: ParseCastConfigOptions = {}): CastConfigCheck {
  const result = castConfigSchema.safeParse(snapshot);
  if (!result.success) return { ok: false, issues: fromZodIssues(result.error.issues, snapshot, { knownKeysAt: camelKnownKeysAt }) };
  const config = freezeFresh(result.data);
  if (config.remoteApp !== undefined) {
    const issues = compileRemoteApp(config.remoteApp, ['remoteApp'], options.regex);
    if (issues.length > 0) return { ok: false, issues };
  }
  parsedConfigs.set(config, { validUntilMs: config.validUntil?.getTime() });
  return { ok: true, config };
}

/**
 * Validates an unknown value (the camelCase shape of SPEC §7) into a `CastConfig`: defaults filled
 * in, referrers normalised, `validUntil` a `Date`, every `valuePattern` compiled once on RE2, and
 * the whole deeply frozen and built afresh (the input is never changed or kept). Never throws;
 * answers `{ success: false, error }` with a `CastConfigError` that lists every problem and its path.
 *
 * @example
 * ```ts
 * import { safeParseCastConfig } from 'castgate';
 * const result = safeParseCastConfig({ name: 'Demo', key: 'demo', imageId: 'img', sessionsRemaining: 1.5 });
 * if (!result.success) console.error(result.error.message); // ✖ must be a whole number\n  → at sessionsRemaining
 * ```
 */
export function safeParseCastConfig(input: unknown, options: ParseCastConfigOptions = {}): SafeParseCastConfigResult {
  const snapshot = snapshotInput(input);
  const checked = snapshot.ok ? checkCastConfigSnapshot(snapshot.value, options) : snapshot;
  return checked.ok ? { success: true, config: checked.config } : { success: false, error: new CastConfigError(checked.issues) };
}

/**
 * Validates an unknown value into a frozen `CastConfig` (see {@link safeParseCastConfig}); throws a
 * `CastConfigError` listing every problem with its path. Refused, among others: unknown keys, own
 * `__proto__`/`constructor`/`prototype` keys at any depth, nesting past 32 levels, counts that are
 * negative, fractional, non-finite or strings, a `validUntil` without an offset, an `errorUrl` that
 * is not absolute http(s), and `valuePattern`s RE2 cannot compile.
 *
 * @example
 * ```ts
 * import { parseCastConfig } from 'castgate';
 * const config = parseCastConfig({
 *   name: 'Public demo',
 *   key: 'demo-Xq3v9T2mPz7LkW4r',
 *   imageId: 'chrome',
 *   allowAnonymous: true,
 *   ipRateLimit: { sessions: 1, withinSeconds: 60 },
 *   validUntil: '2030-01-01T00:00:00Z',
 * });
 * Object.isFrozen(config); // true
 * ```
 */
export function parseCastConfig(input: unknown, options: ParseCastConfigOptions = {}): CastConfig {
  const result = safeParseCastConfig(input, options);
  if (!result.success) throw result.error;
  return result.config;
}

/**
 * Tells whether a value is a config that `parseCastConfig` or `fromKasmCastConfig` built (in this
 * copy of castgate). The engine refuses any other object, so a hand-made or spread copy of a
 * config cannot skip validation.
 *
 * @example
 * ```ts
 * import { parseCastConfig, isParsedCastConfig } from 'castgate';
 * const config = parseCastConfig({ name: 'Demo', key: 'demo-key-0123456789', imageId: 'img' });
 * isParsedCastConfig(config); // true
 * isParsedCastConfig({ ...config }); // false
 * ```
 */
export function isParsedCastConfig(value: unknown): value is CastConfig {
  return typeof value === 'object' && value !== null && parsedConfigs.has(value);
}

/**
 * The `validUntil` instant of a parsed config, in milliseconds, as it was when the config was parsed
 * (later mutation of the `Date` changes nothing); `undefined` when the config has none.
 */
export function validUntilMsOf(config: CastConfig): number | undefined {
  return parsedConfigs.get(config)?.validUntilMs;
}

/**
 * Validates a plain remote-app object (the camelCase shape of `config.remoteApp`) the way
 * `parseCastConfig` does: pre-pass, schema, a frozen fresh copy, each `valuePattern` compiled once
 * and remembered for it. A remote app that came from a parsed config is answered as it is. Throws
 * a `CastConfigError` whose paths start with `remoteApp`.
 */
export function parseRemoteApp(input: unknown, engine?: RegexEngine): RemoteAppConfig {
  if (typeof input === 'object' && input !== null && compiledPatternsOf(input as RemoteAppConfig) !== undefined) {
    return input as RemoteAppConfig;
  }
  const basePath = ['remoteApp'];
  const snapshot = snapshotInput(input, { basePath, baseDepth: 1 });
  if (!snapshot.ok) throw new CastConfigError(snapshot.issues);
  const result = remoteAppSchema.safeParse(snapshot.value);
  if (!result.success) {
    throw new CastConfigError(
      fromZodIssues(result.error.issues, snapshot.value, { basePath, knownKeysAt: (path) => camelKnownKeysAt([...basePath, ...path]) }),
    );
  }
  const app = freezeFresh(result.data);
  const issues = compileRemoteApp(app, basePath, engine);
  if (issues.length > 0) throw new CastConfigError(issues);
  return app;
}
