// The fixtures format of `castgate test` (SPEC §12) as the schema reads it, on values: the request
// forms (query string or object, user id or { id }, now), the expectations, and the path-bearing
// messages of a file that is not a fixtures file.
import fc from 'fast-check';
import { castErrorCodes } from 'castgate';
import { describe, expect, it } from 'vitest';
import {
  describeFixturesError,
  fixturesSchema,
  parseFixtureNow,
  parseFixtureQuery,
  toCastRequest,
  toExpectation,
} from '../../src/cli/fixtures-schema.js';

const validCase = { name: 'allowed', config: 'web', request: { ip: '203.0.113.9' }, expect: { allowed: true } };

function problemsOf(value: unknown): string[] {
  const result = fixturesSchema.safeParse(value);
  if (result.success) throw new Error('expected the value to be refused');
  return describeFixturesError(result.error);
}

describe('fixtures schema: the query string form', () => {
  it('reads a=b&c=d as the same pairs URLSearchParams would, with or without a leading ?', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string({ minLength: 1 }), fc.string())), (pairs) => {
        const text = new URLSearchParams(pairs).toString();
        expect([...parseFixtureQuery(text)]).toEqual(pairs);
        expect([...parseFixtureQuery(`?${text}`)]).toEqual(pairs);
      }),
    );
  });

  it('never throws on any string, and keeps a repeated name repeated (the engine refuses it)', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(parseFixtureQuery(text)).toBeInstanceOf(URLSearchParams);
      }),
    );
    expect(parseFixtureQuery('file=a&file=b').getAll('file')).toEqual(['a', 'b']);
  });

  it('decodes + and percent escapes: file=C%3A%5CReports+Q1.xlsx', () => {
    expect(parseFixtureQuery('file=C%3A%5CReports+Q1.xlsx').get('file')).toBe('C:\\Reports Q1.xlsx');
  });

  it('passes an object query through as it is, arrays included', () => {
    const request = toCastRequest({ ip: '192.0.2.1', query: { file: 'a.pdf', tag: ['x', 'y'] } });
    expect(request.query).toEqual({ file: 'a.pdf', tag: ['x', 'y'] });
  });
});

describe('fixtures schema: the request', () => {
  it('reads user as an id string or { id }, and null or absent as anonymous', () => {
    expect(toCastRequest({ ip: '192.0.2.1', user: 'alice' }).user).toEqual({ id: 'alice' });
    expect(toCastRequest({ ip: '192.0.2.1', user: { id: 'bob' } }).user).toEqual({ id: 'bob' });
    expect(toCastRequest({ ip: '192.0.2.1', user: null })).not.toHaveProperty('user');
    expect(toCastRequest({ ip: '192.0.2.1' })).toEqual({ ip: '192.0.2.1' });
  });

  it('reads now as a date (UTC midnight) or an instant with an offset, and refuses impossible dates', () => {
    expect(parseFixtureNow('2030-01-01')?.toISOString()).toBe('2030-01-01T00:00:00.000Z');
    expect(parseFixtureNow('2030-03-10T02:30:00-05:00')?.toISOString()).toBe('2030-03-10T07:30:00.000Z');
    expect(parseFixtureNow('2030-02-30')).toBeUndefined();
    expect(parseFixtureNow('2030-01-01T12:00:00')).toBeUndefined();
    expect(parseFixtureNow('tomorrow')).toBeUndefined();
  });

  it('gives every instant back exactly: toISOString round-trips', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }), (date) => {
        expect(parseFixtureNow(date.toISOString())?.getTime()).toBe(date.getTime());
      }),
    );
  });

  it('keeps referrer and captchaToken, null included', () => {
    const request = toCastRequest({ ip: '192.0.2.1', referrer: null, captchaToken: 'solved' });
    expect(request).toEqual({ ip: '192.0.2.1', referrer: null, captchaToken: 'solved' });
  });
});

describe('fixtures schema: expectations', () => {
  it('reads { allowed: true } and { code } for every castgate error code', () => {
    expect(toExpectation({ allowed: true })).toEqual({ allowed: true });
    for (const code of castErrorCodes) {
      const parsed = fixturesSchema.parse({ configs: {}, cases: [{ ...validCase, expect: { code } }] });
      expect(toExpectation(parsed.cases[0]!.expect)).toEqual({ code });
    }
  });

  it('refuses an unknown code with its path and a suggestion: rate_limted, expired', () => {
    expect(problemsOf({ configs: {}, cases: [{ ...validCase, expect: { code: 'rate_limted' } }] })).toEqual([
      'cases[0].expect.code: is not a castgate error code (did you mean "rate_limited"?)',
    ]);
    expect(problemsOf({ configs: {}, cases: [{ ...validCase, expect: { code: 'expired' } }] })).toEqual([
      'cases[0].expect.code: is not a castgate error code (did you mean "link_expired"?)',
    ]);
  });

  it('refuses { allowed: false }, both at once, and neither', () => {
    expect(problemsOf({ configs: {}, cases: [{ ...validCase, expect: { allowed: false } }] })).toEqual([
      'cases[0].expect.allowed: must be true (for a denial, expect { "code": "<error code>" })',
    ]);
    expect(problemsOf({ configs: {}, cases: [{ ...validCase, expect: { allowed: true, code: 'rate_limited' } }] })).toEqual([
      'cases[0].expect: must be { "allowed": true } or { "code": "<error code>" }',
    ]);
    expect(problemsOf({ configs: {}, cases: [{ ...validCase, expect: {} }] })).toEqual([
      'cases[0].expect: must be { "allowed": true } or { "code": "<error code>" }',
    ]);
  });
});

describe('fixtures schema: a value that is not a fixtures file', () => {
  it('names each problem with its path: a missing field, a wrong type, an empty name', () => {
    expect(problemsOf({ configs: {}, cases: [{ config: 'web', request: { ip: 7 }, expect: { allowed: true }, name: '' }] })).toEqual([
      'cases[0].name: must not be empty',
      'cases[0].request.ip: must be a string',
    ]);
    expect(problemsOf({ cases: [validCase] })).toEqual(['configs: is required']);
    expect(problemsOf([])).toEqual(['(root): must be an object']);
  });

  it('names an unknown field and suggests the known one: "expected" for "expect"', () => {
    const { expect: expectation, ...rest } = validCase;
    expect(problemsOf({ configs: {}, cases: [{ ...rest, expected: expectation }] })).toEqual([
      'cases[0].expect: is required',
      'cases[0]: unknown field "expected" (did you mean "expect"?)',
    ]);
  });

  it('refuses a repeat that is not a whole number from 1 to 100000', () => {
    expect(problemsOf({ configs: {}, cases: [{ ...validCase, repeat: 0 }] })).toEqual(['cases[0].repeat: must be at least 1']);
    expect(problemsOf({ configs: {}, cases: [{ ...validCase, repeat: 1.5 }] })).toEqual(['cases[0].repeat: must be a whole number']);
    expect(problemsOf({ configs: {}, cases: [{ ...validCase, repeat: 100_001 }] })).toEqual(['cases[0].repeat: must be at most 100000']);
  });

  it('refuses a user, query or now of the wrong form with what the form is', () => {
    const problems = problemsOf({ configs: {}, cases: [{ ...validCase, request: { ip: '192.0.2.1', user: 42, query: 5, now: '2030-02-30' } }] });
    expect(problems).toEqual([
      'cases[0].request.query: must be a query string ("a=b&c=d") or an object of strings (or arrays of strings)',
      'cases[0].request.user: must be a user id (a non-empty string), { "id": "<user id>" }, or null for anonymous',
      'cases[0].request.now: must be an ISO 8601 date (2030-01-01) or a date and time with an offset (2030-01-01T12:00:00Z)',
    ]);
  });

  it('needs at least one case, and captcha.pass to be a list of strings', () => {
    expect(problemsOf({ configs: {}, cases: [] })).toEqual(['cases: needs at least one case']);
    expect(problemsOf({ configs: {}, captcha: { pass: 'solved' }, cases: [validCase] })).toEqual(['captcha.pass: must be an array']);
  });
});
