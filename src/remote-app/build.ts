import { CastConfigError } from '../config/errors.js';
import { parseRemoteApp } from '../config/parse.js';
import type { RemoteAppConfig, RemoteAppConfigInput } from '../config/schema.js';
import { invalidQueryValue, readQueryParam, type CastQuery } from '../contract/query.js';
import { argValueProblem, percentWarning } from './arg-policy.js';
import { compiledPatternsOf, compileRemoteAppPatterns, type CompiledPatterns } from './compiled.js';
import type { RegexEngine } from './pattern.js';
import { maxCommandLineLength, quoteWindowsArg } from './windows-quote.js';

export { maxCommandLineLength };


/**
 * Kasm's own message for a missing or invalid remote-app parameter, byte for byte; it never echoes
 * input.
 *
 * @example
 * ```ts
 * import { remoteAppParameterMessage } from 'castgate';
 * remoteAppParameterMessage; // 'Invalid URL parameters provided for remoteApp.'
 * ```
 */
export const remoteAppParameterMessage = 'Invalid URL parameters provided for remoteApp.';

/**
 * Options of {@link buildRemoteAppArgs}.
 *
 * @example
 * ```ts
 * import type { BuildRemoteAppArgsOptions } from 'castgate';
 * const options: BuildRemoteAppArgsOptions = {};
 * ```
 */
export interface BuildRemoteAppArgsOptions {
  /**
   * The engine that compiles `valuePattern`s, instead of the RE2 matchers compiled when the config
   * was parsed. RE2 runs in time linear in the value and cannot backtrack; a JavaScript `RegExp`
   * engine (for hosts that cannot load native addons) can backtrack exponentially on an admin's
   * pattern such as `(a+)+$`, so with it every pattern must be trusted and reviewed. Matchers are
   * compiled once per remote app and engine and then reused.
   */
  readonly regex?: RegexEngine;
}

/**
 * What {@link buildRemoteAppArgs} answers: the RemoteApp name, the arguments in order and the one
 * Windows command line that splits back into exactly them, plus warnings (such as a `%` in a URL
 * value without the strict policy); or the parameter that is missing or invalid.
 *
 * @example
 * ```ts
 * import type { RemoteAppArgsResult } from 'castgate';
 * const show = (r: RemoteAppArgsResult) => (r.ok ? r.commandLine : `${r.error.code}: ${r.error.parameter}`);
 * ```
 */
export type RemoteAppArgsResult =
  | {
      readonly ok: true;
      readonly name: string;
      readonly argv: readonly string[];
      readonly commandLine: string;
      readonly warnings: readonly string[];
    }
  | {
      readonly ok: false;
      readonly error: {
        readonly code: 'missing_parameter' | 'invalid_parameter';
        readonly parameter: string;
        readonly message: string;
      };
    };

const compiledByEngine = new WeakMap<RemoteAppConfig, WeakMap<RegexEngine, CompiledPatterns>>();

function patternsFor(remoteApp: RemoteAppConfig, engine: RegexEngine | undefined): CompiledPatterns {
  if (engine === undefined) {
    const compiled = compiledPatternsOf(remoteApp);
    if (compiled === undefined) throw new TypeError('remote app was not compiled by the config parser');
    return compiled;
  }
  let byEngine = compiledByEngine.get(remoteApp);
  if (byEngine === undefined) {
    byEngine = new WeakMap();
    compiledByEngine.set(remoteApp, byEngine);
  }
  let compiled = byEngine.get(engine);
  if (compiled === undefined) {
    const result = compileRemoteAppPatterns(remoteApp, engine);
    if (!result.ok) {
      // The issue names the first refused pattern's path, but not the pattern or the engine's text.
      const index = result.refused[0]?.index ?? 0;
      throw new CastConfigError([
        { path: ['remoteApp', 'args', index, 'valuePattern'], code: 'invalid_pattern', message: 'is not a pattern the given regex engine accepts' },
      ]);
    }
    compiled = result.patterns;
    byEngine.set(engine, compiled);
  }
  return compiled;
}

function refuse(code: 'missing_parameter' | 'invalid_parameter', parameter: string): RemoteAppArgsResult {
  return { ok: false, error: { code, parameter, message: remoteAppParameterMessage } };
}

/**
 * Turns a cast request's URL parameters into the RemoteApp's arguments (SPEC §5): its `name`, the
 * `argv` in config order (`argumentName` and value as separate items) and one `commandLine` quoted
 * so that Windows' `CommandLineToArgvW` gives back exactly `argv`.
 *
 * Per argument: a static `argumentValue` wins over the URL; else the value is the URL parameter
 * `urlParamName` (`""` when present but empty); a required one that is absent is
 * `missing_parameter`; an optional one that is absent contributes nothing, its `argumentName`
 * included; an argument with no value source contributes its `argumentName` alone. A URL value that
 * is repeated or not a string, has control characters or lone surrogates, is longer than 4096
 * characters, does not match its `valuePattern` as a whole, or (with `argPolicy: 'strict'`) has `%`,
 * `"`, a leading `-` or `/`, a `..` segment or a character outside printable ASCII is
 * `invalid_parameter`, as is a `commandLine` over 7,999 UTF-16 code units, what RDP clients send
 * ({@link maxCommandLineLength}; naming the URL parameter that took it over, or the last one used).
 * A `..` segment includes a drive-relative one (`C:..\secret.txt`). Failures are values naming
 * the parameter, with Kasm's message; nothing in the query makes it throw.
 *
 * `remoteApp` is a parsed config's `config.remoteApp` (its compiled matchers are reused) or a plain
 * object of the same camelCase shape, validated and compiled on each call: an invalid one throws
 * `CastConfigError`, as does a pattern that `options.regex` cannot compile, or static arguments that
 * alone exceed the length limit.
 *
 * @example
 * ```ts
 * import { buildRemoteAppArgs } from 'castgate';
 * const excel = {
 *   remoteAppName: '||Microsoft Excel',
 *   args: [{ urlParamName: 'file', required: true, valuePattern: String.raw`[a-zA-Z]:\\[^"%]+\.xlsx` }],
 * };
 * const result = buildRemoteAppArgs(excel, new URLSearchParams({ file: 'C:\\Reports\\Q1 2030.xlsx' }));
 * // { ok: true, name: '||Microsoft Excel', argv: ['C:\\Reports\\Q1 2030.xlsx'],
 * //   commandLine: '"C:\\Reports\\Q1 2030.xlsx"', warnings: [] }
 * ```
 */
export function buildRemoteAppArgs(
  remoteApp: RemoteAppConfig | RemoteAppConfigInput,
  query: CastQuery | undefined,
  options: BuildRemoteAppArgsOptions = {},
): RemoteAppArgsResult {
  // A parsed config's remote app comes back as it is; a plain object is validated and compiled.
  const app = parseRemoteApp(remoteApp, options.regex);
  return buildArgs(app, patternsFor(app, options.regex), query);
}

const noWarnings: readonly string[] = Object.freeze([]);

/**
 * {@link buildRemoteAppArgs} on a parsed config's remote app (the parameters guard's path: no
 * validation, its compiled matchers).
 */
export function buildParsedRemoteAppArgs(app: RemoteAppConfig, query: CastQuery | undefined): RemoteAppArgsResult {
  return buildArgs(app, patternsFor(app, undefined), query);
}

/** Appends `item` to `argv` and its quoted form to `quoted`; answers how much longer the joined line gets. */
function appendQuoted(item: string, argv: string[], quoted: string[]): number {
  const piece = quoteWindowsArg(item);
  argv.push(item);
  quoted.push(piece);
  return 1 + piece.length;
}

// One pass over the arguments with an index (no iterator, no closure): the quoted pieces are joined
// once at the end, so the command line is one flat string (a session keeps it in its plan).
function buildArgs(app: RemoteAppConfig, patterns: CompiledPatterns, query: CastQuery | undefined): RemoteAppArgsResult {
  const strict = app.argPolicy === 'strict';
  const { args } = app;
  const argv: string[] = [];
  const quoted: string[] = [];
  let warnings: string[] | undefined;
  let length = -1; // the length of the quoted items joined with single spaces (-1: nothing yet)
  let lastUrlParameter: string | undefined;

  for (let index = 0; index < args.length; index++) {
    const arg = args[index] as RemoteAppConfig['args'][number];
    let fromUrl: string | undefined;
    let value: string | undefined;
    if (arg.argumentValue !== undefined) {
      value = arg.argumentValue;
    } else if (arg.urlParamName !== undefined) {
      const parameter = arg.urlParamName;
      const raw = readQueryParam(query, parameter);
      if (raw === invalidQueryValue) return refuse('invalid_parameter', parameter);
      if (raw === undefined) {
        if (arg.required) return refuse('missing_parameter', parameter);
        continue;
      }
      // The cheap checks come first: a pattern never sees a control character or a lone surrogate.
      if (argValueProblem(raw, app.argPolicy) !== undefined) return refuse('invalid_parameter', parameter);
      const matcher = patterns[index];
      if (matcher !== undefined && !matcher.test(raw)) return refuse('invalid_parameter', parameter);
      if (!strict && raw.includes('%')) (warnings ??= []).push(percentWarning(parameter));
      fromUrl = parameter;
      value = raw;
    }
    if (arg.argumentName !== undefined) length += appendQuoted(arg.argumentName, argv, quoted);
    if (value !== undefined) length += appendQuoted(value, argv, quoted);
    if (fromUrl !== undefined) lastUrlParameter = fromUrl;
    // Name the URL parameter that took the line over the limit, or the last one before it. Static
    // arguments alone are never over it: the config parser refuses such a remote app.
    if (length > maxCommandLineLength && lastUrlParameter !== undefined) return refuse('invalid_parameter', lastUrlParameter);
  }
  return {
    ok: true,
    name: app.remoteAppName,
    argv: Object.freeze(argv),
    commandLine: quoted.join(' '),
    warnings: warnings === undefined ? noWarnings : Object.freeze(warnings),
  };
}
