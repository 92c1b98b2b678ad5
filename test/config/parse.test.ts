import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CastConfigError, formatConfigPath, isCastConfigError, type CastConfigIssue } from '../../src/config/errors.js';
import { isParsedCastConfig, parseCastConfig, parseRemoteApp, safeParseCastConfig } from '../../src/config/parse.js';
import type { CastConfigInput } from '../../src/config/schema.js';
import { maxUnknownKeyIssues, unknownKeyIssues } from '../../src/config/unknown-keys.js';
import { compiledPatternsOf } from '../../src/remote-app/compiled.js';
import { expectDeepFrozen, expectIssue, issuesOf, nested, expectOnlyConfigErrors } from './helpers.js';

const base = { name: 'Demo', key: 'demo-key-0123456789', imageId: 'img-chrome' } as const;
const parse = (extra: Record<string, unknown>) => () => parseCastConfig({ ...base, ...extra });

/** Seed's Excel pattern, as the string an admin's JSON decodes to. */
const excelPattern = String.raw`([a-zA-Z]:\\)([^\x00-\x1F\*\"/:<>\?\\\|]+\\)*([^\x00-\x1F\*\"/:<>\?\\\|]+\.(xls|xlsx|csv))`;

const fullInput = {
  ...base,
  launcherBackgroundUrl: 'https://cdn.example/bg.png',
  allowResume: false,
  allowAnonymous: true,
  requireCaptcha: true,
  anonymousGroupId: 'group-anon',
  sessionsRemaining: 10,
  ipRateLimit: { sessions: 2, withinSeconds: 60 },
  kasmUrl: 'https://start.example/',
  dynamicKasmUrl: true,
  kasmUrlAllowedHosts: ['intranet.example', '*.docs.example'],
  dynamicDockerNetwork: true,
  allowedDockerNetworks: ['cast_net'],
  errorUrl: 'https://portal.example/err?lang=en#top',
  disableControlPanel: true,
  disableTips: true,
  enableSharing: true,
  disableFixedResolution: true,
  allowedReferrers: ['Portal.Example', '*.partner.example'],
  allowMissingReferrer: true,
  enforceClientSettings: true,
  clientSettings: { allowAudio: true, allowClipboardDown: true },
  remoteApp: {
    remoteAppName: '||Microsoft Excel',
    args: [{ urlParamName: 'file', required: true, valuePattern: excelPattern }, { argumentName: '/r' }],
    argPolicy: 'strict',
  },
  validUntil: new Date('2030-01-01T00:00:00Z'),
} satisfies CastConfigInput;

describe('parseCastConfig', () => {
  it('accepts a minimal config and fills in the defaults (allowResume on, as in Kasm)', () => {
    const config = parseCastConfig(base);
    expect(config).toEqual({
      ...base,
      allowResume: true,
      allowAnonymous: false,
      requireCaptcha: false,
      dynamicKasmUrl: false,
      dynamicDockerNetwork: false,
      disableControlPanel: false,
      disableTips: false,
      enableSharing: false,
      disableFixedResolution: false,
      allowedReferrers: [],
      allowMissingReferrer: false,
      enforceClientSettings: false,
      requireSignedLink: false,
    });
  });

  it('leaves out what does not apply instead of setting it to undefined', () => {
    const config = parseCastConfig({ ...base, kasmUrl: undefined });
    expect(Object.hasOwn(config, 'kasmUrl')).toBe(false);
    expect(Object.hasOwn(config, 'sessionsRemaining')).toBe(false);
  });

  it('keeps every field of a full config and fills all twelve client settings', () => {
    const config = parseCastConfig(fullInput);
    expect(config.allowedReferrers).toEqual(['portal.example', '*.partner.example']);
    expect(config.clientSettings).toEqual({
      allowAudio: true,
      audioDefaultOn: false,
      allowDownloads: false,
      allowClipboardDown: true,
      allowClipboardUp: false,
      allowMicrophone: false,
      allowUploads: false,
      allowGamepad: false,
      allowSharing: false,
      imeModeDefaultOn: false,
      allowWebcam: false,
      allowPrinting: false,
    });
    expect(config.remoteApp).toEqual({
      remoteAppName: '||Microsoft Excel',
      args: [
        { urlParamName: 'file', required: true, valuePattern: excelPattern },
        { argumentName: '/r', required: false },
      ],
      argPolicy: 'strict',
    });
    expect(config.validUntil).toEqual(new Date('2030-01-01T00:00:00Z'));
    expect(config.ipRateLimit).toEqual({ sessions: 2, withinSeconds: 60 });
  });

  it('deep-freezes its output at every level, the validUntil Date included', () => {
    const config = parseCastConfig(fullInput);
    expectDeepFrozen(config);
    expect(Object.isFrozen(config.validUntil)).toBe(true);
    expect(Object.isFrozen(config.remoteApp?.args[0])).toBe(true);
  });

  it('never changes its input (deep-equal to a structuredClone taken before)', () => {
    const input = structuredClone(fullInput);
    const before = structuredClone(input);
    parseCastConfig(input);
    expect(input).toEqual(before);
    expect(Object.isFrozen(input)).toBe(false);
  });

  it('builds its output afresh: no object or array of the input is reused', () => {
    const input = structuredClone(fullInput);
    const config = parseCastConfig(input);
    expect(config).not.toBe(input);
    expect(config.remoteApp).not.toBe(input.remoteApp);
    expect(config.remoteApp?.args).not.toBe(input.remoteApp.args);
    expect(config.ipRateLimit).not.toBe(input.ipRateLimit);
    expect(config.allowedDockerNetworks).not.toBe(input.allowedDockerNetworks);
    expect(config.validUntil).not.toBe(input.validUntil);
  });

  it('captures the validUntil instant at parse time: changing the caller’s Date later changes nothing', () => {
    const until = new Date('2030-01-01T00:00:00Z');
    const config = parseCastConfig({ ...base, validUntil: until });
    until.setUTCFullYear(2099);
    expect(config.validUntil?.toISOString()).toBe('2030-01-01T00:00:00.000Z');
  });

  it('is idempotent: a parsed config parses to an equal config', () => {
    const config = parseCastConfig(fullInput);
    expect(parseCastConfig(config)).toEqual(config);
  });

  it('compiles each valuePattern once and remembers the matchers for the frozen remote app', () => {
    const config = parseCastConfig(fullInput);
    const compiled = compiledPatternsOf(config.remoteApp!);
    expect(compiled).toHaveLength(2);
    expect(Object.isFrozen(compiled)).toBe(true);
    expect(compiled?.[1]).toBeUndefined();
    const excel = compiled?.[0];
    expect(excel?.test('C:\\Reports\\q1.xlsx')).toBe(true);
    expect(excel?.test('C:\\x.xlsx & calc.exe')).toBe(false);
    expect(excel?.test('C:\\x.xlsx.exe')).toBe(false);
  });
});

describe('isParsedCastConfig', () => {
  it('knows the configs parseCastConfig built', () => {
    expect(isParsedCastConfig(parseCastConfig(base))).toBe(true);
  });

  it('refuses a hand-made config, a spread copy and a structured clone (THREATS 9.9)', () => {
    const config = parseCastConfig(base);
    expect(isParsedCastConfig({ ...config })).toBe(false);
    expect(isParsedCastConfig(structuredClone(config))).toBe(false);
    expect(isParsedCastConfig({ ...base, allowAnonymous: true, allowedReferrers: [] })).toBe(false);
    expect(isParsedCastConfig(null)).toBe(false);
    expect(isParsedCastConfig('config')).toBe(false);
  });
});

describe('prototype pollution (THREATS 9.1, 9.2)', () => {
  it('refuses an own __proto__ key from JSON.parse, at ["__proto__"], and pollutes nothing', () => {
    const input: unknown = JSON.parse('{"name":"x","key":"x","imageId":"i","__proto__":{"allowAnonymous":true}}');
    expectIssue(() => parseCastConfig(input), ['__proto__'], 'forbidden_key');
    expect(({} as Record<string, unknown>).allowAnonymous).toBeUndefined();
  });

  it('refuses constructor.prototype nested inside remoteApp.args[0], with the nested path', () => {
    const input: unknown = JSON.parse(
      '{"name":"x","key":"x","imageId":"i","remoteApp":{"remoteAppName":"||a","args":[{"urlParamName":"f","constructor":{"prototype":{"polluted":1}}}]}}',
    );
    expectIssue(() => parseCastConfig(input), ['remoteApp', 'args', 0, 'constructor'], 'forbidden_key');
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses an own prototype key at the top', () => {
    expectIssue(parse({ prototype: {} }), ['prototype'], 'forbidden_key');
  });

  it('refuses __proto__ inside ipRateLimit and clientSettings', () => {
    const input: unknown = JSON.parse(
      '{"name":"x","key":"x","imageId":"i","ipRateLimit":{"sessions":1,"withinSeconds":1,"__proto__":{}},"clientSettings":{"__proto__":{"allowAudio":true}}}',
    );
    const issues = issuesOf(() => parseCastConfig(input));
    expect(issues.map((issue) => issue.path)).toEqual([
      ['ipRateLimit', '__proto__'],
      ['clientSettings', '__proto__'],
    ]);
  });

  it('refuses a non-enumerable own constructor key', () => {
    const input = { ...base };
    Object.defineProperty(input, 'constructor', { value: { prototype: { polluted: 1 } }, enumerable: false });
    expectIssue(() => parseCastConfig(input), ['constructor'], 'forbidden_key');
  });

  it('refuses a forbidden key deep inside an unknown field too', () => {
    const input: unknown = JSON.parse('{"name":"x","key":"x","imageId":"i","extra":{"a":[{"__proto__":{"x":1}}]}}');
    expectIssue(() => parseCastConfig(input), ['extra', 'a', 0, '__proto__'], 'forbidden_key');
  });
});

describe('size caps (THREATS 9.6)', () => {
  it('refuses 100,000-deep nesting without overflowing the stack, at the 33rd level', () => {
    const issue = expectIssue(
      () => parseCastConfig({ ...base, remoteApp: nested(100_000, 'a') }),
      ['remoteApp', ...Array<string>(31).fill('a')],
      'too_deep',
    );
    expect(issue.message).toContain('32');
  });

  it('refuses 100,000-deep nested arrays', () => {
    let deep: unknown = [];
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expectIssue(parse({ allowedReferrers: deep }), ['allowedReferrers', ...Array<number>(31).fill(0)], 'too_deep');
  });

  it('accepts nesting up to 32 levels (then the schema judges it)', () => {
    const issues = issuesOf(parse({ extra: nested(30, 'a') }));
    expect(issues.map((issue) => issue.code)).toEqual(['unknown_key']);
  });

  it('refuses a 10 MB string at its path', () => {
    expectIssue(parse({ name: 'x'.repeat(10 * 1024 * 1024) }), ['name'], 'too_big');
  });

  it('refuses 10 MB spread over many strings, at the root', () => {
    const referrers = Array.from({ length: 1000 }, (_, i) => `${'a'.repeat(10_000)}${i}.example`);
    expectIssue(parse({ allowedReferrers: referrers }), [], 'too_big');
  });

  it('refuses a million referrers at allowedReferrers', () => {
    const issue = expectIssue(parse({ allowedReferrers: Array<string>(1_000_000).fill('example.com') }), ['allowedReferrers'], 'too_big');
    expect(issue.message).toBe('must have at most 1000 items');
  });

  it('refuses 1001 referrers and accepts 1000', () => {
    const domains = (n: number) => Array.from({ length: n }, (_, i) => `site${i}.example`);
    expectIssue(parse({ allowedReferrers: domains(1001) }), ['allowedReferrers'], 'too_big');
    expect(parseCastConfig({ ...base, allowedReferrers: domains(1000) }).allowedReferrers).toHaveLength(1000);
  });

  it('refuses 33 remote-app arguments', () => {
    const args = Array.from({ length: 33 }, (_, i) => ({ urlParamName: `p${i}` }));
    expectIssue(parse({ remoteApp: { remoteAppName: '||a', args } }), ['remoteApp', 'args'], 'too_big');
  });

  it('refuses an object with more keys than the total cap, at the root', () => {
    const wide = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, i]));
    expectIssue(parse({ extra: wide }), [], 'too_big');
  });

  it('refuses a key longer than 256 characters, at the object holding it', () => {
    expectIssue(parse({ ['k'.repeat(300)]: 1 }), [], 'too_big');
  });
});

describe('plain data only', () => {
  it('refuses a Map, a class instance and a function, with their paths', () => {
    class Settings {
      allowAudio = true;
    }
    expectIssue(parse({ clientSettings: new Settings() }), ['clientSettings'], 'invalid_type');
    expectIssue(parse({ ipRateLimit: new Map([['sessions', 1]]) }), ['ipRateLimit'], 'invalid_type');
    expectIssue(parse({ name: () => 'x' }), ['name'], 'invalid_type');
    expectIssue(parse({ errorUrl: new URL('https://ok.example/') }), ['errorUrl'], 'invalid_type');
  });

  it('accepts a null-prototype object', () => {
    const input = Object.assign(Object.create(null) as Record<string, unknown>, base);
    expect(parseCastConfig(input).name).toBe('Demo');
  });

  it('reads each property once: a getter cannot answer differently later', () => {
    let reads = 0;
    const input = {
      ...base,
      get errorUrl() {
        reads++;
        return reads === 1 ? 'https://ok.example/' : 'javascript:alert(1)';
      },
    };
    expect(parseCastConfig(input).errorUrl).toBe('https://ok.example/');
    expect(reads).toBe(1);
  });

  it('turns a getter that throws into an issue at its path', () => {
    const input = {
      ...base,
      get kasmUrl(): string {
        throw new Error('boom');
      },
    };
    expectIssue(() => parseCastConfig(input), ['kasmUrl'], 'invalid_type');
  });

  it('turns a proxy that throws on every trap into an issue, never a crash', () => {
    const hostile = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('boom');
        },
        getPrototypeOf() {
          throw new Error('boom');
        },
      },
    );
    const result = safeParseCastConfig({ ...base, remoteApp: hostile });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['remoteApp']);
  });
});

describe('counts (THREATS 9.3)', () => {
  const bad: [string, unknown][] = [
    ['-1', -1],
    ['1.5', 1.5],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['1e999 via JSON', (JSON.parse('{"n":1e999}') as { n: number }).n],
    ["'5'", '5'],
    ['2**53', 2 ** 53],
    ['true', true],
    ['null', null],
  ];
  for (const [label, value] of bad) {
    it(`refuses sessionsRemaining ${label} at sessionsRemaining`, () => {
      const issues = issuesOf(parse({ sessionsRemaining: value }));
      expect(issues.map((issue) => issue.path)).toEqual([['sessionsRemaining']]);
    });
  }

  it('accepts sessionsRemaining 0 (a link with nothing left)', () => {
    expect(parseCastConfig({ ...base, sessionsRemaining: 0 }).sessionsRemaining).toBe(0);
  });

  it('normalises sessionsRemaining -0 to 0', () => {
    expect(Object.is(parseCastConfig({ ...base, sessionsRemaining: -0 }).sessionsRemaining, 0)).toBe(true);
  });

  it('accepts the largest safe integer', () => {
    expect(parseCastConfig({ ...base, sessionsRemaining: Number.MAX_SAFE_INTEGER }).sessionsRemaining).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('explains a fraction, a non-finite number and a string in words', () => {
    expect(issuesOf(parse({ sessionsRemaining: 1.5 }))[0]?.message).toBe('must be a whole number');
    expect(issuesOf(parse({ sessionsRemaining: Number.NaN }))[0]?.message).toBe('must be a finite number');
    expect(issuesOf(parse({ sessionsRemaining: '5' }))[0]).toEqual({ path: ['sessionsRemaining'], code: 'invalid_type', message: 'must be a number' });
    expect(issuesOf(parse({ sessionsRemaining: -1 }))[0]).toEqual({ path: ['sessionsRemaining'], code: 'too_small', message: 'must be at least 0' });
  });
});

describe('ipRateLimit (THREATS 9.4, 4.13)', () => {
  it('refuses sessions 0 at ipRateLimit.sessions', () => {
    expectIssue(parse({ ipRateLimit: { sessions: 0, withinSeconds: 60 } }), ['ipRateLimit', 'sessions'], 'too_small');
  });
  it('refuses withinSeconds 0 at ipRateLimit.withinSeconds', () => {
    expectIssue(parse({ ipRateLimit: { sessions: 1, withinSeconds: 0 } }), ['ipRateLimit', 'withinSeconds'], 'too_small');
  });
  it('refuses sessions -5', () => {
    expectIssue(parse({ ipRateLimit: { sessions: -5, withinSeconds: 60 } }), ['ipRateLimit', 'sessions'], 'too_small');
  });
  it('refuses withinSeconds 1e12', () => {
    expectIssue(parse({ ipRateLimit: { sessions: 1, withinSeconds: 1e12 } }), ['ipRateLimit', 'withinSeconds'], 'too_big');
  });
  it('refuses sessions past 10,000 (a sliding log is O(sessions) per key)', () => {
    expectIssue(parse({ ipRateLimit: { sessions: 10_001, withinSeconds: 60 } }), ['ipRateLimit', 'sessions'], 'too_big');
  });
  it('accepts withinSeconds up to 365 days (Kasm exports hold windows of months), and refuses one second more', () => {
    expect(parseCastConfig({ ...base, ipRateLimit: { sessions: 1, withinSeconds: 31_536_000 } }).ipRateLimit?.withinSeconds).toBe(31_536_000);
    expect(parseCastConfig({ ...base, ipRateLimit: { sessions: 1, withinSeconds: 2_592_001 } }).ipRateLimit?.withinSeconds).toBe(2_592_001);
    expectIssue(parse({ ipRateLimit: { sessions: 1, withinSeconds: 31_536_001 } }), ['ipRateLimit', 'withinSeconds'], 'too_big');
  });
  it('refuses a missing field, saying it is required', () => {
    const issue = expectIssue(parse({ ipRateLimit: { sessions: 1 } }), ['ipRateLimit', 'withinSeconds'], 'invalid_type');
    expect(issue.message).toBe('is required');
  });
  it('refuses a fractional window', () => {
    expectIssue(parse({ ipRateLimit: { sessions: 1, withinSeconds: 0.5 } }), ['ipRateLimit', 'withinSeconds'], 'invalid_type');
  });
  it('accepts the bounds: 1 to 10,000 sessions within 1 second to 30 days', () => {
    expect(parseCastConfig({ ...base, ipRateLimit: { sessions: 1, withinSeconds: 1 } }).ipRateLimit).toEqual({ sessions: 1, withinSeconds: 1 });
    expect(parseCastConfig({ ...base, ipRateLimit: { sessions: 10_000, withinSeconds: 2_592_000 } }).ipRateLimit).toEqual({
      sessions: 10_000,
      withinSeconds: 2_592_000,
    });
  });
});

describe('unknown keys (THREATS 9.5)', () => {
  it('refuses Kasm’s allow_anonymous in camelCase mode and suggests allowAnonymous', () => {
    const issue = expectIssue(parse({ allow_anonymous: true }), ['allow_anonymous'], 'unknown_key');
    expect(issue.message).toContain('"allowAnonymous"');
  });
  it('refuses the typo alowAnonymous and suggests allowAnonymous', () => {
    const issue = expectIssue(parse({ alowAnonymous: true }), ['alowAnonymous'], 'unknown_key');
    expect(issue.message).toContain('did you mean "allowAnonymous"');
  });
  it('refuses an unknown key inside a remote-app argument, with its path', () => {
    const issue = expectIssue(
      parse({ remoteApp: { remoteAppName: '||a', args: [{ urlParamName: 'f', value_pattern: 'x' }] } }),
      ['remoteApp', 'args', 0, 'value_pattern'],
      'unknown_key',
    );
    expect(issue.message).toContain('"valuePattern"');
  });
  it('refuses an unknown key inside ipRateLimit and clientSettings', () => {
    expectIssue(parse({ ipRateLimit: { sessions: 1, withinSeconds: 1, burst: 2 } }), ['ipRateLimit', 'burst'], 'unknown_key');
    expectIssue(parse({ clientSettings: { allowGamepads: true } }), ['clientSettings', 'allowGamepads'], 'unknown_key');
  });
  it('gives no suggestion when nothing is close', () => {
    expect(expectIssue(parse({ zzzzzzzz: 1 }), ['zzzzzzzz'], 'unknown_key').message).toBe('is not a known field');
  });
  it('lists the first 20 of 9,990 unknown keys (a 700 KB config) with hints, and counts the rest in one issue', () => {
    const input: Record<string, unknown> = { ...base };
    for (let i = 0; i < 9990; i++) input[`allowAnonymousField${String(i).padStart(5, '0')}${'x'.repeat(36)}`] = 'value';
    expect(JSON.stringify(input).length).toBeGreaterThan(700_000);
    const issues = issuesOf(() => parseCastConfig(input));
    expect(issues).toHaveLength(maxUnknownKeyIssues + 1);
    expect(issues[maxUnknownKeyIssues]).toEqual({ path: [], code: 'unknown_key', message: expect.stringContaining('9970 more unknown keys') });
  });
  it('computes "did you mean" only for the keys it lists', () => {
    const known = ['allowAnonymous', 'allowResume'];
    const keys = Array.from({ length: 5000 }, (_, i) => `alowAnonymous${i}`);
    const seen: string[] = [];
    const counting = new Proxy(known, {
      get(target, property, receiver) {
        if (property === Symbol.iterator) seen.push('scan');
        return Reflect.get(target, property, receiver) as unknown;
      },
    });
    expect(unknownKeyIssues([], keys, counting, 'a known field')).toHaveLength(maxUnknownKeyIssues + 1);
    expect(seen.length).toBeLessThanOrEqual(maxUnknownKeyIssues * 2);
  });
});

describe('wrong types (THREATS 9.8)', () => {
  it("refuses allowAnonymous 'false' (a non-empty string is truthy)", () => {
    expectIssue(parse({ allowAnonymous: 'false' }), ['allowAnonymous'], 'invalid_type');
  });
  it("refuses required 'true' in a remote-app argument", () => {
    expectIssue(parse({ remoteApp: { remoteAppName: '||a', args: [{ urlParamName: 'f', required: 'true' }] } }), ['remoteApp', 'args', 0, 'required'], 'invalid_type');
  });
  it('refuses args given as an object', () => {
    expectIssue(parse({ remoteApp: { remoteAppName: '||a', args: { urlParamName: 'f' } } }), ['remoteApp', 'args'], 'invalid_type');
  });
  it('refuses a root that is not an object', () => {
    for (const input of [null, undefined, [], 'config', 5, true]) {
      expectIssue(() => parseCastConfig(input), [], 'invalid_type');
    }
  });
  it('names every missing required field', () => {
    const issues = issuesOf(() => parseCastConfig({}));
    expect(issues).toEqual([
      { path: ['name'], code: 'invalid_type', message: 'is required' },
      { path: ['key'], code: 'invalid_type', message: 'is required' },
      { path: ['imageId'], code: 'invalid_type', message: 'is required' },
    ]);
  });
});

describe('key', () => {
  for (const [label, key] of [
    ['a colon', 'a:b'],
    ['a slash', 'a/b'],
    ['a space', 'a b'],
    ['non-ASCII letters', 'schlüssel'],
    ['129 characters', 'k'.repeat(129)],
    ['an empty string', ''],
  ] as const) {
    it(`refuses a key with ${label}`, () => {
      expectIssue(parse({ key }), ['key'], 'invalid_value');
    });
  }
  it('accepts 128 characters of A-Z a-z 0-9 _ -', () => {
    const key = 'aZ09_-'.repeat(21) + 'ab';
    expect(parseCastConfig({ ...base, key }).key).toBe(key);
  });
});

describe('URLs (THREATS 7.12)', () => {
  for (const url of [
    'javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    '//evil.example',
    'https://u@evil.example',
    'https://u:pw@evil.example/',
    '/relative',
    'file:///etc/passwd',
    'java\nscript:alert(1)',
    ' https://ok.example/',
    'https://ok.example/\r\nSet-Cookie: a=b',
    'ftp://files.example/',
  ]) {
    it(`refuses errorUrl ${JSON.stringify(url)} at errorUrl`, () => {
      expectIssue(parse({ errorUrl: url }), ['errorUrl'], 'invalid_url');
    });
  }
  it('refuses an errorUrl longer than 2048 characters', () => {
    expectIssue(parse({ errorUrl: `https://ok.example/${'a'.repeat(2048)}` }), ['errorUrl'], 'too_big');
  });
  it('accepts an https errorUrl with a query and a fragment, as written', () => {
    expect(parseCastConfig({ ...base, errorUrl: 'https://portal.example/err?error=x&lang=en#f' }).errorUrl).toBe(
      'https://portal.example/err?error=x&lang=en#f',
    );
  });
  it('applies the same rules to kasmUrl and launcherBackgroundUrl', () => {
    expectIssue(parse({ kasmUrl: 'javascript:alert(1)' }), ['kasmUrl'], 'invalid_url');
    expectIssue(parse({ launcherBackgroundUrl: 'https://u@cdn.example/bg.png' }), ['launcherBackgroundUrl'], 'invalid_url');
  });
});

describe('validUntil (THREATS 8.3–8.6)', () => {
  it('refuses a time without an offset, saying to give one', () => {
    const issue = expectIssue(parse({ validUntil: '2030-01-01T00:00:00' }), ['validUntil'], 'invalid_date');
    expect(issue.message).toContain('offset');
  });
  it('refuses a date without a time or offset, saying to give an offset', () => {
    expect(expectIssue(parse({ validUntil: '2030-01-01' }), ['validUntil'], 'invalid_date').message).toContain('offset');
  });
  for (const raw of [
    '2030-02-30T00:00:00Z',
    '2030-02-29T00:00:00Z',
    '2030-01-01T24:00:00Z',
    '2030-01-01T23:60:00Z',
    '2030-01-01T23:59:60Z',
    '2030-13-01T00:00:00Z',
    '2030-00-10T00:00:00Z',
    '2030-01-01T00:00:00+24:00',
    '2030-01-01T00:00:00+01:60',
  ]) {
    it(`refuses impossible fields: ${raw}`, () => {
      expect(expectIssue(parse({ validUntil: raw }), ['validUntil'], 'invalid_date').message).toContain('not a real date');
    });
  }
  for (const raw of ['01/02/2030', 'not a date', '2030-01-01T00:00:00z', '2030-01-01t00:00:00Z', '+275760-09-13T00:00:00.001Z', '']) {
    it(`refuses a string that is not strict ISO 8601: ${JSON.stringify(raw)}`, () => {
      expectIssue(parse({ validUntil: raw }), ['validUntil'], 'invalid_date');
    });
  }
  it('refuses numbers, seconds or milliseconds (never guessed)', () => {
    expectIssue(parse({ validUntil: 1767225600 }), ['validUntil'], 'invalid_type');
    expectIssue(parse({ validUntil: 1767225600000 }), ['validUntil'], 'invalid_type');
  });
  it('refuses an Invalid Date', () => {
    expectIssue(parse({ validUntil: new Date('garbage') }), ['validUntil'], 'invalid_date');
  });
  it('reads an offset as an instant (DST-free arithmetic)', () => {
    expect(parseCastConfig({ ...base, validUntil: '2030-03-10T02:30:00-05:00' }).validUntil?.toISOString()).toBe('2030-03-10T07:30:00.000Z');
    expect(parseCastConfig({ ...base, validUntil: '2030-01-01T00:30:00+01:00' }).validUntil?.toISOString()).toBe('2029-12-31T23:30:00.000Z');
  });
  it('accepts fractional seconds, a minute-precision time and a leap day', () => {
    expect(parseCastConfig({ ...base, validUntil: '2030-01-01T00:00:00.123456789Z' }).validUntil?.toISOString()).toBe('2030-01-01T00:00:00.123Z');
    expect(parseCastConfig({ ...base, validUntil: '2030-01-01T08:15Z' }).validUntil?.toISOString()).toBe('2030-01-01T08:15:00.000Z');
    expect(parseCastConfig({ ...base, validUntil: '2028-02-29T00:00:00Z' }).validUntil?.toISOString()).toBe('2028-02-29T00:00:00.000Z');
  });
  it('keeps validUntil as a Date', () => {
    expect(parseCastConfig({ ...base, validUntil: '2030-01-01T00:00:00Z' }).validUntil).toBeInstanceOf(Date);
  });
});

describe('allowedReferrers (THREATS 2.13)', () => {
  it('stores entries normalised: lower case, punycode, no trailing dot', () => {
    const config = parseCastConfig({ ...base, allowedReferrers: ['EXAMPLE.com.', 'münchen.de', '*.Example.ORG', ' padded.example ', '192.0.2.1', 'localhost'] });
    expect(config.allowedReferrers).toEqual(['example.com', 'xn--mnchen-3ya.de', '*.example.org', 'padded.example', '192.0.2.1', 'localhost']);
  });
  it('refuses a duplicate after normalisation, at its index', () => {
    const issue = expectIssue(parse({ allowedReferrers: ['example.com', 'Example.COM.'] }), ['allowedReferrers', 1], 'duplicate_value');
    expect(issue.message).toContain('entry 0');
  });
  it('refuses an IDN twice, once in Unicode and once in punycode', () => {
    expectIssue(parse({ allowedReferrers: ['xn--mnchen-3ya.de', 'MÜNCHEN.de'] }), ['allowedReferrers', 1], 'duplicate_value');
  });
  for (const entry of [
    'https://example.com/path',
    'example.com:443',
    '.example.com',
    '',
    'exa mple.com',
    '*',
    '*.com',
    '.',
    'com',
    'example..com',
    '-bad.example',
    '010.1.1.1',
    '127.1',
    '*.192.0.2.1',
    'user@example.com',
    '[::1]',
  ]) {
    it(`refuses the entry ${JSON.stringify(entry)} at its index`, () => {
      expectIssue(parse({ allowedReferrers: ['ok.example', entry] }), ['allowedReferrers', 1], 'invalid_value');
    });
  }
  it('applies the same rules to kasmUrlAllowedHosts', () => {
    expectIssue(parse({ kasmUrlAllowedHosts: ['*.com'] }), ['kasmUrlAllowedHosts', 0], 'invalid_value');
    expect(parseCastConfig({ ...base, kasmUrlAllowedHosts: ['Intranet.Example.'] }).kasmUrlAllowedHosts).toEqual(['intranet.example']);
  });
});

describe('allowedDockerNetworks', () => {
  it('refuses a name outside [A-Za-z0-9][A-Za-z0-9_.-]{0,127}, at its index', () => {
    for (const name of ['net work', '-net', '.net', 'container:abc', '', 'n'.repeat(129)]) {
      expectIssue(parse({ allowedDockerNetworks: ['ok', name] }), ['allowedDockerNetworks', 1], 'invalid_value');
    }
  });
});

describe('remoteApp patterns (THREATS 5.4)', () => {
  const withPattern = (valuePattern: string) => parse({ remoteApp: { remoteAppName: '||a', args: [{ urlParamName: 'f', valuePattern }] } });
  const at = ['remoteApp', 'args', 0, 'valuePattern'];
  for (const [pattern, reason] of [
    [String.raw`(a)\1`, 'invalid escape sequence'],
    ['a(?=b)', 'invalid perl operator'],
    ['(?<=a)b', 'invalid perl operator'],
    ['a++', 'bad repetition operator'],
    ['(?>a)', 'invalid perl operator'],
    ['a{1001}', 'invalid repetition size'],
    [String.raw`\C`, 'match any byte'],
    ['a)|(b', 'unexpected )'],
  ] as const) {
    it(`refuses ${pattern} at parse time, with RE2's message`, () => {
      expect(expectIssue(withPattern(pattern), at, 'invalid_pattern').message).toContain(reason);
    });
  }
  it('refuses a 5 KB pattern', () => {
    expectIssue(withPattern('a'.repeat(5 * 1024)), at, 'too_big');
  });
  it('reports a bad pattern at its own argument index', () => {
    expectIssue(
      parse({ remoteApp: { remoteAppName: '||a', args: [{ urlParamName: 'f' }, { urlParamName: 'g', valuePattern: 'a(?!b)' }] } }),
      ['remoteApp', 'args', 1, 'valuePattern'],
      'invalid_pattern',
    );
  });
  it('accepts what RE2 accepts: named groups and Unicode classes', () => {
    expect(() => withPattern('(?P<n>a)')()).not.toThrow();
    expect(() => withPattern(String.raw`\p{Greek}+`)()).not.toThrow();
  });
});

describe('remoteApp', () => {
  const app = (remoteApp: unknown) => parse({ remoteApp });
  it('refuses a name with a quote or a control character', () => {
    expectIssue(app({ remoteAppName: '||Excel" /x' }), ['remoteApp', 'remoteAppName'], 'invalid_value');
    expectIssue(app({ remoteAppName: '||Excel\n' }), ['remoteApp', 'remoteAppName'], 'invalid_value');
  });
  it('refuses an argument that adds nothing', () => {
    expectIssue(app({ remoteAppName: '||a', args: [{ required: true }] }), ['remoteApp', 'args', 0], 'invalid_value');
  });
  it('refuses control characters in a static value', () => {
    expectIssue(app({ remoteAppName: '||a', args: [{ argumentValue: 'a\u0000b' }] }), ['remoteApp', 'args', 0, 'argumentValue'], 'invalid_value');
  });
  it('refuses an unknown argPolicy', () => {
    const issue = expectIssue(app({ remoteAppName: '||a', argPolicy: 'lenient' }), ['remoteApp', 'argPolicy'], 'invalid_value');
    expect(issue.message).toBe('must be one of "default", "strict"');
  });
  it('defaults args to [] and argPolicy to default', () => {
    expect(parseCastConfig({ ...base, remoteApp: { remoteAppName: '||Notepad' } }).remoteApp).toEqual({
      remoteAppName: '||Notepad',
      args: [],
      argPolicy: 'default',
    });
  });
});

describe('parseRemoteApp', () => {
  it('validates, compiles, freezes and remembers a plain remote app', () => {
    const input = { remoteAppName: '||Microsoft Excel', args: [{ urlParamName: 'file', valuePattern: excelPattern }] };
    const before = structuredClone(input);
    const app = parseRemoteApp(input);
    expect(input).toEqual(before);
    expectDeepFrozen(app);
    expect(app.args[0]?.required).toBe(false);
    expect(compiledPatternsOf(app)?.[0]?.test('D:\\data\\a.csv')).toBe(true);
  });
  it('answers the remote app of a parsed config as it is', () => {
    const config = parseCastConfig(fullInput);
    expect(parseRemoteApp(config.remoteApp)).toBe(config.remoteApp);
  });
  it('throws CastConfigError with paths under remoteApp', () => {
    expectIssue(() => parseRemoteApp({ remoteAppName: '||a', args: [{ urlParamName: 'f', valuePattern: '(?=x)' }] }), ['remoteApp', 'args', 0, 'valuePattern'], 'invalid_pattern');
    expectIssue(() => parseRemoteApp({ args: [] }), ['remoteApp', 'remoteAppName'], 'invalid_type');
    expectIssue(() => parseRemoteApp(JSON.parse('{"remoteAppName":"||a","__proto__":{}}')), ['remoteApp', '__proto__'], 'forbidden_key');
    expectIssue(() => parseRemoteApp({ remoteAppName: '||a', arg: [] }), ['remoteApp', 'arg'], 'unknown_key');
    expectIssue(() => parseRemoteApp('||a'), ['remoteApp'], 'invalid_type');
  });
  it('counts its depth from inside a config: 31 more levels are allowed', () => {
    expectIssue(() => parseRemoteApp({ remoteAppName: '||a', x: nested(100, 'a') }), ['remoteApp', 'x', ...Array<string>(30).fill('a')], 'too_deep');
  });
});

describe('CastConfigError', () => {
  it('lists every issue as "✖ message" and "  → at path" lines', () => {
    const error = issuesError(parse({ sessionsRemaining: -1, remoteApp: { remoteAppName: '||a', args: [{ urlParamName: 'f', valuePattern: 'a++' }] } }));
    expect(error.message).toBe(
      '✖ must be at least 0\n  → at sessionsRemaining\n✖ is not a pattern RE2 accepts (bad repetition operator: ++)\n  → at remoteApp.args[0].valuePattern',
    );
    expect(error.name).toBe('CastConfigError');
    expect(error).toBeInstanceOf(Error);
  });
  it('shows a root issue without a path line', () => {
    expect(issuesError(() => parseCastConfig(5)).message).toBe('✖ must be an object');
  });
  it('never carries the offending values (they may be secrets)', () => {
    const secret = 'S3CRET-v4lue';
    const error = issuesError(
      parse({
        errorUrl: `javascript:${secret}`,
        key: `${secret}:x`,
        sessionsRemaining: secret,
        validUntil: `${secret}T`,
        allowedReferrers: [`https://${secret}.example/`, 'dup.example', 'DUP.example'],
        remoteApp: { remoteAppName: `||"${secret}`, args: [{ argumentValue: `\u0000${secret}` }] },
      }),
    );
    expect(error.issues.length).toBeGreaterThanOrEqual(7);
    expect(JSON.stringify(error.issues)).not.toContain(secret);
    expect(error.message).not.toContain(secret);
    expect(JSON.stringify(error.issues)).not.toContain('dup.example');
  });
  it('freezes its issues and their paths', () => {
    const error = issuesError(parse({ sessionsRemaining: -1 }));
    expect(Object.isFrozen(error.issues)).toBe(true);
    expect(Object.isFrozen(error.issues[0])).toBe(true);
    expect(Object.isFrozen(error.issues[0]?.path)).toBe(true);
  });
  it('lists at most 100 issues in its message but keeps all of them', () => {
    const error = issuesError(parse({ allowedReferrers: Array.from({ length: 150 }, (_, i) => `bad entry ${i}`) }));
    expect(error.issues).toHaveLength(150);
    expect(error.message.split('\n✖').length).toBe(100);
    expect(error.message.endsWith('… and 50 more problems')).toBe(true);
  });
  it('quotes keys that are not identifiers in paths', () => {
    expect(formatConfigPath(['remoteApp', 'args', 0, 'valuePattern'])).toBe('remoteApp.args[0].valuePattern');
    expect(formatConfigPath(['a b', 1, 'c'])).toBe('["a b"][1].c');
    expect(formatConfigPath([])).toBe('');
  });
});

describe('isCastConfigError', () => {
  it('recognises a CastConfigError', () => {
    expect(isCastConfigError(new CastConfigError([{ path: [], code: 'invalid_type', message: 'x' }]))).toBe(true);
  });
  it('recognises one made by another copy of castgate (no shared class), by its registered symbol', () => {
    const foreign = Object.assign(new Error('✖ x'), { name: 'CastConfigError', issues: [] as CastConfigIssue[] });
    Object.defineProperty(foreign, Symbol.for('castgate.CastConfigError'), { value: true });
    expect(isCastConfigError(foreign)).toBe(true);
  });
  it('refuses look-alikes without the brand, and non-objects', () => {
    expect(isCastConfigError(Object.assign(new Error('x'), { name: 'CastConfigError', issues: [] }))).toBe(false);
    expect(isCastConfigError(new TypeError('x'))).toBe(false);
    expect(isCastConfigError(null)).toBe(false);
    expect(isCastConfigError('CastConfigError')).toBe(false);
  });
});

describe('safeParseCastConfig', () => {
  it('answers success with the config', () => {
    const result = safeParseCastConfig(base);
    expect(result.success).toBe(true);
    expect(result.config?.name).toBe('Demo');
    expect(result.error).toBeUndefined();
  });
  it('answers failure with a CastConfigError', () => {
    const result = safeParseCastConfig({ ...base, allowAnonymous: 'yes' });
    expect(result.success).toBe(false);
    expect(isCastConfigError(result.error)).toBe(true);
    expect(result.config).toBeUndefined();
  });
  it('never throws, whatever it is given', () => {
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    for (const input of [revoked.proxy, Symbol('x'), 10n, () => 1, new Proxy([], { get: () => { throw new Error('boom'); } })]) {
      expect(() => safeParseCastConfig(input)).not.toThrow();
      expect(safeParseCastConfig(input).success).toBe(false);
    }
  });
});

describe('properties (fast-check)', () => {
  const knownKeys = ['name', 'key', 'imageId', 'allowAnonymous', 'sessionsRemaining', 'ipRateLimit', 'remoteApp', 'validUntil', 'allowedReferrers', 'errorUrl', 'clientSettings'];
  const validConfig = fc.record(
    {
      name: fc.string({ minLength: 1, maxLength: 20 }),
      key: fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/),
      imageId: fc.string({ minLength: 1, maxLength: 20 }),
      allowAnonymous: fc.boolean(),
      sessionsRemaining: fc.nat(),
      ipRateLimit: fc.record({ sessions: fc.integer({ min: 1, max: 10_000 }), withinSeconds: fc.integer({ min: 1, max: 2_592_000 }) }),
      allowedReferrers: fc.uniqueArray(fc.domain(), { maxLength: 5, selector: (d) => d.toLowerCase() }),
      validUntil: fc.date({ noInvalidDate: true }),
      remoteApp: fc.record({
        remoteAppName: fc.constantFrom('||Microsoft Excel', '||Notepad'),
        args: fc.array(fc.record({ urlParamName: fc.constantFrom('file', 'sheet'), required: fc.boolean(), valuePattern: fc.constantFrom('[a-z]+', excelPattern) }), { maxLength: 3 }),
      }),
    },
    { requiredKeys: ['name', 'key', 'imageId'] },
  );

  const onlyConfigErrors = (input: unknown) => {
    expectOnlyConfigErrors(parseCastConfig, input);
  };

  it('parsing arbitrary JSON throws nothing but CastConfigError and never mutates its input', () => {
    fc.assert(fc.property(fc.jsonValue(), onlyConfigErrors), { numRuns: 500 });
  });

  it('safeParseCastConfig never throws on arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (input) => {
        const result = safeParseCastConfig(input);
        expect(typeof result.success).toBe('boolean');
      }),
      { numRuns: 300 },
    );
  });

  it('accepts every valid config, frozen and registered, and parses its own output to an equal config', () => {
    fc.assert(
      fc.property(validConfig, (input) => {
        const config = parseCastConfig(input);
        expectDeepFrozen(config);
        expect(isParsedCastConfig(config)).toBe(true);
        expect(parseCastConfig(config)).toEqual(config);
      }),
      { numRuns: 200 },
    );
  });

  it('a valid config with one field replaced by arbitrary JSON throws only CastConfigError and is not mutated', () => {
    const key = fc.oneof(fc.constantFrom(...knownKeys, '__proto__', 'constructor', 'prototype'), fc.string());
    fc.assert(
      fc.property(validConfig, key, fc.jsonValue(), (config, name, value) => {
        const input = JSON.parse(JSON.stringify(config)) as Record<string, unknown>;
        // An own data property, even for "__proto__", as JSON.parse makes from a file.
        Object.defineProperty(input, name, { value, enumerable: true, writable: true, configurable: true });
        onlyConfigErrors(input);
      }),
      { numRuns: 300 },
    );
  });

  it('a nested remote-app argument replaced by arbitrary JSON throws only CastConfigError', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (arg) => {
        onlyConfigErrors({ ...base, remoteApp: { remoteAppName: '||a', args: [arg] } });
      }),
      { numRuns: 300 },
    );
  });
});

function issuesError(run: () => unknown): CastConfigError {
  try {
    run();
  } catch (error) {
    if (isCastConfigError(error)) return error;
    throw error;
  }
  throw new Error('expected a CastConfigError');
}

describe('remote app command-line length (SPEC §5)', () => {
  it('refuses, at parse time, static arguments that alone exceed the 7,999 code units RDP clients send, at remoteApp.args', () => {
    const big = 'x'.repeat(4000);
    const args = Array.from({ length: 2 }, () => ({ argumentName: '/v', argumentValue: big }));
    const result = safeParseCastConfig({ name: 'Big', key: 'big-0123456789abcdef', imageId: 'img', remoteApp: { remoteAppName: '||App', args } });
    expect(result.success).toBe(false);
    expect(result.error?.issues).toEqual([expect.objectContaining({ path: ['remoteApp', 'args'], code: 'too_big' })]);
  });

  it('does not count optional URL arguments, which a request may leave out', () => {
    const big = 'x'.repeat(4000);
    const args = [
      ...Array.from({ length: 1 }, () => ({ argumentName: '/v', argumentValue: big })),
      ...Array.from({ length: 6 }, (_, i) => ({ argumentName: `/opt${i}`.padEnd(1000, 'o'), urlParamName: `p${i}` })),
    ];
    expect(safeParseCastConfig({ name: 'Ok', key: 'ok-0123456789abcdef', imageId: 'img', remoteApp: { remoteAppName: '||App', args } }).success).toBe(true);
  });
});
