import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCastConfigError } from '../../src/config/errors.js';
import { isParsedCastConfig, parseCastConfig, parseRemoteApp, safeParseCastConfig } from '../../src/config/parse.js';
import type { CastConfigInput } from '../../src/config/schema.js';
import { compiledPatternsOf } from '../../src/remote-app/compiled.js';
import { base, expectDeepFrozen, expectIssue, expectOnlyConfigErrors, nested } from './helpers.js';

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
