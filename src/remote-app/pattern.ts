import { createRequire } from 'node:module';
import type RE2 from 're2';

/**
 * A compiled `valuePattern`: answers whether a value matches the **whole** pattern. It must be
 * stateless (no `lastIndex` carried between calls).
 *
 * @example
 * ```ts
 * import type { PatternMatcher } from 'castgate';
 * const digits: PatternMatcher = { test: (value) => /^[0-9]+$/.test(value) };
 * ```
 */
export interface PatternMatcher {
  test(value: string): boolean;
}

/**
 * Compiles an admin-supplied pattern, already anchored (`^(?:pattern)$`), into a matcher, or throws
 * a `SyntaxError` the config parser reports with its path. The default is RE2 (linear time, no
 * backtracking). A host that cannot load a native addon may pass a JavaScript `RegExp` engine, and
 * with it accepts that an admin's pattern can backtrack exponentially (ReDoS).
 *
 * @example
 * ```ts
 * import type { RegexEngine } from 'castgate';
 * // Only for hosts without native addons: backtracking, so admin patterns must be trusted.
 * const regexpEngine: RegexEngine = (anchored) => {
 *   const re = new RegExp(anchored, 'u');
 *   return { test: (value) => re.test(value) };
 * };
 * ```
 */
export type RegexEngine = (anchoredPattern: string) => PatternMatcher;

/**
 * The longest `valuePattern` a config may hold, in characters.
 *
 * @example
 * ```ts
 * import { maxPatternLength } from 'castgate';
 * maxPatternLength; // 1024
 * ```
 */
export const maxPatternLength = 1024;

let re2Constructor: typeof RE2 | undefined;

/**
 * Loads the `re2` native addon on first use, so that hosts which cannot load it can still import
 * castgate and use every config without a `valuePattern`.
 */
function loadRe2(): typeof RE2 {
  if (re2Constructor === undefined) {
    try {
      re2Constructor = createRequire(import.meta.url)('re2') as typeof RE2;
    } catch {
      throw new Error('the re2 native addon is not available (it is an optional dependency: install it, or pass a regex engine)');
    }
  }
  return re2Constructor;
}

/**
 * Whether the `re2` addon loads here (it is an optional dependency).
 *
 * @example
 * ```ts
 * import { isRe2Available } from 'castgate';
 * if (!isRe2Available()) console.warn('configs with a valuePattern need re2 or a regex engine');
 * ```
 */
export function isRe2Available(): boolean {
  try {
    loadRe2();
    return true;
  } catch {
    return false;
  }
}

/**
 * The default {@link RegexEngine}: RE2, compiled once, in Unicode mode, without stateful flags. The
 * `re2` addon is loaded on the first pattern; if it cannot load, that pattern's config is refused.
 *
 * @example
 * ```ts
 * import { re2Engine } from 'castgate';
 * re2Engine('^(?:[a-z]+)$').test('abc'); // true
 * ```
 */
export const re2Engine: RegexEngine = (anchoredPattern) => {
  const Re2 = loadRe2();
  const re = new Re2(anchoredPattern, 'u');
  return { test: (value) => re.test(value) };
};

/**
 * Compiles a `valuePattern` so that it must match the whole value. The pattern is first compiled on
 * its own, so that one which only becomes valid inside the anchors (`a)|(b`) is refused, and RE2's
 * byte-matching `\C` is refused. Throws `SyntaxError` with the engine's message.
 */
export function compileValuePattern(pattern: string, engine: RegexEngine = re2Engine): PatternMatcher {
  if (pattern.length > maxPatternLength) {
    throw new SyntaxError(`pattern is longer than ${maxPatternLength} characters`);
  }
  if (hasByteEscape(pattern)) {
    throw new SyntaxError('\\C (match any byte) is not allowed');
  }
  engine(pattern);
  return engine(`^(?:${pattern})$`);
}

function hasByteEscape(pattern: string): boolean {
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '\\') {
      if (pattern[i + 1] === 'C') return true;
      i++;
    }
  }
  return false;
}
