import type { RemoteAppConfig } from '../config/schema.js';
import type { PatternMatcher } from './pattern.js';

/** The compiled `valuePattern` of each argument of a remote app, by argument index. */
export type CompiledPatterns = readonly (PatternMatcher | undefined)[];

const compiledByRemoteApp = new WeakMap<RemoteAppConfig, CompiledPatterns>();

/** Remembers the matchers `parseCastConfig` compiled for a frozen remote app, so requests reuse them. */
export function rememberCompiledPatterns(remoteApp: RemoteAppConfig, patterns: CompiledPatterns): void {
  compiledByRemoteApp.set(remoteApp, patterns);
}

/** The matchers compiled for a remote app of a parsed config, or `undefined` for any other object. */
export function compiledPatternsOf(remoteApp: RemoteAppConfig): CompiledPatterns | undefined {
  return compiledByRemoteApp.get(remoteApp);
}
