// The `castgate` bin (built to dist/cli.js). Importing this module does nothing; it runs only as
// the process's entry point.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runExplain } from './explain.js';
import { runSign } from './sign.js';
import { runTest } from './test.js';
import { printable, type CliIo } from './format.js';
import { runValidate } from './validate.js';

/**
 * The `castgate --help` text.
 */
export const mainHelp = `Usage: castgate <command> [options]

Commands:
  validate <file> [--kasm]     check casting configs, print every problem with its path
  validate --json-schema       print the JSON Schema of the config format
  explain <file> --ip <addr>   run the guards for one request and show each verdict
  sign <key> --kid K --secret-env VAR   mint a signed link token (requireSignedLink)
  test <fixtures.json> [--json]         run policy tests kept as data (expected decisions)

Run castgate <command> --help for a command's options.
Exit codes: 0 OK / allowed, 1 problems found / denied, 2 usage error or unreadable input.
`;

/**
 * Runs the CLI with the arguments after the program name and answers the exit code (0, 1 or 2,
 * see {@link mainHelp}). It never rejects: an unexpected error is printed and answers 2.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'validate':
        return await runValidate(rest, io);
      case 'explain':
        return await runExplain(rest, io);
      case 'sign':
        return await runSign(rest, io);
      case 'test':
        return await runTest(rest, io);
      case '-h':
      case '--help':
      case 'help':
        io.stdout(mainHelp);
        return 0;
      case undefined:
        io.stderr(mainHelp);
        return 2;
      default:
        io.stderr(`castgate: unknown command ${JSON.stringify(printable(command))}\n\n${mainHelp}`);
        return 2;
    }
  } catch (error) {
    io.stderr(`castgate: ${printable(error instanceof Error ? error.message : String(error))}\n`);
    return 2;
  }
}

/** True when this module is the process's entry point (`node dist/cli.js`, or the npm bin link to it). */
function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  const io: CliIo = { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text) };
  process.exitCode = await runCli(process.argv.slice(2), io);
}
