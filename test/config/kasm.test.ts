import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CastConfigError } from '../../src/config/errors.js';
import { fromKasmCastConfig, type KasmImportWarning } from '../../src/config/kasm.js';
import { maxUnknownKeyIssues } from '../../src/config/unknown-keys.js';
import { buildRemoteAppArgs } from '../../src/remote-app/build.js';
import { isParsedCastConfig, parseCastConfig } from '../../src/config/parse.js';
import { clientSettingNames, type ClientSettingName } from '../../src/contract/launch-plan.js';
import { compiledPatternsOf } from '../../src/remote-app/compiled.js';
import { expectDeepFrozen, expectIssue, issuesOf, expectOnlyConfigErrors } from './helpers.js';

const kasmBase = { casting_config_name: 'Demo', key: 'demo-key-0123456789', image_id: 'img-chrome' } as const;
const camelBase = { name: 'Demo', key: 'demo-key-0123456789', imageId: 'img-chrome', allowMissingReferrer: true } as const;
const kasm = (extra: Record<string, unknown>) => () => fromKasmCastConfig({ ...kasmBase, ...extra });

/**
 * The seed document's Excel example, exactly as it shows it (with the braces its rendering lost
 * put back), as an admin types it into "Remote App Configuration (JSON)".
 */
const seedExcelJson = String.raw`{
  "remote_app_name": "||Microsoft Excel",
  "args": [
    {
      "url_param_name": "file",
      "value_pattern": "([a-zA-Z]:\\\\)([^\\x00-\\x1F\\*\\\"/:<>\\?\\\\\\|]+\\\\)*([^\\x00-\\x1F\\*\\\"/:<>\\?\\\\\\|]+\\.(xls|xlsx|csv))",
      "required": true
    }
  ]
}`;

/** What that JSON decodes to: the pattern RE2 compiles. */
const seedExcelPattern = String.raw`([a-zA-Z]:\\)([^\x00-\x1F\*\"/:<>\?\\\|]+\\)*([^\x00-\x1F\*\"/:<>\?\\\|]+\.(xls|xlsx|csv))`;

const kasmClientFields: Record<ClientSettingName, string> = {
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
};

/** A Kasm 1.15 export with every field set. */
const fullKasm = {
  cast_config_id: '5f0c8f1a2b3c4d5e6f708192a3b4c5d6',
  casting_config_name: 'Excel reports',
  key: 'excel-Xq3v9T2mPz7LkW4r',
  image_id: 'b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5',
  image_friendly_name: 'Windows RDS',
  launcher_background_url: 'https://cdn.example/bg.png',
  allow_resume: false,
  allow_anonymous: true,
  require_recaptcha: true,
  group_id: '68d557ac4cac42cca9f31c7c853de0f3',
  group_name: 'Anonymous casting',
  limit_sessions: true,
  session_remaining: 25,
  limit_ips: true,
  ip_request_limit: 2,
  ip_request_seconds: 3600,
  kasm_url: 'https://start.example/',
  dynamic_kasm_url: true,
  dynamic_docker_network: false,
  error_url: 'https://portal.example/cast-error',
  disable_control_panel: true,
  disable_tips: true,
  enable_sharing: false,
  disable_fixed_res: true,
  allowed_referrers: 'portal.example\nPARTNER.example\n\n  portal.example  \n',
  enforce_client_settings: true,
  allow_kasm_audio: true,
  kasm_audio_default_on: false,
  allow_kasm_downloads: false,
  allow_kasm_clipboard_down: true,
  allow_kasm_clipboard_up: false,
  allow_kasm_microphone: false,
  allow_kasm_uploads: true,
  allow_kasm_sharing: false,
  allow_kasm_gamepad: true,
  allow_kasm_webcam: false,
  allow_kasm_printing: true,
  kasm_ime_mode_default_on: true,
  remote_app_configs: seedExcelJson,
  valid_until: '2030-06-30 23:59:59',
};

/** The same config in castgate's camelCase form. */
const fullCamel = {
  name: 'Excel reports',
  key: 'excel-Xq3v9T2mPz7LkW4r',
  imageId: 'b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5',
  launcherBackgroundUrl: 'https://cdn.example/bg.png',
  allowResume: false,
  allowAnonymous: true,
  requireCaptcha: true,
  anonymousGroupId: '68d557ac4cac42cca9f31c7c853de0f3',
  sessionsRemaining: 25,
  ipRateLimit: { sessions: 2, withinSeconds: 3600 },
  kasmUrl: 'https://start.example/',
  dynamicKasmUrl: true,
  dynamicDockerNetwork: false,
  errorUrl: 'https://portal.example/cast-error',
  disableControlPanel: true,
  disableTips: true,
  enableSharing: false,
  disableFixedResolution: true,
  allowedReferrers: ['portal.example', 'partner.example'],
  allowMissingReferrer: true,
  enforceClientSettings: true,
  clientSettings: {
    allowAudio: true,
    audioDefaultOn: false,
    allowDownloads: false,
    allowClipboardDown: true,
    allowClipboardUp: false,
    allowMicrophone: false,
    allowUploads: true,
    allowSharing: false,
    allowGamepad: true,
    allowWebcam: false,
    allowPrinting: true,
    imeModeDefaultOn: true,
  },
  remoteApp: { remoteAppName: '||Microsoft Excel', args: [{ urlParamName: 'file', valuePattern: seedExcelPattern, required: true }] },
  validUntil: '2030-06-30T23:59:59Z',
};

describe('fromKasmCastConfig', () => {
  it('maps every Kasm field to the same CastConfig parseCastConfig gives for the camelCase form', () => {
    expect(fromKasmCastConfig(fullKasm)).toEqual(parseCastConfig(fullCamel));
  });

  it('answers a frozen, registered config with compiled patterns', () => {
    const config = fromKasmCastConfig(fullKasm);
    expectDeepFrozen(config);
    expect(isParsedCastConfig(config)).toBe(true);
    expect(compiledPatternsOf(config.remoteApp!)).toHaveLength(1);
  });

  it('never changes its input', () => {
    const input = structuredClone({ ...fullKasm, remote_app_configs: JSON.parse(seedExcelJson) as unknown });
    const before = structuredClone(input);
    fromKasmCastConfig(input);
    expect(input).toEqual(before);
  });

  it('sets allowMissingReferrer, since Kasm lets a missing referrer through', () => {
    expect(fromKasmCastConfig(kasmBase).allowMissingReferrer).toBe(true);
  });

  it('fills Kasm’s defaults for a minimal config (allow_resume on)', () => {
    expect(fromKasmCastConfig(kasmBase)).toEqual(parseCastConfig(camelBase));
    expect(fromKasmCastConfig(kasmBase).allowResume).toBe(true);
  });

  it('maps group_id to anonymousGroupId and disable_fixed_res to disableFixedResolution', () => {
    const config = fromKasmCastConfig({ ...kasmBase, group_id: 'g1', disable_fixed_res: true });
    expect(config.anonymousGroupId).toBe('g1');
    expect(config.disableFixedResolution).toBe(true);
  });

  for (const name of clientSettingNames) {
    it(`maps ${kasmClientFields[name]} to clientSettings.${name}`, () => {
      const config = fromKasmCastConfig({ ...kasmBase, enforce_client_settings: true, [kasmClientFields[name]]: true });
      expect(config.clientSettings?.[name]).toBe(true);
      expect(Object.values(config.clientSettings ?? {}).filter(Boolean)).toHaveLength(1);
    });
  }

  it('ignores the read-only export fields cast_config_id, image_friendly_name and group_name', () => {
    const config = fromKasmCastConfig({ ...kasmBase, cast_config_id: 'abc', image_friendly_name: 'Chrome', group_name: 'Anon' });
    expect(config).toEqual(parseCastConfig(camelBase));
  });

  it('reads null and "" in optional fields as unset', () => {
    const config = fromKasmCastConfig({
      ...kasmBase,
      allow_resume: null,
      allow_anonymous: '',
      group_id: '',
      kasm_url: null,
      error_url: '',
      allowed_referrers: null,
      remote_app_configs: null,
      valid_until: null,
      allow_kasm_audio: null,
      limit_sessions: null,
      limit_ips: '',
    });
    expect(config).toEqual(parseCastConfig(camelBase));
  });
});

describe('fromKasmCastConfig: the seed’s Excel example (THREATS 5.8)', () => {
  it('decodes the JSON-escaped value_pattern once and compiles it on RE2', () => {
    const config = fromKasmCastConfig({ ...kasmBase, remote_app_configs: seedExcelJson });
    expect(config.remoteApp).toEqual({
      remoteAppName: '||Microsoft Excel',
      args: [{ urlParamName: 'file', valuePattern: seedExcelPattern, required: true }],
      argPolicy: 'default',
    });
  });

  it('gives the same result for the object form', () => {
    const fromString = fromKasmCastConfig({ ...kasmBase, remote_app_configs: seedExcelJson });
    const fromObject = fromKasmCastConfig({ ...kasmBase, remote_app_configs: JSON.parse(seedExcelJson) as unknown });
    expect(fromObject).toEqual(fromString);
  });

  const fullMatch: [string, boolean][] = [
    ['C:\\Reports\\q1.xlsx', true],
    ['C:\\x.xlsx & calc.exe', false],
    ['C:\\x.xlsx" /e "D:\\y.xls', false],
    ['\\\\evil.example\\share\\C:\\x.xlsx', false],
    ['C:\\x.xlsx\ncalc', false],
    ['C:\\x.xlsx\u200B', false],
    ['C:\\x.xlsx.exe', false],
    ['C:\\Public\\..\\Users\\Administrator\\secret.xlsx', true],
    ['C:\\%USERPROFILE%\\x.xlsx', true],
    ['C:\\a & calc & b.xlsx', true],
    ['C:\\x^.xlsx', true],
    ['C:\\x.XLSX', false],
  ];
  for (const [value, expected] of fullMatch) {
    it(`matches the whole value ${JSON.stringify(value)}: ${expected}`, () => {
      const config = fromKasmCastConfig({ ...kasmBase, remote_app_configs: seedExcelJson });
      expect(compiledPatternsOf(config.remoteApp!)?.[0]?.test(value)).toBe(expected);
    });
  }
});

describe('fromKasmCastConfig: allowed_referrers', () => {
  it('reads one string with one domain per line: trimmed, lower-cased, blanks and duplicates dropped', () => {
    const config = fromKasmCastConfig({ ...kasmBase, allowed_referrers: '  Example.com \n\n example.com\r\nfoo.EXAMPLE\r\n  \nexample.com.' });
    expect(config.allowedReferrers).toEqual(['example.com', 'foo.example']);
  });

  it('reads a list the same way', () => {
    const config = fromKasmCastConfig({ ...kasmBase, allowed_referrers: ['Example.com', '', ' example.com ', 'münchen.de'] });
    expect(config.allowedReferrers).toEqual(['example.com', 'xn--mnchen-3ya.de']);
  });

  it('names the list index of a bad entry', () => {
    expectIssue(kasm({ allowed_referrers: ['ok.example', 'https://bad.example/'] }), ['allowed_referrers', 1], 'invalid_value');
  });

  it('names the original index even after dropped blanks and duplicates', () => {
    expectIssue(kasm({ allowed_referrers: ['', 'a.example', 'a.example', 'x:1'] }), ['allowed_referrers', 3], 'invalid_value');
  });

  it('names the line of a bad entry in the string form', () => {
    const issue = expectIssue(kasm({ allowed_referrers: 'ok.example\n*.com' }), ['allowed_referrers'], 'invalid_value');
    expect(issue.message).toMatch(/^line 2: /u);
  });

  it('refuses a non-string entry and a value that is neither list nor string', () => {
    expectIssue(kasm({ allowed_referrers: ['ok.example', 5] }), ['allowed_referrers', 1], 'invalid_type');
    expectIssue(kasm({ allowed_referrers: { a: 1 } }), ['allowed_referrers'], 'invalid_type');
  });

  it('refuses more than 1000 lines', () => {
    const lines = Array.from({ length: 1001 }, (_, i) => `s${i}.example`).join('\n');
    expectIssue(kasm({ allowed_referrers: lines }), ['allowed_referrers'], 'too_big');
  });
});

describe('fromKasmCastConfig: limits', () => {
  it('sets sessionsRemaining only when limit_sessions is true', () => {
    expect(fromKasmCastConfig({ ...kasmBase, limit_sessions: false, session_remaining: 5 }).sessionsRemaining).toBeUndefined();
    expect(fromKasmCastConfig({ ...kasmBase, session_remaining: 5 }).sessionsRemaining).toBeUndefined();
    expect(fromKasmCastConfig({ ...kasmBase, limit_sessions: true, session_remaining: 5 }).sessionsRemaining).toBe(5);
    expect(fromKasmCastConfig({ ...kasmBase, limit_sessions: true, session_remaining: 0 }).sessionsRemaining).toBe(0);
  });

  it('refuses limit_sessions without session_remaining (never silently unlimited)', () => {
    const issue = expectIssue(kasm({ limit_sessions: true, session_remaining: null }), ['session_remaining'], 'invalid_type');
    expect(issue.message).toContain('limit_sessions');
  });

  it('refuses a bad session_remaining at session_remaining', () => {
    expectIssue(kasm({ limit_sessions: true, session_remaining: -1.5 }), ['session_remaining'], 'invalid_type');
    expectIssue(kasm({ limit_sessions: true, session_remaining: '5' }), ['session_remaining'], 'invalid_type');
  });

  it('sets ipRateLimit when limit_ips and both numbers are set and non-zero', () => {
    expect(fromKasmCastConfig({ ...kasmBase, limit_ips: true, ip_request_limit: 1, ip_request_seconds: 60 }).ipRateLimit).toEqual({
      sessions: 1,
      withinSeconds: 60,
    });
  });

  for (const [label, extra] of [
    ['limit_ips is false', { limit_ips: false, ip_request_limit: 1, ip_request_seconds: 60 }],
    ['ip_request_limit is 0', { limit_ips: true, ip_request_limit: 0, ip_request_seconds: 60 }],
    ['ip_request_seconds is 0', { limit_ips: true, ip_request_limit: 1, ip_request_seconds: 0 }],
    ['ip_request_limit is null', { limit_ips: true, ip_request_limit: null, ip_request_seconds: 60 }],
    ['ip_request_seconds is missing', { limit_ips: true, ip_request_limit: 1 }],
  ] as const) {
    it(`sets no ipRateLimit when ${label}`, () => {
      expect(fromKasmCastConfig({ ...kasmBase, ...extra }).ipRateLimit).toBeUndefined();
    });
  }

  it('names ip_request_limit and ip_request_seconds for bad numbers', () => {
    expectIssue(kasm({ limit_ips: true, ip_request_limit: 1, ip_request_seconds: -60 }), ['ip_request_seconds'], 'too_small');
    expectIssue(kasm({ limit_ips: true, ip_request_limit: 1.5, ip_request_seconds: 60 }), ['ip_request_limit'], 'invalid_type');
  });

  it('refuses a switch that is not a boolean', () => {
    expectIssue(kasm({ limit_sessions: 'yes', session_remaining: 5 }), ['limit_sessions'], 'invalid_type');
    expectIssue(kasm({ limit_ips: 1 }), ['limit_ips'], 'invalid_type');
  });
});

describe('fromKasmCastConfig: what Kasm accepts, imported with a warning where castgate differs (SPEC §A)', () => {
  const importing = (extra: Record<string, unknown>) => {
    const warnings: KasmImportWarning[] = [];
    const config = fromKasmCastConfig({ ...kasmBase, ...extra }, { onWarning: (warning) => warnings.push(warning) });
    return { config, warnings };
  };

  it('imports a negative session_remaining (Kasm oversold) as 0, warning negative_session_remaining', () => {
    const { config, warnings } = importing({ limit_sessions: true, session_remaining: -3 });
    expect(config.sessionsRemaining).toBe(0);
    expect(warnings).toEqual([{ path: ['session_remaining'], code: 'negative_session_remaining', message: expect.stringContaining('-3') }]);
  });

  it('imports an ip_request_limit above 10,000 as 10,000 (stricter), warning ip_request_limit_capped', () => {
    const { config, warnings } = importing({ limit_ips: true, ip_request_limit: 25_000, ip_request_seconds: 60 });
    expect(config.ipRateLimit).toEqual({ sessions: 10_000, withinSeconds: 60 });
    expect(warnings.map((w) => [w.path, w.code])).toEqual([[['ip_request_limit'], 'ip_request_limit_capped']]);
  });

  it('imports an ip_request_seconds window of months (up to 365 days) as it is', () => {
    expect(importing({ limit_ips: true, ip_request_limit: 5, ip_request_seconds: 90 * 86_400 }).config.ipRateLimit).toEqual({
      sessions: 5,
      withinSeconds: 90 * 86_400,
    });
  });

  it('refuses a window over 365 days, saying a shorter one would loosen the limit', () => {
    const issue = expectIssue(kasm({ limit_ips: true, ip_request_limit: 5, ip_request_seconds: 400 * 86_400 }), ['ip_request_seconds'], 'too_big');
    expect(issue.message).toContain('365 days');
    expect(issue.message).toContain('more sessions through');
  });

  it('refuses a key with characters outside [A-Za-z0-9_-], saying it travels in the URL path', () => {
    for (const key of ['demo.key.0123456789', 'demo key 0123456789', 'démo-0123456789', 'a/b']) {
      const issue = expectIssue(kasm({ key }), ['key'], 'invalid_value');
      expect(issue.message).toContain('URL path');
    }
  });

  it('matches a value_pattern not anchored ^…$ against the whole value, warning substring_pattern with the pattern', () => {
    const { config, warnings } = importing({
      remote_app_configs: { remote_app_name: '||Excel', args: [{ url_param_name: 'file', value_pattern: '\\.xlsx' }] },
    });
    expect(warnings).toEqual([
      { path: ['remote_app_configs', 'args', 0, 'value_pattern'], code: 'substring_pattern', message: expect.stringContaining('"\\\\.xlsx"') },
    ]);
    const app = config.remoteApp!;
    expect(buildRemoteAppArgs(app, { file: 'C:\\a.xlsx' }).ok).toBe(false);
    expect(buildRemoteAppArgs(app, { file: '.xlsx' }).ok).toBe(true);
  });

  it('does not warn about a pattern anchored ^…$, and does warn when the $ is escaped', () => {
    expect(importing({ remote_app_configs: { remote_app_name: '||A', args: [{ url_param_name: 'f', value_pattern: '^[a-z]+$' }] } }).warnings).toEqual([]);
    const escaped = importing({ remote_app_configs: { remote_app_name: '||A', args: [{ url_param_name: 'f', value_pattern: '^a\\$' }] } });
    expect(escaped.warnings.map((w) => w.code)).toEqual(['substring_pattern']);
  });

  it('imports an argument_name with white space as one static argument per word, the last keeping the URL parameter', () => {
    const { config, warnings } = importing({
      remote_app_configs: { remote_app_name: '||Reader', args: [{ argument_name: '/p  /safe', url_param_name: 'file', required: true }] },
    });
    expect(config.remoteApp?.args).toEqual([
      { argumentName: '/p', required: false },
      { argumentName: '/safe', urlParamName: 'file', required: true },
    ]);
    expect(warnings.map((w) => [w.path, w.code])).toEqual([[['remote_app_configs', 'args', 0, 'argument_name'], 'split_argument_name']]);
    const built = buildRemoteAppArgs(config.remoteApp!, { file: 'C:\\a b.pdf' });
    expect(built.ok && built.argv).toEqual(['/p', '/safe', 'C:\\a b.pdf']);
    expect(built.ok && built.commandLine).toBe('/p /safe "C:\\a b.pdf"');
  });

  it('keeps a static value on the last word of a split argument_name', () => {
    const { config } = importing({ remote_app_configs: { remote_app_name: '||A', args: [{ argument_name: '-a -b', argument_value: 'x y' }] } });
    const built = buildRemoteAppArgs(config.remoteApp!, {});
    expect(built.ok && built.argv).toEqual(['-a', '-b', 'x y']);
  });

  it('names the Kasm index of a later argument after a split one', () => {
    expectIssue(
      kasm({ remote_app_configs: { remote_app_name: '||A', args: [{ argument_name: '/a /b', url_param_name: 'x' }, { url_param_name: 'y', value_pattern: '(' }] } }),
      ['remote_app_configs', 'args', 1, 'value_pattern'],
      'invalid_pattern',
    );
  });

  it('reports warnings through onWarning also when the import then fails, and never without onWarning', () => {
    const warnings: KasmImportWarning[] = [];
    expect(() =>
      fromKasmCastConfig({ ...kasmBase, key: 'bad key', limit_sessions: true, session_remaining: -1 }, { onWarning: (w) => warnings.push(w) }),
    ).toThrow(CastConfigError);
    expect(warnings.map((w) => w.code)).toEqual(['negative_session_remaining']);
    expect(fromKasmCastConfig({ ...kasmBase, limit_sessions: true, session_remaining: -1 }).sessionsRemaining).toBe(0);
  });
});

describe('fromKasmCastConfig: unknown fields cost bounded work, whatever the input', () => {
  it('lists the first 20 of 9,990 unknown fields and counts the rest in one issue', () => {
    const input: Record<string, unknown> = { ...kasmBase };
    for (let i = 0; i < 9990; i++) input[`allow_kasm_field_${i}`] = true;
    const issues = issuesOf(() => fromKasmCastConfig(input));
    expect(issues).toHaveLength(maxUnknownKeyIssues + 1);
    expect(issues.slice(0, maxUnknownKeyIssues).every((issue) => issue.code === 'unknown_key' && issue.path.length === 1)).toBe(true);
    expect(issues[maxUnknownKeyIssues]).toEqual({ path: [], code: 'unknown_key', message: expect.stringContaining('9970 more unknown keys') });
  });

  it('bounds unknown fields inside a remote-app argument the same way', () => {
    const arg: Record<string, unknown> = { url_param_name: 'f' };
    for (let i = 0; i < 500; i++) arg[`x${i}`] = 1;
    const issues = issuesOf(() => fromKasmCastConfig({ ...kasmBase, remote_app_configs: { remote_app_name: '||A', args: [arg] } }));
    expect(issues.filter((issue) => issue.code === 'unknown_key')).toHaveLength(maxUnknownKeyIssues + 1);
  });
});

describe('fromKasmCastConfig: remote_app_configs', () => {
  it('reads {} (object or string), "" and null as no remote app', () => {
    for (const value of [{}, '{}', ' ', '', null]) {
      expect(fromKasmCastConfig({ ...kasmBase, remote_app_configs: value }).remoteApp).toBeUndefined();
    }
  });

  it('takes value as the static value, like argument_value', () => {
    const config = fromKasmCastConfig({
      ...kasmBase,
      remote_app_configs: { remote_app_name: '||App', args: [{ argument_name: '/mode', value: 'ro' }, { argument_value: 'x' }] },
    });
    expect(config.remoteApp?.args).toEqual([
      { argumentName: '/mode', argumentValue: 'ro', required: false },
      { argumentValue: 'x', required: false },
    ]);
  });

  it('refuses argument_value and value together', () => {
    expectIssue(
      kasm({ remote_app_configs: { remote_app_name: '||App', args: [{ argument_value: 'a', value: 'b' }] } }),
      ['remote_app_configs', 'args', 0, 'value'],
      'invalid_value',
    );
  });

  it('names the Kasm path of a bad value_pattern, in the object form', () => {
    expectIssue(
      kasm({ remote_app_configs: { remote_app_name: '||App', args: [{ url_param_name: 'f', value_pattern: 'a(?=b)' }] } }),
      ['remote_app_configs', 'args', 0, 'value_pattern'],
      'invalid_pattern',
    );
  });

  it('names the Kasm path of a bad value_pattern, in the JSON string form', () => {
    expectIssue(
      kasm({ remote_app_configs: '{"remote_app_name":"||App","args":[{"url_param_name":"f","value_pattern":"(a)\\\\1"}]}' }),
      ['remote_app_configs', 'args', 0, 'value_pattern'],
      'invalid_pattern',
    );
  });

  it('names the Kasm path of a bad static value and a missing name', () => {
    expectIssue(
      kasm({ remote_app_configs: { args: [{ value: 'a\u0000' }] } }),
      ['remote_app_configs', 'args', 0, 'value'],
      'invalid_value',
    );
    expectIssue(kasm({ remote_app_configs: { args: [] } }), ['remote_app_configs', 'remote_app_name'], 'invalid_type');
  });

  it('refuses a string that is not JSON', () => {
    expectIssue(kasm({ remote_app_configs: '{"remote_app_name": ' }), ['remote_app_configs'], 'invalid_value');
  });

  it('refuses JSON that is not an object', () => {
    expectIssue(kasm({ remote_app_configs: '[1, 2]' }), ['remote_app_configs'], 'invalid_type');
    expectIssue(kasm({ remote_app_configs: 42 }), ['remote_app_configs'], 'invalid_type');
  });

  it('refuses __proto__ hidden in the JSON string, with its path', () => {
    expectIssue(
      kasm({ remote_app_configs: '{"remote_app_name":"||App","__proto__":{"allowAnonymous":true}}' }),
      ['remote_app_configs', '__proto__'],
      'forbidden_key',
    );
    expect(({} as Record<string, unknown>).allowAnonymous).toBeUndefined();
  });

  it('refuses deep nesting hidden in the JSON string', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const issues = issuesOf(kasm({ remote_app_configs: `{"remote_app_name":"||App","x":${deep}}` }));
    expect(issues.some((issue) => issue.code === 'too_deep' && issue.path[0] === 'remote_app_configs')).toBe(true);
  });

  it('refuses unknown fields in the remote app and its arguments, naming them', () => {
    const issues = issuesOf(kasm({ remote_app_configs: { remote_app_name: '||App', arg: [], args: [{ url_param: 'f' }] } }));
    expect(issues).toContainEqual(expect.objectContaining({ path: ['remote_app_configs', 'arg'], code: 'unknown_key' }));
    expect(issues).toContainEqual(expect.objectContaining({ path: ['remote_app_configs', 'args', 0, 'url_param'], code: 'unknown_key' }));
  });

  it('refuses camelCase names inside the remote app, suggesting the Kasm one', () => {
    const issue = expectIssue(
      kasm({ remote_app_configs: { remote_app_name: '||App', args: [{ urlParamName: 'f' }] } }),
      ['remote_app_configs', 'args', 0, 'urlParamName'],
      'unknown_key',
    );
    expect(issue.message).toContain('"url_param_name"');
  });
});

describe('fromKasmCastConfig: valid_until', () => {
  it('reads Kasm’s naive YYYY-MM-DD HH:MM:SS as UTC', () => {
    expect(fromKasmCastConfig({ ...kasmBase, valid_until: '2030-01-01 00:00:00' }).validUntil?.toISOString()).toBe('2030-01-01T00:00:00.000Z');
  });
  it('reads microseconds', () => {
    expect(fromKasmCastConfig({ ...kasmBase, valid_until: '2030-01-01 12:30:15.250000' }).validUntil?.toISOString()).toBe('2030-01-01T12:30:15.250Z');
  });
  it('accepts an ISO 8601 instant with an offset', () => {
    expect(fromKasmCastConfig({ ...kasmBase, valid_until: '2030-01-01T01:00:00+01:00' }).validUntil?.toISOString()).toBe('2030-01-01T00:00:00.000Z');
  });
  it('refuses impossible fields at valid_until', () => {
    expectIssue(kasm({ valid_until: '2030-02-30 00:00:00' }), ['valid_until'], 'invalid_date');
    expectIssue(kasm({ valid_until: '2030-01-01 24:00:00' }), ['valid_until'], 'invalid_date');
  });
  it('refuses other formats at valid_until', () => {
    for (const value of ['01/02/2030', '2030-01-01', 'tomorrow', '2030-01-01 00:00']) {
      expectIssue(kasm({ valid_until: value }), ['valid_until'], 'invalid_date');
    }
  });
  it('refuses numbers at valid_until', () => {
    expectIssue(kasm({ valid_until: 1767225600 }), ['valid_until'], 'invalid_type');
  });
});

describe('fromKasmCastConfig: errors name Kasm fields', () => {
  it('refuses an unknown field, naming it', () => {
    expect(expectIssue(kasm({ casting_config_id: 'x' }), ['casting_config_id'], 'unknown_key').message).toBe('is not a Kasm casting config field');
  });
  it('suggests the field a typo was meant to be', () => {
    expect(expectIssue(kasm({ casting_config_nme: 'x' }), ['casting_config_nme'], 'unknown_key').message).toContain('"casting_config_name"');
  });
  it('refuses a camelCase field, suggesting its Kasm name', () => {
    expect(expectIssue(kasm({ allowAnonymous: true }), ['allowAnonymous'], 'unknown_key').message).toContain('"allow_anonymous"');
  });
  it('refuses the plural allow_kasm_gamepads, suggesting allow_kasm_gamepad', () => {
    expect(expectIssue(kasm({ allow_kasm_gamepads: true }), ['allow_kasm_gamepads'], 'unknown_key').message).toContain('"allow_kasm_gamepad"');
  });
  it('refuses sessions_remaining (plural), suggesting session_remaining', () => {
    expect(expectIssue(kasm({ sessions_remaining: 5 }), ['sessions_remaining'], 'unknown_key').message).toContain('"session_remaining"');
  });
  it('names the Kasm field of a type error', () => {
    expectIssue(kasm({ allow_anonymous: 'yes' }), ['allow_anonymous'], 'invalid_type');
    expectIssue(kasm({ allow_kasm_audio: 1 }), ['allow_kasm_audio'], 'invalid_type');
    expectIssue(kasm({ disable_fixed_res: 'true' }), ['disable_fixed_res'], 'invalid_type');
  });
  it('names the Kasm field of a bad URL', () => {
    expectIssue(kasm({ error_url: 'javascript:alert(1)' }), ['error_url'], 'invalid_url');
    expectIssue(kasm({ launcher_background_url: '//cdn.example/bg.png' }), ['launcher_background_url'], 'invalid_url');
  });
  it('names the missing required fields', () => {
    expect(issuesOf(() => fromKasmCastConfig({ casting_config_name: null, key: '' }))).toEqual([
      { path: ['casting_config_name'], code: 'invalid_type', message: 'is required' },
      { path: ['key'], code: 'invalid_type', message: 'is required' },
      { path: ['image_id'], code: 'invalid_type', message: 'is required' },
    ]);
  });
  it('reports every problem at once', () => {
    const issues = issuesOf(kasm({ bogus: 1, allow_anonymous: 'no', valid_until: 'soon', limit_ips: true, ip_request_limit: 0.5, ip_request_seconds: 1 }));
    expect(issues.map((issue) => issue.path[0])).toEqual(['bogus', 'valid_until', 'allow_anonymous', 'ip_request_limit']);
  });
  it('refuses a root that is not an object', () => {
    for (const input of [null, [], 'config', 1]) expectIssue(() => fromKasmCastConfig(input), [], 'invalid_type');
  });
  it('refuses an own __proto__ at the top, and pollutes nothing', () => {
    const input: unknown = JSON.parse('{"casting_config_name":"x","key":"x","image_id":"i","__proto__":{"allow_anonymous":true}}');
    expectIssue(() => fromKasmCastConfig(input), ['__proto__'], 'forbidden_key');
    expect(({} as Record<string, unknown>).allow_anonymous).toBeUndefined();
  });
});

describe('fromKasmCastConfig: properties (fast-check)', () => {
  const onlyConfigErrors = (input: unknown) => {
    expectOnlyConfigErrors(fromKasmCastConfig, input);
  };

  it('throws nothing but CastConfigError on arbitrary JSON and never mutates it', () => {
    fc.assert(fc.property(fc.jsonValue(), onlyConfigErrors), { numRuns: 300 });
  });

  it('throws nothing but CastConfigError when one field of a full Kasm config is arbitrary JSON', () => {
    const field = fc.oneof(fc.constantFrom(...Object.keys(fullKasm), '__proto__', 'constructor'), fc.string());
    fc.assert(
      fc.property(field, fc.jsonValue(), (name, value) => {
        const input = structuredClone(fullKasm) as Record<string, unknown>;
        Object.defineProperty(input, name, { value, enumerable: true, writable: true, configurable: true });
        onlyConfigErrors(input);
      }),
      { numRuns: 300 },
    );
  });

  it('throws nothing but CastConfigError when remote_app_configs is an arbitrary JSON string', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        onlyConfigErrors({ ...kasmBase, remote_app_configs: JSON.stringify(value) });
      }),
      { numRuns: 300 },
    );
  });
});
