import {
  fromKasmCastConfig,
  isCastConfigError,
  safeParseCastConfig,
  type CastConfig,
  type CastConfigIssue,
  type KasmImportWarning,
} from 'castgate';
import { readJsonFile } from './json-file.js';

/**
 * A config file as read from disk: the raw config values it holds (one, or the items of an
 * array), or why it could not be used. `exitCode` is 2 when the file cannot be read and 1 when it
 * is not valid JSON.
 */
export type ConfigFile =
  | { readonly ok: true; readonly inputs: readonly unknown[]; readonly isArray: boolean }
  | { readonly ok: false; readonly exitCode: 1 | 2; readonly message: string };

/**
 * Reads a JSON file holding one config or an array of configs. Never rejects: a missing or
 * unreadable file, and text that is not JSON, come back as `{ ok: false }`.
 */
export async function readConfigFile(path: string): Promise<ConfigFile> {
  const file = await readJsonFile(path);
  if (!file.ok) return { ok: false, exitCode: file.problem === 'unreadable' ? 2 : 1, message: file.message };
  const parsed = file.json;
  return Array.isArray(parsed) ? { ok: true, inputs: parsed, isArray: true } : { ok: true, inputs: [parsed], isArray: false };
}

/**
 * One config parsed in castgate's camelCase form, or with `kasm` in Kasm's snake_case form.
 */
export type ParsedConfig =
  | { readonly ok: true; readonly config: CastConfig; readonly warnings: readonly KasmImportWarning[] }
  | { readonly ok: false; readonly issues: readonly CastConfigIssue[]; readonly warnings: readonly KasmImportWarning[] };

/**
 * Parses one raw config with `safeParseCastConfig`, or `fromKasmCastConfig` when `kasm` is set
 * (then with the import's warnings); answers every issue instead of throwing (it rethrows only
 * what is not a `CastConfigError`).
 */
export function parseConfigInput(input: unknown, kasm: boolean): ParsedConfig {
  if (!kasm) {
    const result = safeParseCastConfig(input);
    return result.success ? { ok: true, config: result.config, warnings: [] } : { ok: false, issues: result.error.issues, warnings: [] };
  }
  const warnings: KasmImportWarning[] = [];
  try {
    return { ok: true, config: fromKasmCastConfig(input, { onWarning: (warning) => warnings.push(warning) }), warnings };
  } catch (error) {
    if (isCastConfigError(error)) return { ok: false, issues: error.issues, warnings };
    throw error;
  }
}

/** Fields only Kasm's format has: a config with one of them was written with Kasm's names. */
const kasmOnlyFields = ['casting_config_name', 'image_id', 'remote_app_configs', 'limit_sessions', 'session_remaining', 'limit_ips', 'allowed_referrers'];

/**
 * Whether a raw config uses Kasm's own field names (`casting_config_name`, `image_id`, …), so that
 * `castgate validate` without `--kasm` can suggest it.
 */
export function looksLikeKasm(input: unknown): boolean {
  return typeof input === 'object' && input !== null && kasmOnlyFields.some((field) => Object.hasOwn(input, field));
}

/**
 * The `key` a raw config claims (the same field name in both formats), when it is a plain key.
 */
export function rawKeyOf(input: unknown): string | undefined {
  if (typeof input !== 'object' || input === null || !Object.hasOwn(input, 'key')) return undefined;
  const key: unknown = (input as { key?: unknown }).key;
  return typeof key === 'string' && /^[A-Za-z0-9_-]{1,128}$/u.test(key) ? key : undefined;
}
