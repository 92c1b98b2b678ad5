import { parseArgs } from 'node:util';
import { castConfigJsonSchema, type CastConfigIssue } from 'castgate';
import { looksLikeKasm, parseConfigInput, rawKeyOf, readConfigFile } from './config-file.js';
import { argsError, type CliOptionSpecs } from './args.js';
import { formatIssuePath, printable, usageError, type CliIo } from './format.js';

/**
 * The `castgate validate --help` text.
 */
export const validateHelp = `Usage: castgate validate <file> [--kasm]
       castgate validate --json-schema

Checks a JSON file holding one casting config or an array of them and prints every problem with
its path. Exits 0 when every config is valid, 1 when any is not, 2 on a usage error or when the
file cannot be read.

Options:
  --kasm          the file uses Kasm's own field names (casting_config_name, image_id, ...);
                  where castgate serves a field differently from Kasm it prints a warning with the
                  field's path and code (warnings alone still exit 0)
  --json-schema   print the JSON Schema of castgate's config format and exit
  -h, --help      show this help
`;

const validateOptions = {
  kasm: { type: 'boolean' },
  'json-schema': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies CliOptionSpecs;

/** The advice SPEC §7 gives for anonymous links: a key is a bearer secret. */
const minAnonymousKeyLength = 16;

interface ConfigReport {
  readonly index: number;
  readonly key: string | undefined;
  readonly issues: readonly CastConfigIssue[];
  readonly warnings: readonly string[];
}

function issueLine(issue: CastConfigIssue): string {
  return `    ✖ ${printable(formatIssuePath(issue.path))}: ${printable(issue.message)}  (${issue.code})`;
}

function label(report: ConfigReport, isArray: boolean): string {
  const key = report.key === undefined ? '' : ` "${report.key}"`;
  return isArray ? `  config [${report.index}]${key}:` : `  config${key}:`;
}

/**
 * Runs `castgate validate`: answers the exit code (0 valid, 1 problems, 2 usage error or unreadable
 * file) after printing an OK line, or every problem with the index of the config it belongs to and
 * its path. In an array, two configs with the same key are a problem too. Anonymous configs with a
 * key shorter than 16 characters get a warning (the key is a bearer secret) that does not change
 * the exit code.
 */
export async function runValidate(args: readonly string[], io: CliIo): Promise<number> {
  let values: { kasm?: boolean | undefined; 'json-schema'?: boolean | undefined; help?: boolean | undefined };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: [...args], allowPositionals: true, strict: true, options: validateOptions }));
  } catch (error) {
    return argsError(io, 'castgate validate', error, args, validateOptions);
  }
  if (values.help === true) {
    io.stdout(validateHelp);
    return 0;
  }
  if (values['json-schema'] === true) {
    if (positionals.length > 0 || values.kasm === true) return usage(io, '--json-schema takes no file and no --kasm');
    io.stdout(`${JSON.stringify(castConfigJsonSchema(), null, 2)}\n`);
    return 0;
  }
  const [path, ...extra] = positionals;
  if (path === undefined) return usage(io, 'validate needs a file');
  if (extra.length > 0) return usage(io, `validate takes one file, got ${positionals.length}`);

  const file = await readConfigFile(path);
  if (!file.ok) {
    // Text that is not JSON is a finding (stdout, exit 1); a file that cannot be read is not (stderr, exit 2).
    if (file.exitCode === 1) io.stdout(`${printable(file.message)}\n`);
    else io.stderr(`castgate: ${printable(file.message)}\n`);
    return file.exitCode;
  }
  if (file.inputs.length === 0) {
    io.stdout(`${printable(path)}: the array holds no configs\n`);
    return 1;
  }
  const kasm = values.kasm === true;
  const firstIndexOfKey = new Map<string, number>();
  const reports: ConfigReport[] = file.inputs.map((input, index) => {
    const result = parseConfigInput(input, kasm);
    const key = result.ok ? result.config.key : rawKeyOf(input);
    const issues: CastConfigIssue[] = result.ok ? [] : [...result.issues];
    const warnings = result.warnings.map((warning) => `${formatIssuePath(warning.path)}: ${warning.message}  (${warning.code})`);
    if (key !== undefined) {
      const earlier = firstIndexOfKey.get(key);
      if (earlier === undefined) firstIndexOfKey.set(key, index);
      else issues.push({ path: ['key'], code: 'duplicate_value', message: `repeats the key of config [${earlier}]: keys must be unique` });
    }
    if (result.ok && result.config.allowAnonymous && result.config.key.length < minAnonymousKeyLength) {
      warnings.push(`key: an anonymous link's key is a bearer secret; use at least ${minAnonymousKeyLength} random characters`);
    }
    return { index, key, issues, warnings };
  });

  const failed = reports.filter((report) => report.issues.length > 0);
  const problemCount = failed.reduce((sum, report) => sum + report.issues.length, 0);
  const lines: string[] = [];
  const noun = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (failed.length === 0) {
    lines.push(`${printable(path)}: OK (${noun(reports.length, kasm ? 'Kasm config' : 'config')})`);
  } else {
    const where = file.isArray ? ` in ${failed.length} of ${noun(reports.length, 'config')}` : '';
    lines.push(`${printable(path)}: ${noun(problemCount, 'problem')}${where}`);
  }
  if (!kasm && failed.some((report) => looksLikeKasm(file.inputs[report.index]))) {
    lines.push(`  hint: this looks like Kasm's own format (casting_config_name, image_id, ...): run castgate validate --kasm ${printable(path)}`);
  }
  for (const report of reports) {
    if (report.issues.length === 0 && report.warnings.length === 0) continue;
    lines.push(label(report, file.isArray));
    lines.push(...report.issues.map(issueLine));
    lines.push(...report.warnings.map((warning) => `    ! warning: ${printable(warning)}`));
  }
  io.stdout(`${lines.join('\n')}\n`);
  return failed.length === 0 ? 0 : 1;
}

function usage(io: CliIo, message: string): 2 {
  return usageError(io, 'castgate validate', message, validateHelp);
}
