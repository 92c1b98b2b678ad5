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
 * | `session_remaining`           | `sessionsRemaining`                 | required when `limit_sessions` is true             |
 * | `limit_ips`                   | (switch)                            | `ipRateLimit` only when this is true and both      |
 * | `ip_request_limit`            | `ipRateLimit.sessions`              | numbers below are set and non-zero                 |
 * | `ip_request_seconds`          | `ipRateLimit.withinSeconds`         |                                                    |
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
 * |   `.args[].argument_name`     | `remoteApp.args[].argumentName`     |                                                    |
 * |   `.args[].argument_value`    | `remoteApp.args[].argumentValue`    | or `.value` (one of the two, not both)             |
 * |   `.args[].value_pattern`     | `remoteApp.args[].valuePattern`     | compiled on RE2, must match the whole value        |
 * | `valid_until`                 | `validUntil`                        | `YYYY-MM-DD HH:MM:SS[.ffffff]` read as UTC, an ISO |
 * |                               |                                     | 8601 instant with an offset, or null               |
 * | `cast_config_id`, `image_friendly_name`, `group_name` | (ignored)   | read-only fields of Kasm's exports                 |
 * | (none)                        | `allowMissingReferrer: true`        | Kasm lets a request without a Referer through      |
 *
 * Any other field is an error naming it. Errors carry Kasm's field path
 * (`['remote_app_configs', 'args', 0, 'value_pattern']`).
 */
import type { ClientSettingName } from '../contract/launch-plan.js';
import { didYouMean } from './did-you-mean.js';
import { CastConfigError, type CastConfigIssue } from './errors.js';
import { checkCastConfigSnapshot, type ParseCastConfigOptions } from './parse.js';
import { configInputLimits, snapshotInput } from './prepass.js';
import { normalizeDomainEntry, type CastConfig, type CastConfigInput } from './schema.js';

type PathKey = string | number;
type Fields = Record<string, unknown>;

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
const withOffset = /T.*(?:Z|[+-]\d{2}:\d{2})$/u;

/** How castgate paths map back to the Kasm fields they came from. */
interface Origins {
  /** Original index of each kept referrer, or `'lines'` when they came from one string. */
  referrers: number[] | 'lines';
  /** Which Kasm field gave each argument its static value. */
  readonly argValueField: Map<number, 'argument_value' | 'value'>;
}

function isUnset(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function unknownKey(path: readonly PathKey[], key: string, known: readonly string[]): CastConfigIssue {
  const guess = didYouMean(key, known);
  return {
    path: [...path, key],
    code: 'unknown_key',
    message: guess === undefined ? 'is not a Kasm casting config field' : `is not a Kasm casting config field; did you mean "${guess}"?`,
  };
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

function readArg(arg: Fields, index: number, origins: Origins, issues: CastConfigIssue[]): Fields {
  const out: Fields = {};
  for (const key of Object.keys(arg)) {
    const match = argFields.find(([kasm]) => kasm === key);
    if (match === undefined) {
      issues.push(unknownKey(['remote_app_configs', 'args', index], key, argFieldNames));
      continue;
    }
    const value = arg[key];
    if (isUnset(value)) continue;
    const [kasm, camel] = match;
    if (kasm === 'argument_value' || kasm === 'value') {
      if (origins.argValueField.has(index)) {
        issues.push({
          path: ['remote_app_configs', 'args', index, kasm],
          code: 'invalid_value',
          message: 'argument_value and value both set the static value: keep one',
        });
        continue;
      }
      origins.argValueField.set(index, kasm);
    }
    out[camel] = value;
  }
  return out;
}

function readRemoteApp(raw: unknown, origins: Origins, issues: CastConfigIssue[]): Fields | undefined {
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
  for (const key of keys) {
    const item = value[key];
    if (key === 'remote_app_name') {
      if (!isUnset(item)) app.remoteAppName = item;
    } else if (key === 'args') {
      if (!isUnset(item)) {
        app.args = Array.isArray(item) ? item.map((arg: unknown, i) => (isFields(arg) ? readArg(arg, i, origins, issues) : arg)) : item;
      }
    } else {
      issues.push(unknownKey(path, key, remoteAppFields));
    }
  }
  return app;
}

function readValidUntil(raw: unknown, issues: CastConfigIssue[]): unknown {
  if (typeof raw !== 'string') return raw;
  const naive = kasmTimestamp.exec(raw);
  if (naive) return `${naive[1] ?? ''}T${naive[2] ?? ''}Z`;
  if (withOffset.test(raw)) return raw;
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
      if (typeof index !== 'number' || field === undefined) return ['remote_app_configs', 'args', ...rest.slice(1)];
      const name =
        field === 'argumentValue'
          ? (origins.argValueField.get(index) ?? 'argument_value')
          : (argFields.find(([, camel]) => camel === field)?.[0] ?? field);
      return ['remote_app_configs', 'args', index, name];
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
 * `remote_app_configs` may be a JSON string; duplicate referrers are dropped as Kasm does. Throws a
 * `CastConfigError` whose paths name Kasm's fields (`['remote_app_configs', 'args', 0,
 * 'value_pattern']`), including any unknown field.
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
 * ```
 */
export function fromKasmCastConfig(input: unknown, options: ParseCastConfigOptions = {}): CastConfig {
  const snapshot = snapshotInput(input);
  if (!snapshot.ok) throw new CastConfigError(snapshot.issues);
  const fields = snapshot.value;
  if (!isFields(fields)) {
    throw new CastConfigError([{ path: [], code: 'invalid_type', message: 'must be an object of Kasm casting config fields' }]);
  }

  const issues: CastConfigIssue[] = [];
  const origins: Origins = { referrers: [], argValueField: new Map() };
  for (const key of Object.keys(fields)) {
    if (!knownFields.includes(key)) issues.push(unknownKey([], key, knownFields));
  }

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
    if (isUnset(fields.session_remaining)) {
      issues.push({ path: ['session_remaining'], code: 'invalid_type', message: 'is required when limit_sessions is true' });
    } else {
      camel.sessionsRemaining = fields.session_remaining;
    }
  }

  if (readSwitch(fields, 'limit_ips', issues) === true) {
    const sessions = fields.ip_request_limit;
    const seconds = fields.ip_request_seconds;
    // As Kasm: the limit applies only when both numbers are set and non-zero.
    if (!isUnset(sessions) && !isUnset(seconds) && sessions !== 0 && seconds !== 0) {
      camel.ipRateLimit = { sessions, withinSeconds: seconds };
    }
  }

  if (!isUnset(fields.remote_app_configs)) {
    const remoteApp = readRemoteApp(fields.remote_app_configs, origins, issues);
    if (remoteApp !== undefined) camel.remoteApp = remoteApp;
  }

  if (!isUnset(fields.valid_until)) {
    const validUntil = readValidUntil(fields.valid_until, issues);
    if (validUntil !== undefined) camel.validUntil = validUntil;
  }

  const checked = checkCastConfigSnapshot(camel, options);
  if (!checked.ok) {
    issues.push(...checked.issues.map((issue) => ({ ...issue, path: kasmPath(issue.path, origins) })));
  }
  if (issues.length > 0 || !checked.ok) throw new CastConfigError(issues);
  return checked.config;
}
