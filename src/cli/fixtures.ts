// Loading a `castgate test` fixtures file: reading it, checking its shape (fixtures-schema.ts),
// loading the configs it holds or names (a relative `file` is read from the fixtures file's folder)
// and tying each case to its config. Running the cases is test.ts's concern.
import { dirname, resolve } from 'node:path';
import type { CastConfig, CastRequest } from 'castgate';
import { parseConfigInput, readConfigFile } from './config-file.js';
import { configReferenceSchema, describeFixturesError, fixturesSchema, toCastRequest, toExpectation, type FixtureExpectation } from './fixtures-schema.js';
import { formatIssuePath } from './format.js';
import { readJsonFile } from './json-file.js';

/**
 * One case of a fixtures file, ready to run: its config (parsed), the request, how often to send
 * it and what the last answer must be.
 */
export interface FixtureCase {
  readonly name: string;
  readonly configName: string;
  readonly config: CastConfig;
  readonly request: CastRequest;
  readonly repeat: number;
  readonly expect: FixtureExpectation;
}

/**
 * A fixtures file, checked and loaded: its cases in order and the captcha tokens that pass.
 */
export interface Fixtures {
  readonly cases: readonly FixtureCase[];
  readonly captchaPass: readonly string[];
}

/** A fixtures file loaded, or the one reason it cannot be used (the CLI's exit code 2); `problems` lists each problem on a line of its own. */
export type LoadedFixtures = { readonly ok: true; readonly fixtures: Fixtures } | { readonly ok: false; readonly problems: readonly string[] };

type Loaded<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problems: readonly string[] };

const fail = (...problems: string[]): { readonly ok: false; readonly problems: readonly string[] } => ({ ok: false, problems });

/** Whether an entry of `configs` points at a file rather than holding the config itself. */
function isFileReference(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.hasOwn(value, 'file');
}

/** `configs.web`, or `configs["my link"]` for a name that is not an identifier. */
function configPath(name: string): string {
  return formatIssuePath(['configs', name]);
}

async function loadConfig(name: string, entry: unknown, folder: string, fixturesPath: string): Promise<Loaded<CastConfig>> {
  const where = configPath(name);
  if (!isFileReference(entry)) {
    const parsed = parseConfigInput(entry, false);
    if (parsed.ok) return { ok: true, value: parsed.config };
    return fail(...parsed.issues.map((issue) => `${fixturesPath}: ${formatIssuePath(['configs', name, ...issue.path])}: ${issue.message} (${issue.code})`));
  }
  const reference = configReferenceSchema.safeParse(entry);
  if (!reference.success) return fail(`${fixturesPath}: ${where}: a config file is named as { "file": "<path>", "kasm"?: true }`);
  const { file, kasm = false } = reference.data;
  const path = resolve(folder, file);
  const read = await readConfigFile(path);
  if (!read.ok) return fail(`${fixturesPath}: ${where}: ${read.message}`);
  if (read.inputs.length !== 1) return fail(`${fixturesPath}: ${where}: ${path} holds ${read.inputs.length} configs; a fixture names a file with one`);
  const parsed = parseConfigInput(read.inputs[0], kasm);
  if (parsed.ok) return { ok: true, value: parsed.config };
  const hint = kasm ? '' : ' (add "kasm": true if it uses Kasm\'s field names)';
  return fail(...parsed.issues.map((issue) => `${path}: ${formatIssuePath(issue.path)}: ${issue.message} (${issue.code})${hint}`));
}

/**
 * Reads a fixtures file (SPEC §12): checks its shape, loads every config it holds or names and
 * builds each case's request. Never rejects for what the file holds: a file that cannot be used
 * comes back as `{ ok: false, problems }`, each problem one line that names the file and the path.
 */
export async function loadFixtures(path: string): Promise<LoadedFixtures> {
  const file = await readJsonFile(path);
  if (!file.ok) return fail(file.message);
  const json = file.json;
  const shape = fixturesSchema.safeParse(json);
  if (!shape.success) return fail(...describeFixturesError(shape.error).map((problem) => `${path}: ${problem}`));

  // The raw entries, not zod's record: zod drops an own "__proto__" key, which JSON.parse keeps.
  const entries = Object.entries((json as { configs: Record<string, unknown> }).configs);
  const folder = dirname(resolve(path));
  const configs = new Map<string, CastConfig>();
  for (const [name, entry] of entries) {
    const loaded = await loadConfig(name, entry, folder, path);
    if (!loaded.ok) return loaded;
    configs.set(name, loaded.value);
  }
  const cases: FixtureCase[] = [];
  for (const [index, raw] of shape.data.cases.entries()) {
    const config = configs.get(raw.config);
    if (config === undefined) {
      const known = [...configs.keys()].map((name) => JSON.stringify(name)).join(', ');
      return fail(`${path}: cases[${index}].config: unknown config ${JSON.stringify(raw.config)} (the configs are ${known === '' ? 'none' : known})`);
    }
    cases.push({ name: raw.name, configName: raw.config, config, request: toCastRequest(raw.request), repeat: raw.repeat ?? 1, expect: toExpectation(raw.expect) });
  }
  return { ok: true, fixtures: { cases, captchaPass: shape.data.captcha?.pass ?? [] } };
}
