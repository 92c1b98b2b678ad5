import { describe, expect, it } from 'vitest';
import { parseCastConfig } from '../../src/config/parse.js';
import { maxUnknownKeyIssues, unknownKeyIssues } from '../../src/config/unknown-keys.js';
import { base, expectIssue, issuesOf, parse } from './helpers.js';

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
