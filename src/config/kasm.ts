/*
 * Kasm (1.15) casting config fields → castgate CastConfig (SPEC §8). Every name is mapped
 * explicitly; there is no generic snake_case → camelCase renaming (which could mint `__proto__`).
 * In every optional field `null` or `""` means unset.
 *
 * | Kasm field                    | castgate field                      | notes                                              |
 * | ----------------------------- | ----------------------------------- | -------------------------------------------------- |
 * | `casting_config_name`         | `name`                              | required                                           |
 * | `key`                         | `key`                               | required                                           |
 * | `image_id`                    | `imageId`                           | required                                           |
 * | `launcher_background_url`     | `launcherBackgroundUrl`             |                                                    |
 * | `allow_resume`                | `allowResume`                       | default true, as in Kasm                           |
 * | `allow_anonymous`             | `allowAnonymous`                    |                                                    |
 * | `require_recaptcha`           | `requireCaptcha`                    |                                                    |
 * | `group_id`                    | `anonymousGroupId`                  |                                                    |
 * | `limit_sessions`              | (switch)                            | `sessionsRemaining` is set only when this is true  |
 * | `session_remaining`           | `sessionsRemaining`                 | required when `limit_sessions` is true; negative   |
 * |                               |                                     | imports as 0 (warning `negative_session_remaining`) |
 * | `limit_ips`                   | (switch)                            | `ipRateLimit` only when this is true and both      |
 * | `ip_request_limit`            | `ipRateLimit.sessions`              | numbers below are set and non-zero; above 10,000   |
 * |                               |                                     | imports as 10,000 (`ip_request_limit_capped`)      |
 * | `ip_request_seconds`          | `ipRateLimit.withinSeconds`         | at most 365 days (a shorter window would loosen it) |
 * | `kasm_url`                    | `kasmUrl`                           |                                                    |
 * | `dynamic_kasm_url`            | `dynamicKasmUrl`                    |                                                    |
 * | `dynamic_docker_network`      | `dynamicDockerNetwork`              |                                                    |
 * | `error_url`                   | `errorUrl`                          |                                                    |
 * | `disable_control_panel`       | `disableControlPanel`               |                                                    |
 * | `disable_tips`                | `disableTips`                       |                                                    |
 * | `enable_sharing`              | `enableSharing`                     |                                                    |
 * | `disable_fixed_res`           | `disableFixedResolution`            |                                                    |
 * | `allowed_referrers`           | `allowedReferrers`                  | a list, or one string with one domain per line:    |
 * |                               |                                     | trimmed, lower-cased, blanks and duplicates dropped |
 * | `enforce_client_settings`     | `enforceClientSettings`             |                                                    |
 * | `allow_kasm_audio`            | `clientSettings.allowAudio`         |                                                    |
 * | `kasm_audio_default_on`       | `clientSettings.audioDefaultOn`     |                                                    |
 * | `allow_kasm_downloads`        | `clientSettings.allowDownloads`     |                                                    |
 * | `allow_kasm_clipboard_down`   | `clientSettings.allowClipboardDown` |                                                    |
 * | `allow_kasm_clipboard_up`     | `clientSettings.allowClipboardUp`   |                                                    |
 * | `allow_kasm_microphone`       | `clientSettings.allowMicrophone`    |                                                    |
 * | `allow_kasm_uploads`          | `clientSettings.allowUploads`       |                                                    |
 * | `allow_kasm_gamepad`          | `clientSettings.allowGamepad`       | singular, as Kasm spells it                        |
 * | `allow_kasm_sharing`          | `clientSettings.allowSharing`       |                                                    |
 * | `kasm_ime_mode_default_on`    | `clientSettings.imeModeDefaultOn`   |                                                    |
 * | `allow_kasm_webcam`           | `clientSettings.allowWebcam`        | undocumented in Kasm's guide                       |
 * | `allow_kasm_printing`         | `clientSettings.allowPrinting`      | undocumented in Kasm's guide                       |
 * | `remote_app_configs`          | `remoteApp`                         | an object or a JSON string of one; `{}` = none     |
 * |   `.remote_app_name`          | `remoteApp.remoteAppName`           |                                                    |
 * |   `.args[].url_param_name`    | `remoteApp.args[].urlParamName`     |                                                    |
 * |   `.args[].required`          | `remoteApp.args[].required`         |                                                    |
 * |   `.args[].argument_name`     | `remoteApp.args[].argumentName`     | with white space: one argument per word, the last  |
 * |                               |                                     | keeping the value (`split_argument_name`)          |
 * |   `.args[].argument_value`    | `remoteApp.args[].argumentValue`    | or `.value` (one of the two, not both)             |
 * |   `.args[].value_pattern`     | `remoteApp.args[].valuePattern`     | compiled on RE2, must match the whole value (not   |
 * |                               |                                     | anchored ^…$: warning `substring_pattern`)         |
 * | `valid_until`                 | `validUntil`                        | `YYYY-MM-DD HH:MM:SS[.ffffff]` read as UTC, an ISO |
 * |                               |                                     | 8601 instant with an offset, or null               |
 * | `cast_config_id`, `image_friendly_name`, `group_name` | (ignored)   | read-only fields of Kasm's exports                 |
 * | (none)                        | `allowMissingReferrer: true`        | Kasm lets a request without a Referer through      |
 *
 * Any other field is an error naming it. Errors and warnings carry Kasm's field path
 * (`['remote_app_configs', 'args', 0, 'value_pattern']`).
 */
import type { ClientSettingName } from '../contract/launch-plan.js';
import { parseIsoInstant } from '../net/iso-time.js';
import { CastConfigError, type CastConfigIssue } from './errors.js';
import { checkCastConfigSnapshot, type ParseCastConfigOptions } from './parse.js';
import { configInputLimits, snapshotInput } from './prepass.js';
import { maxRateLimitSessions, maxWithinSeconds, normalizeDomainEntry, type CastConfig, type CastConfigInput } from './schema.js';
import { unknownKeyIssues } from './unknown-keys.js';

type PathKey = string | number;
type Fields = Record<string, unknown>;

/**
 * The codes of a {@link KasmImportWarning}: where castgate imports a Kasm config but serves it
 * differently from Kasm, on purpose.
 * - `negative_session_remaining`: Kasm can oversell and store a negative count; it imports as 0.
 * - `substring_pattern`: a `value_pattern` not anchored with `^…$`; Kasm's `re.search` matched it
 *   anywhere in the value, castgate matches it against the whole value.
 * - `split_argument_name`: an `argument_name` with white space, which Kasm passed on raw (so it was
 *   several arguments); it imports as one static argument per word, the last keeping the value.
 * - `ip_request_limit_capped`: an `ip_request_limit` above castgate's 10,000 imports as 10,000.
 *
 * @example
 * ```ts
 * import { kasmImportWarningCodes } from 'castgate';
 * kasmImportWarningCodes.includes('substring_pattern'); // true
 * ```
 */
export const kasmImportWarningCodes = [
  'negative_session_remaining',
  'substring_pattern',
  'split_argument_name',
  'ip_request_limit_capped',
] as const;

/**
 * One of {@link kasmImportWarningCodes}.
 *
 * @example
 * ```ts
 * import type { KasmImportWarningCode } from 'castgate';
 * const code: KasmImportWarningCode = 'split_argument_name';
 * ```
 */
export type KasmImportWarningCode = (typeof kasmImportWarningCodes)[number];

/**
 * What `fromKasmCastConfig` tells `onWarning` when it imports a field that castgate serves
 * differently from Kasm: the Kasm field path, a stable code and a sentence for the admin.
 *
 * @example
 * ```ts
 * import type { KasmImportWarning } from 'castgate';
 * const warning: KasmImportWarning = { path: ['session_remaining'], code: 'negative_session_remaining', message: 'is -3 …' };
 * ```
 */
export interface KasmImportWarning {
  readonly path: readonly PathKey[];
  readonly code: KasmImportWarningCode;
  readonly message: string;
}

/**
 * Options of {@link fromKasmCastConfig}: those of `parseCastConfig` (`regex`) and `onWarning`,
 * called once per {@link KasmImportWarning}, in field order, before the function returns or throws.
 *
 * @example
 * ```ts
 * import type { FromKasmCastConfigOptions } from 'castgate';
 * const options: FromKasmCastConfigOptions = { onWarning: (w) => console.warn(w.path.join('.'), w.code, w.message) };
 * ```
 */
export interface FromKasmCastConfigOptions extends ParseCastConfigOptions {
  readonly onWarning?: ((warning: KasmImportWarning) => void) | undefined;
}

/** Kasm fields that map one to one onto a top-level castgate field. */
const directFields = [
  ['casting_config_name', 'name'],
  ['key', 'key'],
  ['image_id', 'imageId'],
  ['launcher_background_url', 'launcherBackgroundUrl'],
  ['allow_resume', 'allowResume'],
  ['allow_anonymous', 'allowAnonymous'],
  ['require_recaptcha', 'requireCaptcha'],
  ['group_id', 'anonymousGroupId'],
  ['kasm_url', 'kasmUrl'],
  ['dynamic_kasm_url', 'dynamicKasmUrl'],
  ['dynamic_docker_network', 'dynamicDockerNetwork'],
  ['error_url', 'errorUrl'],
  ['disable_control_panel', 'disableControlPanel'],
  ['disable_tips', 'disableTips'],
  ['enable_sharing', 'enableSharing'],
  ['disable_fixed_res', 'disableFixedResolution'],
  ['enforce_client_settings', 'enforceClientSettings'],
] as const satisfies readonly (readonly [string, keyof CastConfigInput])[];

/** Kasm's client-setting fields, by castgate's client-setting name. */
const clientSettingFields = {
  allowAudio: 'allow_kasm_audio',
  audioDefaultOn: 'kasm_audio_default_on',
  allowDownloads: 'allow_kasm_downloads',
  allowClipboardDown: 'allow_kasm_clipboard_down',
  allowClipboardUp: 'allow_kasm_clipboard_up',
  allowMicrophone: 'allow_kasm_microphone',
  allowUploads: 'allow_kasm_uploads',
  allowGamepad: 'allow_kasm_gamepad',
  allowSharing: 'allow_kasm_sharing',
  imeModeDefaultOn: 'kasm_ime_mode_default_on',
  allowWebcam: 'allow_kasm_webcam',
  allowPrinting: 'allow_kasm_printing',
} as const satisfies Record<ClientSettingName, string>;

const clientSettingEntries = Object.entries(clientSettingFields) as [ClientSettingName, string][];

/** Kasm fields read by hand below. */
const otherFields = [
  'allowed_referrers',
  'limit_sessions',
  'session_remaining',
  'limit_ips',
  'ip_request_limit',
  'ip_request_seconds',
  'remote_app_configs',
  'valid_until',
] as const;

/** Read-only fields Kasm adds to its exports: accepted and ignored. */
const ignoredFields = ['cast_config_id', 'image_friendly_name', 'group_name'] as const;

const knownFields: readonly string[] = [
  ...directFields.map(([kasm]) => kasm),
  ...Object.values(clientSettingFields),
  ...otherFields,
  ...ignoredFields,
];

const remoteAppFields = ['remote_app_name', 'args'] as const;

/** Kasm's remote-app argument fields, by castgate's name (`argumentValue` is read from either). */
const argFields = [
  ['url_param_name', 'urlParamName'],
  ['required', 'required'],
  ['argument_name', 'argumentName'],
  ['argument_value', 'argumentValue'],
  ['value', 'argumentValue'],
  ['value_pattern', 'valuePattern'],
] as const;

const argFieldNames: readonly string[] = argFields.map(([kasm]) => kasm);

const kasmTimestamp = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?)$/u;

/** How castgate paths map back to the Kasm fields they came from. */
interface Origins {
  /** Original index of each kept referrer, or `'lines'` when they came from one string. */
  referrers: number[] | 'lines';
  /** Which Kasm field gave each Kasm argument (by its Kasm index) its static value. */
  readonly argValueField: Map<number, 'argument_value' | 'value'>;
  /** The Kasm index of each castgate argument (a split `argument_name` gives several). */
  readonly argIndex: number[];
  /** The castgate arguments that are a word of a split `argument_name` other than the last. */
  readonly splitWords: Set<number>;
}

/** What the import collects on its way: errors, and warnings for what it imports differently. */
interface Findings {
  readonly issues: CastConfigIssue[];
  readonly warnings: KasmImportWarning[];
}

function isUnset(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function unknownKeys(path: readonly PathKey[], keys: readonly string[], known: readonly string[]): CastConfigIssue[] {
  return unknownKeyIssues(path, keys, known, 'a Kasm casting config field');
}

const maxShownPattern = 200;

/** Anchored as Kasm's `re.search` would need to match the whole value: `^` first and an unescaped `$` last. */
function isWholeMatchPattern(pattern: string): boolean {
  if (!pattern.startsWith('^') || !pattern.endsWith('$')) return false;
  let backslashes = 0;
  while (pattern[pattern.length - 2 - backslashes] === '\\') backslashes++;
  return backslashes % 2 === 0 && pattern.length >= 2;
}

/** A Kasm on/off switch: unset is off; anything but a boolean is an issue (answered `undefined`). */
function readSwitch(fields: Fields, name: string, issues: CastConfigIssue[]): boolean | undefined {
  const value = fields[name];
  if (isUnset(value)) return false;
  if (typeof value === 'boolean') return value;
  issues.push({ path: [name], code: 'invalid_type', message: 'must be true or false' });
  return undefined;
}

function readReferrers(raw: unknown, origins: Origins, issues: CastConfigIssue[]): string[] | undefined {
  const path = ['allowed_referrers'];
  let entries: unknown[];
  if (typeof raw === 'string') {
    entries = raw.split(/\r\n|\r|\n/u);
    origins.referrers = 'lines';
    if (entries.length > configInputLimits.maxArrayLength) {
      issues.push({ path, code: 'too_big', message: `must list at most ${configInputLimits.maxArrayLength} domains` });
      return undefined;
    }
  } else if (Array.isArray(raw)) {
    entries = raw;
  } else {
    issues.push({ path, code: 'invalid_type', message: 'must be a list of domains, or one string with one domain per line' });
    return undefined;
  }
  const kept: string[] = [];
  const indexes: number[] = [];
  entries.forEach((entry, index) => {
    const at = origins.referrers === 'lines' ? path : [...path, index];
    const where = origins.referrers === 'lines' ? `line ${index + 1}: ` : '';
    if (typeof entry !== 'string') {
      issues.push({ path: at, code: 'invalid_type', message: 'must be a string' });
      return;
    }
    if (entry.trim() === '') return;
    const normalized = normalizeDomainEntry(entry);
    if (typeof normalized !== 'string') {
      issues.push({ path: at, code: 'invalid_value', message: `${where}${normalized.error}` });
    } else if (!kept.includes(normalized)) {
      kept.push(normalized);
      indexes.push(index);
    }
  });
  if (origins.referrers !== 'lines') origins.referrers = indexes;
  return kept;
}

/**
 * One Kasm argument as castgate arguments: usually one; an `argument_name` with white space (which
 * Kasm passed on raw, so the program saw several arguments) gives one static argument per word,
 * the last keeping the value or URL parameter.
 */
function readArg(arg: Fields, index: number, origins: Origins, findings: Findings): Fields[] {
  const at = ['remote_app_configs', 'args', index];
  const out: Fields = {};
  const unknown: string[] = [];
  for (const key of Object.keys(arg)) {
    const match = argFields.find(([kasm]) => kasm === key);
    if (match === undefined) {
      unknown.push(key);
      continue;
    }
    const value = arg[key];
    if (isUnset(value)) continue;
    const [kasm, camel] = match;
    if (kasm === 'argument_value' || kasm === 'value') {
      if (origins.argValueField.has(index)) {
        findings.issues.push({ path: [...at, kasm], code: 'invalid_value', message: 'argument_value and value both set the static value: keep one' });
        continue;
      }
      origins.argValueField.set(index, kasm);
    }
    out[camel] = value;
  }
  findings.issues.push(...unknownKeys(at, unknown, argFieldNames));

  const pattern = out.valuePattern;
  if (typeof pattern === 'string' && !isWholeMatchPattern(pattern)) {
    const shown = pattern.length > maxShownPattern ? `${pattern.slice(0, maxShownPattern)}…` : pattern;
    findings.warnings.push({
      path: [...at, 'value_pattern'],
      code: 'substring_pattern',
      message: `${JSON.stringify(shown)} is not anchored with ^…$: Kasm found it anywhere in the value (re.search), castgate matches it against the whole value`,
    });
  }

  const name = out.argumentName;
  if (typeof name !== 'string' || !/\s/u.test(name)) return [out];
  const words = name.split(/\s+/u).filter((word) => word !== '');
  const optional = out.urlParamName !== undefined && out.required !== true && out.argumentValue === undefined;
  findings.warnings.push({
    path: [...at, 'argument_name'],
    code: 'split_argument_name',
    message:
      `has white space, so Kasm passed it as ${words.length} ${words.length === 1 ? 'argument' : 'arguments'}; castgate, which quotes each argument, ` +
      `imports one argument per word, the last keeping the value` +
      (optional && words.length > 1 ? ' (the words before it are sent even when the optional URL parameter is absent)' : ''),
  });
  const last: Fields = { ...out };
  if (words.length === 0) delete last.argumentName;
  else last.argumentName = words[words.length - 1];
  return [...words.slice(0, -1).map((word): Fields => ({ argumentName: word })), last];
}

function readRemoteApp(raw: unknown, origins: Origins, findings: Findings): Fields | undefined {
  const { issues } = findings;
  const path = ['remote_app_configs'];
  let value = raw;
  if (typeof raw === 'string') {
    if (raw.trim() === '') return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw) as unknown;
    } catch {
      issues.push({ path, code: 'invalid_value', message: 'is not valid JSON' });
      return undefined;
    }
    // The string hid its contents from the first pass: check them the same way.
    const snapshot = snapshotInput(parsed, { basePath: path, baseDepth: 1 });
    if (!snapshot.ok) {
      issues.push(...snapshot.issues);
      return undefined;
    }
    value = snapshot.value;
  }
  if (!isFields(value)) {
    issues.push({ path, code: 'invalid_type', message: 'must be an object, or a JSON string of one' });
    return undefined;
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return undefined;
  const app: Fields = {};
  const unknown: string[] = [];
  for (const key of keys) {
    const item = value[key];
    if (key === 'remote_app_name') {
      if (!isUnset(item)) app.remoteAppName = item;
    } else if (key === 'args') {
      if (!isUnset(item)) app.args = Array.isArray(item) ? readArgs(item, origins, findings) : item;
    } else {
      unknown.push(key);
    }
  }
  issues.push(...unknownKeys(path, unknown, remoteAppFields));
  return app;
}

function readArgs(items: readonly unknown[], origins: Origins, findings: Findings): unknown[] {
  const args: unknown[] = [];
  items.forEach((item, index) => {
    const pieces = isFields(item) ? readArg(item, index, origins, findings) : [item];
    pieces.forEach((piece, word) => {
      if (word < pieces.length - 1) origins.splitWords.add(args.length);
      origins.argIndex.push(index);
      args.push(piece);
    });
  });
  return args;
}

function readValidUntil(raw: unknown, issues: CastConfigIssue[]): unknown {
  if (typeof raw !== 'string') return raw;
  const naive = kasmTimestamp.exec(raw);
  if (naive) return `${naive[1] ?? ''}T${naive[2] ?? ''}Z`;
  // An instant with an offset goes on to the schema, which reads it (and says what is wrong with its fields).
  const instant = parseIsoInstant(raw);
  if (typeof instant === 'number' || instant === 'not_a_real_time') return raw;
  issues.push({
    path: ['valid_until'],
    code: 'invalid_date',
    message: 'must be YYYY-MM-DD HH:MM:SS (read as UTC), an ISO 8601 instant with an offset, or null',
  });
  return undefined;
}

/** Maps a castgate path back to the Kasm field path it came from. */
function kasmPath(path: readonly PathKey[], origins: Origins): PathKey[] {
  const [head, ...rest] = path;
  const direct = directFields.find(([, camel]) => camel === head);
  if (direct !== undefined) return [direct[0], ...rest];
  switch (head) {
    case 'allowedReferrers': {
      const index = rest[0];
      if (origins.referrers === 'lines' || typeof index !== 'number') return ['allowed_referrers'];
      return ['allowed_referrers', origins.referrers[index] ?? index];
    }
    case 'sessionsRemaining':
      return ['session_remaining'];
    case 'ipRateLimit':
      return [rest[0] === 'sessions' ? 'ip_request_limit' : rest[0] === 'withinSeconds' ? 'ip_request_seconds' : 'limit_ips'];
    case 'clientSettings': {
      const field = clientSettingEntries.find(([camel]) => camel === rest[0]);
      return field === undefined ? ['enforce_client_settings'] : [field[1]];
    }
    case 'validUntil':
      return ['valid_until'];
    case 'remoteApp': {
      const [part, index, field] = rest;
      if (part === 'remoteAppName') return ['remote_app_configs', 'remote_app_name'];
      if (part !== 'args') return ['remote_app_configs'];
      if (typeof index !== 'number') return ['remote_app_configs', 'args', ...rest.slice(1)];
      const kasmIndex = origins.argIndex[index] ?? index;
      if (field === undefined) return ['remote_app_configs', 'args', kasmIndex];
      // A word of a split argument_name holds nothing else: whatever is wrong is that name.
      if (origins.splitWords.has(index)) return ['remote_app_configs', 'args', kasmIndex, 'argument_name'];
      const name =
        field === 'argumentValue'
          ? (origins.argValueField.get(kasmIndex) ?? 'argument_value')
          : (argFields.find(([, camel]) => camel === field)?.[0] ?? field);
      return ['remote_app_configs', 'args', kasmIndex, name];
    }
    case undefined:
    default:
      return [...path];
  }
}

/**
 * Imports a casting config written with Kasm's own snake_case field names (as Kasm's admin API
 * and exports use them, SPEC §8) and answers the same frozen, registered `CastConfig` that
 * `parseCastConfig` gives for the equivalent camelCase input, with `allowMissingReferrer: true`
 * (Kasm lets a request without a Referer through). Naive `valid_until` timestamps are read as UTC;
 * `remote_app_configs` may be a JSON string; duplicate referrers are dropped as Kasm does. It imports
 * every config Kasm accepts and castgate can serve safely; where castgate deliberately serves a field
 * differently it calls `options.onWarning` with the Kasm path and a {@link KasmImportWarningCode}
 * (a negative `session_remaining` imports as 0, a `value_pattern` not anchored `^…$` is matched
 * whole, an `argument_name` with white space becomes one argument per word, an `ip_request_limit`
 * above 10,000 imports as 10,000). Throws a `CastConfigError` whose paths name Kasm's fields
 * (`['remote_app_configs', 'args', 0, 'value_pattern']`) and whose messages say why, including any
 * unknown field; a key with characters outside `[A-Za-z0-9_-]` or a window over 365 days is refused.
 *
 * @example
 * ```ts
 * import { fromKasmCastConfig } from 'castgate';
 * const config = fromKasmCastConfig({
 *   casting_config_name: 'Excel',
 *   key: 'excel-Xq3v9T2mPz7LkW4r',
 *   image_id: 'b0c1d2e3',
 *   allow_anonymous: true,
 *   limit_ips: true, ip_request_limit: 1, ip_request_seconds: 60,
 *   allowed_referrers: 'intranet.example\nPortal.Example',
 *   valid_until: '2030-01-01 00:00:00',
 *   remote_app_configs: '{"remote_app_name": "||Microsoft Excel", "args": [{"url_param_name": "file", "required": true}]}',
 * });
 * config.ipRateLimit; // { sessions: 1, withinSeconds: 60 }
 *
 * fromKasmCastConfig(
 *   { casting_config_name: 'Old', key: 'old-Xq3v9T2mPz7LkW4r', image_id: 'img', limit_sessions: true, session_remaining: -2 },
 *   { onWarning: (warning) => console.warn(warning.path.join('.'), warning.code) }, // session_remaining negative_session_remaining
 * ).sessionsRemaining; // 0
 * ```
 */
export function fromKasmCastConfig(input: unknown, options: FromKasmCastConfigOptions = {}): CastConfig {
  const snapshot = snapshotInput(input);
  if (!snapshot.ok) throw new CastConfigError(snapshot.issues);
  const fields = snapshot.value;
  if (!isFields(fields)) {
    throw new CastConfigError([{ path: [], code: 'invalid_type', message: 'must be an object of Kasm casting config fields' }]);
  }

  const findings: Findings = { issues: [], warnings: [] };
  const { issues, warnings } = findings;
  const origins: Origins = { referrers: [], argValueField: new Map(), argIndex: [], splitWords: new Set() };
  issues.push(...unknownKeys([], Object.keys(fields).filter((key) => !knownFields.includes(key)), knownFields));

  const camel: Fields = { allowMissingReferrer: true };
  for (const [kasm, name] of directFields) {
    if (!isUnset(fields[kasm])) camel[name] = fields[kasm];
  }

  const clientSettings: Fields = {};
  for (const [name, kasm] of clientSettingEntries) {
    if (!isUnset(fields[kasm])) clientSettings[name] = fields[kasm];
  }
  if (Object.keys(clientSettings).length > 0) camel.clientSettings = clientSettings;

  if (!isUnset(fields.allowed_referrers)) {
    const referrers = readReferrers(fields.allowed_referrers, origins, issues);
    if (referrers !== undefined) camel.allowedReferrers = referrers;
  }

  if (readSwitch(fields, 'limit_sessions', issues) === true) {
    const remaining = fields.session_remaining;
    if (isUnset(remaining)) {
      issues.push({ path: ['session_remaining'], code: 'invalid_type', message: 'is required when limit_sessions is true' });
    } else if (typeof remaining === 'number' && Number.isSafeInteger(remaining) && remaining < 0) {
      // Kasm decrements without a floor, so an oversold link can export a negative count.
      camel.sessionsRemaining = 0;
      warnings.push({
        path: ['session_remaining'],
        code: 'negative_session_remaining',
        message: `is ${remaining} (Kasm served more sessions than the limit); it imports as 0: no session is left`,
      });
    } else {
      camel.sessionsRemaining = remaining;
    }
  }

  if (readSwitch(fields, 'limit_ips', issues) === true) {
    let sessions = fields.ip_request_limit;
    const seconds = fields.ip_request_seconds;
    // As Kasm: the limit applies only when both numbers are set and non-zero.
    if (!isUnset(sessions) && !isUnset(seconds) && sessions !== 0 && seconds !== 0) {
      if (typeof sessions === 'number' && Number.isSafeInteger(sessions) && sessions > maxRateLimitSessions) {
        warnings.push({
          path: ['ip_request_limit'],
          code: 'ip_request_limit_capped',
          message: `is ${sessions}, above castgate's most of ${maxRateLimitSessions} sessions per address; it imports as ${maxRateLimitSessions} (stricter than Kasm)`,
        });
        sessions = maxRateLimitSessions;
      }
      camel.ipRateLimit = { sessions, withinSeconds: seconds };
    }
  }

  if (!isUnset(fields.remote_app_configs)) {
    const remoteApp = readRemoteApp(fields.remote_app_configs, origins, findings);
    if (remoteApp !== undefined) camel.remoteApp = remoteApp;
  }

  if (!isUnset(fields.valid_until)) {
    const validUntil = readValidUntil(fields.valid_until, issues);
    if (validUntil !== undefined) camel.validUntil = validUntil;
  }

  const checked = checkCastConfigSnapshot(camel, options);
  if (!checked.ok) {
    issues.push(...checked.issues.map((issue) => withReason({ ...issue, path: kasmPath(issue.path, origins) })));
  }
  for (const warning of warnings) options.onWarning?.(Object.freeze({ ...warning, path: Object.freeze([...warning.path]) }));
  if (issues.length > 0 || !checked.ok) throw new CastConfigError(issues);
  return checked.config;
}

/** Says why castgate refuses what Kasm accepted: the import refuses only what it cannot serve safely. */
function withReason(issue: CastConfigIssue): CastConfigIssue {
  const [field] = issue.path;
  if (issue.path.length !== 1) return issue;
  if (field === 'key' && issue.code === 'invalid_value') {
    return {
      ...issue,
      message:
        'must be 1 to 128 characters of A-Z, a-z, 0-9, _ or -: the key travels in the cast URL path, where other characters ' +
        'can be re-encoded or read differently by proxies and routers; give the link a new key',
    };
  }
  if (field === 'ip_request_seconds' && issue.code === 'too_big') {
    return {
      ...issue,
      message:
        `must be at most ${maxWithinSeconds} (365 days), castgate's longest window; importing a shorter one would let ` +
        'more sessions through than Kasm did',
    };
  }
  return issue;
}
