/**
 * Windows command lines: quoting an argv into one string that Windows splits back into exactly that
 * argv, and a reference reader of the splitting rules.
 *
 * A Windows program receives one string, not an array: the program (or its C runtime) splits it.
 * Two rule sets are in use, and they differ in one corner only:
 * - `'shell32'`: `CommandLineToArgvW` in shell32 (what Wine implements, checked against Wine in
 *   `test/remote-app/windows-quote.wine.test.ts`). Inside a quoted region, `""` gives one literal
 *   `"` and **ends** the quoted region.
 * - `'crt2008'`: the Microsoft C runtime since 2008 (msvcr90 and the UCRT, which split `argv` for
 *   `main`/`wmain`). Inside a quoted region, `""` gives one literal `"` and the region **goes on**.
 * Everything else is shared: arguments are separated by spaces and tabs outside quotes; 2n
 * backslashes followed by `"` give n backslashes and the quote opens or closes a quoted region;
 * 2n+1 backslashes followed by `"` give n backslashes and a literal `"`; backslashes anywhere else
 * are literal; `""` on its own is an empty argument.
 *
 * {@link quoteWindowsArg} never writes `""` inside a quoted region, so its output splits the same
 * way under both rule sets.
 */

/**
 * The two rule sets for splitting a Windows command line: `'shell32'` (`CommandLineToArgvW`) and
 * `'crt2008'` (the C runtime since 2008); they differ only for `""` inside a quoted region.
 *
 * @example
 * ```ts
 * import type { WindowsCommandLineDialect } from 'castgate';
 * const dialect: WindowsCommandLineDialect = 'shell32';
 * ```
 */
export type WindowsCommandLineDialect = 'shell32' | 'crt2008';

/**
 * Options of {@link parseWindowsCommandLine}.
 *
 * @example
 * ```ts
 * import type { ParseWindowsCommandLineOptions } from 'castgate';
 * const options: ParseWindowsCommandLineOptions = { dialect: 'crt2008' };
 * ```
 */
export interface ParseWindowsCommandLineOptions {
  /** Which splitting rules to follow; `'shell32'` (`CommandLineToArgvW`) by default. */
  readonly dialect?: WindowsCommandLineDialect;
}

/**
 * The longest `commandLine` {@link buildRemoteAppArgs} answers, in UTF-16 code units (a JavaScript
 * string's `length`): what every RDP client sends. The RAIL Client Execute PDU carries the arguments
 * as UTF-16 and FreeRDP (which guacd and so Kasm use) refuses more than 16,000 bytes of them
 * ([MS-RDPERP] 2.2.2.3.1; FreeRDP `rail_write_client_exec_order`); FreeRDP 2 counts the terminating
 * NUL in that length (`utf8_string_to_rail_string` converts with the terminator), so 7,999 code
 * units is the most that launches on both FreeRDP 2 and 3. A longer line is `invalid_parameter` when
 * it comes from the request, and a config error when the static arguments alone exceed it: a line
 * that passes castgate but cannot launch would spend a quota unit for nothing.
 *
 * @example
 * ```ts
 * import { maxCommandLineLength } from 'castgate';
 * maxCommandLineLength; // 7999
 * ```
 */
export const maxCommandLineLength = 7_999;

const needsQuoting = /[ \t\n\v"]/u;

/**
 * Quotes one argument so that `CommandLineToArgvW` (and the C runtime) give it back exactly: the
 * `ArgvQuote` algorithm from Microsoft's "Everyone quotes command line arguments the wrong way". A
 * non-empty argument without space, tab, newline, vertical tab or `"` is returned as it is;
 * anything else is wrapped in quotes, with `\"` for each quote and every run of backslashes that
 * precedes a quote (or the closing quote) doubled. It never fails.
 *
 * Quoting protects the split into arguments only: it does not stop `%NAME%` expansion by an RDS
 * host, `cmd.exe` metacharacters for batch targets, or an argument that is itself a switch.
 *
 * @example
 * ```ts
 * import { quoteWindowsArg } from 'castgate';
 * quoteWindowsArg('C:\\Reports\\Q1 2030.xlsx'); // '"C:\\Reports\\Q1 2030.xlsx"'
 * quoteWindowsArg('C:\\x.xlsx" /e "D:\\y');     // '"C:\\x.xlsx\\" /e \\"D:\\y"' (one argument)
 * ```
 */
export function quoteWindowsArg(arg: string): string {
  if (arg !== '' && !needsQuoting.test(arg)) return arg;
  if (!arg.includes('"')) {
    // Without a quote inside, only the backslashes before the closing quote need doubling.
    let trailing = 0;
    while (trailing < arg.length && arg[arg.length - 1 - trailing] === '\\') trailing++;
    return `"${arg}${'\\'.repeat(trailing)}"`;
  }
  let quoted = '"';
  let backslashes = 0;
  for (let i = 0; i < arg.length; i++) {
    const unit = arg[i];
    if (unit === '\\') {
      backslashes++;
    } else if (unit === '"') {
      quoted += '\\'.repeat(backslashes * 2 + 1) + '"';
      backslashes = 0;
    } else {
      quoted += '\\'.repeat(backslashes) + (unit ?? '');
      backslashes = 0;
    }
  }
  return `${quoted}${'\\'.repeat(backslashes * 2)}"`;
}

/**
 * Joins arguments into one Windows command line: each quoted with {@link quoteWindowsArg}, separated
 * by single spaces. An empty list gives `''`. It never fails.
 *
 * @example
 * ```ts
 * import { joinWindowsCommandLine } from 'castgate';
 * joinWindowsCommandLine(['/r', 'C:\\dir\\', '']); // '/r C:\\dir\\ ""'
 * ```
 */
export function joinWindowsCommandLine(argv: readonly string[]): string {
  return argv.map(quoteWindowsArg).join(' ');
}

/**
 * Splits the arguments part of a Windows command line the way Windows does (a reference reader, for
 * tests and for checking what a program will see). It reads **arguments only**: the program name at
 * the start of a full command line follows other rules (it ends at the next space, or at the next
 * `"` when it starts with one, and backslashes are never escapes), so pass the part after it. NUL is
 * treated as an ordinary character (a real command line cannot contain one). It never fails.
 *
 * @example
 * ```ts
 * import { parseWindowsCommandLine } from 'castgate';
 * parseWindowsCommandLine('"C:\\Reports\\Q1 2030.xlsx" /r'); // ['C:\\Reports\\Q1 2030.xlsx', '/r']
 * parseWindowsCommandLine('"a""b c"');                        // ['a"b', 'c'] (shell32)
 * parseWindowsCommandLine('"a""b c"', { dialect: 'crt2008' }); // ['a"b c']
 * ```
 */
export function parseWindowsCommandLine(commandLine: string, options: ParseWindowsCommandLineOptions = {}): string[] {
  const staysQuotedAfterPair = options.dialect === 'crt2008';
  const args: string[] = [];
  let current = '';
  let started = false;
  let quoted = false;
  let i = 0;
  while (i < commandLine.length) {
    const unit = commandLine[i];
    if ((unit === ' ' || unit === '\t') && !quoted) {
      if (started) args.push(current);
      current = '';
      started = false;
      i++;
      continue;
    }
    started = true;
    if (unit === '\\') {
      let end = i;
      while (commandLine[end] === '\\') end++;
      const run = end - i;
      if (commandLine[end] === '"') {
        current += '\\'.repeat(Math.floor(run / 2));
        if (run % 2 === 1) {
          current += '"';
          i = end + 1;
        } else {
          // The quote after an even run is a real quote: handle it on the next turn.
          i = end;
        }
      } else {
        current += '\\'.repeat(run);
        i = end;
      }
    } else if (unit === '"') {
      if (!quoted) {
        quoted = true;
        i++;
      } else if (commandLine[i + 1] === '"') {
        current += '"';
        quoted = staysQuotedAfterPair;
        i += 2;
      } else {
        quoted = false;
        i++;
      }
    } else {
      current += unit ?? '';
      i++;
    }
  }
  if (started) args.push(current);
  return args;
}
