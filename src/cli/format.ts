import { formatConfigPath } from 'castgate';

/**
 * Where the CLI writes: standard output and standard error (tests pass their own).
 */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/**
 * Formats a config issue path for people: `remoteApp.args[0].valuePattern` (the library's
 * `formatConfigPath`); the root is `(root)`.
 */
export function formatIssuePath(path: readonly (string | number)[]): string {
  return path.length === 0 ? '(root)' : formatConfigPath(path);
}

/**
 * Makes text safe to print on a terminal: control characters (C0, DEL, C1, which could move the
 * cursor or recolour the screen) become `\u001b`-style escapes; everything else is kept.
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/gu, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Lays rows out as a plain-text table: columns padded to their widest cell, two spaces apart, the
 * last column unpadded, a header row first.
 */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, column) => Math.max(...all.map((row) => (row[column] ?? '').length)));
  return all
    .map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/**
 * Prints a usage error (the message, then the command's help) to standard error and answers exit
 * code 2.
 */
export function usageError(io: CliIo, command: string, message: string, help: string): 2 {
  io.stderr(`${command}: ${printable(message)}\n\n${help}`);
  return 2;
}
