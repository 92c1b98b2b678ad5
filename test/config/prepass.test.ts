import { describe, expect, it } from 'vitest';
import { parseCastConfig, safeParseCastConfig } from '../../src/config/parse.js';
import { base, expectIssue, issuesOf, nested, parse } from './helpers.js';

// The pre-pass (src/config/prepass.ts) over raw input, seen through parseCastConfig: prototype keys,
// size caps and plain data, refused before the schema reads anything.

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
