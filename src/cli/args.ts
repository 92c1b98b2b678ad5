import { parseArgs } from 'node:util';
import { didYouMean } from '../config/did-you-mean.js';
import { printable, type CliIo } from './format.js';

/**
 * The options a command takes, as `node:util` `parseArgs` reads them.
 */
export type CliOptionSpecs = Readonly<Record<string, { readonly type: 'string' | 'boolean'; readonly short?: string }>>;

function readTokens(args: readonly string[], options: CliOptionSpecs) {
  return parseArgs({ args: [...args], options, strict: false, allowPositionals: true, tokens: true }).tokens;
}

function nameOf(options: CliOptionSpecs, token: { name: string; rawName: string }): string {
  if (token.rawName.startsWith('--')) return token.name;
  return Object.entries(options).find(([, spec]) => spec.short === token.name)?.[0] ?? token.name;
}

/**
 * One sentence saying what is wrong with a command's arguments, from the error `parseArgs` threw
 * (Node's own text is long and talks about positionals): `unknown option --kasn (did you mean
 * --kasm?)`, `option --ip needs a value`, `option --kasm takes no value`.
 */
export function describeArgsError(error: unknown, args: readonly string[], options: CliOptionSpecs): string {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  let tokens: ReturnType<typeof readTokens> = [];
  try {
    tokens = readTokens(args, options);
  } catch {
    // Nothing more to say than Node's own message.
  }
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const name = nameOf(options, token);
    const spec = options[name];
    const shown = printable(token.rawName);
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && spec === undefined) {
      // A one-letter option is too short to guess from.
      const guess = token.rawName.startsWith('--') ? didYouMean(token.name, Object.keys(options)) : undefined;
      return guess === undefined ? `unknown option ${shown}` : `unknown option ${shown} (did you mean --${guess}?)`;
    }
    if (code !== 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' || spec === undefined) continue;
    if (spec.type === 'string' && (token.value === undefined || (!token.inlineValue && token.value.startsWith('-')))) {
      return `option --${name} needs a value (--${name} <value>, or --${name}=<value> for one that starts with -)`;
    }
    if (spec.type === 'boolean' && token.value !== undefined) return `option --${name} takes no value`;
  }
  const message = error instanceof Error ? (error.message.split('\n')[0] ?? '') : '';
  return message === '' ? 'invalid arguments' : printable(message);
}

/**
 * Prints a short argument error for `command` (one line, then where to find its options, not the
 * whole help) to standard error and answers exit code 2.
 */
export function argsError(io: CliIo, command: string, error: unknown, args: readonly string[], options: CliOptionSpecs): 2 {
  io.stderr(`${command}: ${describeArgsError(error, args, options)}\nRun "${command} --help" for its options.\n`);
  return 2;
}
