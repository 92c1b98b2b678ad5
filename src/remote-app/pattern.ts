import { createRequire } from 'node:module';
import type RE2 from 're2';
import { RE2JS } from 're2js';

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
 * backtracking): the native `re2` addon where it loads, else its pure-JavaScript port `re2js`
 * ({@link regexEngineName} says which). A host may pass a JavaScript `RegExp` engine instead, and
 * with it accepts that an admin's pattern can backtrack exponentially (ReDoS).
 *
 * @example
 * ```ts
 * import type { RegexEngine } from 'castgate';
 * // Backtracking: only for patterns the host has reviewed itself.
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

/** The outcome of loading `re2`, tried once per process. */
let re2Load: { readonly ok: true; readonly Re2: typeof RE2 } | { readonly ok: false } | undefined;

/**
 * Loads the `re2` native addon on first use, so that hosts which cannot load it can still import
 * castgate (patterns then compile with `re2js`).
 */
function loadRe2(): typeof RE2 {
  if (re2Load === undefined) {
    try {
      re2Load = { ok: true, Re2: createRequire(import.meta.url)('re2') as typeof RE2 };
    } catch {
      re2Load = { ok: false };
    }
  }
  if (!re2Load.ok) {
    throw new Error('the re2 native addon is not available (it is an optional dependency: install it, or use re2jsEngine)');
  }
  return re2Load.Re2;
}

/**
 * Whether the native `re2` addon loads here (it is an optional dependency). Without it, patterns
 * compile with `re2js`: the same syntax and the same linear-time guarantee, slower.
 *
 * @example
 * ```ts
 * import { isRe2Available } from 'castgate';
 * if (!isRe2Available()) console.warn('re2 did not load: valuePatterns run on re2js (pure JavaScript)');
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
 * Which engine compiles `valuePattern`s by default in this process: `'re2'` (the native addon) or,
 * where it cannot load (blocked install scripts, Deno, Bun, Workers), `'re2js'` (the pure-JavaScript
 * port of RE2). Both run in linear time; castgate never falls back to a backtracking `RegExp`.
 *
 * @example
 * ```ts
 * import { regexEngineName } from 'castgate';
 * console.log(`valuePatterns run on ${regexEngineName()}`); // "re2" or "re2js"
 * ```
 */
export function regexEngineName(): 're2' | 're2js' {
  return isRe2Available() ? 're2' : 're2js';
}

/**
 * The native RE2 {@link RegexEngine}: compiled once, in Unicode mode, without stateful flags. The
 * `re2` addon is loaded on the first pattern; where it cannot load, this engine throws (the default
 * engine then uses {@link re2jsEngine}).
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
  // A string is copied into a new native buffer held by weak handles on every call (node-re2 caches
  // only the last string object); a Buffer from Node's pool is matched as it is, at half the cost.
  // The bytes are the same UTF-8 either way (lone surrogates become U+FFFD in both).
  return latestAnswerKept((value) => re.test(Buffer.from(value, 'utf8')));
};

/**
 * The pure-JavaScript RE2 {@link RegexEngine} (`re2js`): the same syntax as {@link re2Engine} (a
 * JavaScript-style pattern is translated as node-re2 translates it) and linear time, with no native
 * addon. The default engine where `re2` cannot load.
 *
 * @example
 * ```ts
 * import { parseCastConfig, re2jsEngine } from 'castgate';
 * const config = parseCastConfig(
 *   { name: 'Excel', key: 'excel-0123456789abcdef', imageId: 'img', remoteApp: { remoteAppName: '||Excel', args: [{ urlParamName: 'file', valuePattern: '[a-z]+[.]xlsx' }] } },
 *   { regex: re2jsEngine },
 * );
 * ```
 */
export const re2jsEngine: RegexEngine = (anchoredPattern) => {
  let re: RE2JS;
  try {
    re = RE2JS.compile(RE2JS.translateRegExp(anchoredPattern));
  } catch (error) {
    throw new SyntaxError(error instanceof Error ? error.message : 'invalid pattern');
  }
  return latestAnswerKept((value) => re.test(value));
};

/**
 * A built-in engine's matcher, which keeps its latest answer: most requests to a link carry the same
 * value (the one file a published link opens), and comparing two strings costs a fraction of a match
 * (the value is copied to UTF-8 first). The answer depends on the value alone, so this is exact.
 */
function latestAnswerKept(test: (value: string) => boolean): PatternMatcher {
  let latestValue: string | undefined;
  let latestAnswer = false;
  return {
    test: (value) => {
      if (value === latestValue) return latestAnswer;
      const answer = test(value);
      latestValue = value;
      latestAnswer = answer;
      return answer;
    },
  };
}

/**
 * The engine patterns compile with when the host passes none: native RE2 where it loads, else re2js.
 * (`re2` is tried once per process.)
 */
export const defaultRegexEngine: RegexEngine = (anchoredPattern) =>
  (isRe2Available() ? re2Engine : re2jsEngine)(anchoredPattern);

/**
 * Compiles a `valuePattern` so that it must match the whole value. The pattern is first compiled on
 * its own, so that one which only becomes valid inside the anchors (`a)|(b`) is refused, and RE2's
 * byte-matching `\C` is refused. Throws `SyntaxError` with the engine's message.
 */
export function compileValuePattern(pattern: string, engine: RegexEngine = defaultRegexEngine): PatternMatcher {
  if (pattern.length > maxPatternLength) {
    throw new SyntaxError(`pattern is longer than ${maxPatternLength} characters`);
  }
  if (hasByteEscape(pattern)) {
    throw new SyntaxError('\\C (match any byte) is not allowed');
  }
  engine(pattern);
  return engine(`^(?:${pattern})$`);
}

/** The longest engine reason a refused pattern's issue quotes; a longer one is cut short with `…`. */
const maxReasonLength = 200;

/** What {@link tryCompileValuePattern} answers: the matcher, or why the engine refused the pattern. */
export type ValuePatternCompilation = { readonly ok: true; readonly matcher: PatternMatcher } | { readonly ok: false; readonly reason: string };

/**
 * {@link compileValuePattern} without the throw: the matcher, or the engine's reason (cut to
 * {@link maxReasonLength} characters) for the config parser's `invalid_pattern` issue.
 */
export function tryCompileValuePattern(pattern: string, engine: RegexEngine = defaultRegexEngine): ValuePatternCompilation {
  try {
    return { ok: true, matcher: compileValuePattern(pattern, engine) };
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'unknown error';
    return { ok: false, reason: reason.length > maxReasonLength ? `${reason.slice(0, maxReasonLength)}…` : reason };
  }
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
