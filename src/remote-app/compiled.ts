import type { RemoteAppConfig } from '../config/schema.js';
import { tryCompileValuePattern, type PatternMatcher, type RegexEngine } from './pattern.js';

/** The compiled `valuePattern` of each argument of a remote app, by argument index. */
export type CompiledPatterns = readonly (PatternMatcher | undefined)[];

/** An argument whose `valuePattern` the engine refused: its index, and the engine's reason (shortened). */
export interface RefusedPattern {
  readonly index: number;
  readonly reason: string;
}

/** What {@link compileRemoteAppPatterns} answers: every argument's matcher, or every pattern the engine refused. */
export type RemoteAppPatterns = { readonly ok: true; readonly patterns: CompiledPatterns } | { readonly ok: false; readonly refused: readonly RefusedPattern[] };

/**
 * Compiles each argument's `valuePattern` (anchored) with `engine` (by default RE2: the native
 * addon, else `re2js`): the frozen matchers by argument index, or each argument whose pattern the
 * engine refused, in argument order.
 */
export function compileRemoteAppPatterns(remoteApp: RemoteAppConfig, engine?: RegexEngine): RemoteAppPatterns {
  const refused: RefusedPattern[] = [];
  const patterns = remoteApp.args.map((arg, index): PatternMatcher | undefined => {
    if (arg.valuePattern === undefined) return undefined;
    const compiled = tryCompileValuePattern(arg.valuePattern, engine);
    if (compiled.ok) return compiled.matcher;
    refused.push({ index, reason: compiled.reason });
    return undefined;
  });
  return refused.length === 0 ? { ok: true, patterns: Object.freeze(patterns) } : { ok: false, refused };
}

const compiledByRemoteApp = new WeakMap<RemoteAppConfig, CompiledPatterns>();

/** Remembers the matchers `parseCastConfig` compiled for a frozen remote app, so requests reuse them. */
export function rememberCompiledPatterns(remoteApp: RemoteAppConfig, patterns: CompiledPatterns): void {
  compiledByRemoteApp.set(remoteApp, patterns);
}

/** The matchers compiled for a remote app of a parsed config, or `undefined` for any other object. */
export function compiledPatternsOf(remoteApp: RemoteAppConfig): CompiledPatterns | undefined {
  return compiledByRemoteApp.get(remoteApp);
}
