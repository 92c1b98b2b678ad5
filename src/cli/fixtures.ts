import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { castErrorCodes, type CastConfig, type CastErrorCode, type CastRequest } from 'castgate';
import { z } from 'zod';
import { parseConfigInput, readConfigFile } from './config-file.js';
import { formatIssuePath } from './format.js';

/**
 * What one fixture case expects: an allowed decision, or a denial with this code.
 *
 * @example
 * ```ts
 * const expectation: FixtureExpectation = { code: 'rate_limited' };
 * ```
 */
export type FixtureExpectation = { readonly allowed: true } | { readonly code: CastErrorCode };

/**
 * One case of a fixtures file, ready to run: its config (parsed), the request, how often to send
 * it and what the last answer must be.
 *
 * @example
 * ```ts
 * const describe = (c: FixtureCase) => `${c.name}: ${c.repeat} × ${c.request.ip}`;
 * ```
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
 *
 * @example
 * ```ts
 * const loaded = await loadFixtures('casts.test.json');
 * if (loaded.ok) console.log(loaded.fixtures.cases.length);
 * ```
 */
export interface Fixtures {
  readonly cases: readonly FixtureCase[];
  readonly captchaPass: readonly string[];
}

const isoInstant = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/u;

const queryValue = z.union([z.string(), z.array(z.string())]);
const requestSchema = z.strictObject({
  ip: z.string(),
  referrer: z.string().nullable().optional(),
  query: z.union([z.string(), z.record(z.string(), queryValue)]).optional(),
  user: z.union([z.string().min(1), z.strictObject({ id: z.string().min(1) }), z.null()]).optional(),
  now: z
    .string()
    .refine((text) => isoInstant.test(text) && !Number.isNaN(Date.parse(text)), 'must be an ISO 8601 date or date and time with an offset')
    .optional(),
  captchaToken: z.string().nullable().optional(),
});
const expectSchema = z.union([
  z.strictObject({ allowed: z.literal(true) }),
  z.strictObject({ code: z.enum(castErrorCodes) }),
]);
const caseSchema = z.strictObject({
  name: z.string().min(1),
  config: z.string().min(1),
  request: requestSchema,
  repeat: z.int().min(1).max(100_000).optional(),
  expect: expectSchema,
});
const configRefSchema = z.strictObject({ file: z.string().min(1), kasm: z.boolean().optional() });
const fixturesSchema = z.strictObject({
  configs: z.record(z.string(), z.unknown()),
  captcha: z.strictObject({ pass: z.array(z.string()) }).optional(),
  cases: z.array(caseSchema).min(1),
});

/** Whether an entry of `configs` points at a file rather than holding the config itself. */
function isFileReference(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.hasOwn(value, 'file');
}

type Loaded<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

async function loadConfig(name: string, entry: unknown, folder: string): Promise<Loaded<CastConfig>> {
  let input: unknown = entry;
  let kasm = false;
  let where = `configs.${name}`;
  if (isFileReference(entry)) {
    const ref = configRefSchema.safeParse(entry);
    if (!ref.success) return { ok: false, message: `${where}: a file reference is { "file": "<path>", "kasm"?: true }` };
    const path = resolve(folder, ref.data.file);
    const file = await readConfigFile(path);
    if (!file.ok) return { ok: false, message: `${where}: ${file.message}` };
    if (file.inputs.length !== 1) return { ok: false, message: `${where}: ${ref.data.file} holds ${file.inputs.length} configs; a fixture names one` };
    input = file.inputs[0];
    kasm = ref.data.kasm === true;
    where = `${where} (${ref.data.file})`;
  }
  const parsed = parseConfigInput(input, kasm);
  if (parsed.ok) return { ok: true, value: parsed.config };
  const problems = parsed.issues.map((issue) => `  ✖ ${formatIssuePath(issue.path)}: ${issue.message}  (${issue.code})`).join('\n');
  return { ok: false, message: `${where} is not a valid config:\n${problems}` };
}

function requestOf(raw: z.infer<typeof requestSchema>): CastRequest {
  const { ip, referrer, query, user, now, captchaToken } = raw;
  return {
    ip,
    ...(referrer === undefined ? {} : { referrer }),
    ...(query === undefined ? {} : { query: typeof query === 'string' ? new URLSearchParams(query.startsWith('?') ? query.slice(1) : query) : query }),
    ...(user === undefined || user === null ? {} : { user: typeof user === 'string' ? { id: user } : user }),
    ...(now === undefined ? {} : { now: new Date(now) }),
    ...(captchaToken === undefined ? {} : { captchaToken }),
  };
}

function formatZodPath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(root)' : formatIssuePath(path.map((part) => (typeof part === 'number' ? part : String(part))));
}

/**
 * Reads a fixtures file (SPEC §12): checks its shape, loads every config it names (a relative
 * `file` is read from the fixtures file's folder) and builds the requests. Never rejects: a file
 * that cannot be used comes back as `{ ok: false, message }` (the CLI's exit code 2).
 *
 * @example
 * ```ts
 * const loaded = await loadFixtures('links.test.json');
 * if (!loaded.ok) console.error(loaded.message);
 * ```
 */
export async function loadFixtures(path: string): Promise<{ readonly ok: true; readonly fixtures: Fixtures } | { readonly ok: false; readonly message: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : typeof code === 'string' ? code : 'unreadable';
    return { ok: false, message: `cannot read ${JSON.stringify(path)}: ${reason}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/u, ''));
  } catch (error) {
    return { ok: false, message: `${path}: not valid JSON (${error instanceof Error ? error.message : 'parse error'})` };
  }
  const shape = fixturesSchema.safeParse(json);
  if (!shape.success) {
    const problems = shape.error.issues.map((issue) => `  ✖ ${formatZodPath(issue.path)}: ${issue.message}`).join('\n');
    return { ok: false, message: `${path} is not a fixtures file:\n${problems}` };
  }
  const folder = dirname(resolve(path));
  const configs = new Map<string, CastConfig>();
  for (const [name, entry] of Object.entries(shape.data.configs)) {
    const loaded = await loadConfig(name, entry, folder);
    if (!loaded.ok) return loaded;
    configs.set(name, loaded.value);
  }
  const cases: FixtureCase[] = [];
  for (const [index, raw] of shape.data.cases.entries()) {
    const config = configs.get(raw.config);
    if (config === undefined) {
      const known = [...configs.keys()].join(', ');
      return { ok: false, message: `cases[${index}] (${raw.name}): unknown config ${JSON.stringify(raw.config)} (configs: ${known === '' ? 'none' : known})` };
    }
    const expectation: FixtureExpectation = 'code' in raw.expect ? { code: raw.expect.code } : { allowed: true };
    cases.push({ name: raw.name, configName: raw.config, config, request: requestOf(raw.request), repeat: raw.repeat ?? 1, expect: expectation });
  }
  return { ok: true, fixtures: { cases, captchaPass: shape.data.captcha?.pass ?? [] } };
}
