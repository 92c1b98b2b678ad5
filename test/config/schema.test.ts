import { describe, expect, it } from 'vitest';
import { parseCastConfig, safeParseCastConfig } from '../../src/config/parse.js';
import { base, expectIssue, issuesOf, parse } from './helpers.js';

// The camelCase schema (src/config/schema.ts), seen through parseCastConfig: each field's rules.

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
