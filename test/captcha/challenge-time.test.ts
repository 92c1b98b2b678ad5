import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkChallengeTime, parseChallengeTimestamp } from '../../src/captcha/challenge-time.js';

const now = Date.UTC(2030, 0, 1, 12, 0, 0);

describe('challenge_ts', () => {
  it('reads the providers\' formats: Z, an offset, hCaptcha\'s microseconds', () => {
    expect(parseChallengeTimestamp('2030-01-01T12:00:00Z')).toBe(now);
    expect(parseChallengeTimestamp('2030-01-01T13:00:00+01:00')).toBe(now);
    expect(parseChallengeTimestamp('2030-01-01T07:00:00-0500')).toBe(now);
    expect(parseChallengeTimestamp('2030-01-01T12:00:00.000000Z')).toBe(now);
    expect(parseChallengeTimestamp('2030-01-01T12:00:00.250Z')).toBe(now + 250);
  });

  it('refuses a timestamp without an offset, impossible fields, or a non-string', () => {
    for (const value of ['2030-01-01T12:00:00', '2030-02-30T00:00:00Z', '2030-13-01T00:00:00Z', '2030-01-01T24:00:00Z',
      '2030-01-01T12:00:60Z', '2030-01-01 12:00:00Z', 'yesterday', '', 1_893_499_200, null]) {
      expect(parseChallengeTimestamp(value)).toBeUndefined();
    }
  });

  it('accepts 29 February in a leap year only', () => {
    expect(parseChallengeTimestamp('2028-02-29T00:00:00Z')).toBe(Date.UTC(2028, 1, 29));
    expect(parseChallengeTimestamp('2030-02-29T00:00:00Z')).toBeUndefined();
  });

  it('passes a fresh challenge and fails a stale, a future or a missing one', () => {
    expect(checkChallengeTime('2030-01-01T11:59:00Z', now, 120)).toBeUndefined();
    expect(checkChallengeTime('2030-01-01T11:50:00Z', now, 120)).toBe('challenge is older than 120 seconds');
    expect(checkChallengeTime('2030-01-01T12:00:20Z', now, 120)).toBeUndefined();
    expect(checkChallengeTime('2030-01-01T12:01:00Z', now, 120)).toBe('challenge timestamp is in the future');
    expect(checkChallengeTime(undefined, now, 120)).toBe('challenge timestamp is missing or invalid');
  });

  it('round-trips every instant written by toISOString (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(2200, 0, 1) }), (ms) => {
        expect(parseChallengeTimestamp(new Date(ms).toISOString())).toBe(ms);
      }),
    );
  });
});
