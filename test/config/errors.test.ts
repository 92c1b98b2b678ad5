import { describe, expect, it } from 'vitest';
import { CastConfigError, formatConfigPath, isCastConfigError, type CastConfigIssue } from '../../src/config/errors.js';
import { parseCastConfig } from '../../src/config/parse.js';
import { parse } from './helpers.js';

/** The CastConfigError `run` throws; fails the test when it throws nothing or something else. */
function issuesError(run: () => unknown): CastConfigError {
  try {
    run();
  } catch (error) {
    if (isCastConfigError(error)) return error;
    throw error;
  }
  throw new Error('expected a CastConfigError');
}

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
