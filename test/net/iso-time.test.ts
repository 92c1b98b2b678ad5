import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIsoInstant } from '../../src/net/iso-time.js';

describe('ISO 8601 instants', () => {
  it('reads an instant with an offset to the millisecond', () => {
    expect(parseIsoInstant('2030-01-01T00:00:00Z')).toBe(Date.UTC(2030, 0, 1));
    expect(parseIsoInstant('2030-01-01T00:30:00+01:00')).toBe(Date.UTC(2029, 11, 31, 23, 30));
    expect(parseIsoInstant('2030-03-10T02:30:00-05:00')).toBe(Date.UTC(2030, 2, 10, 7, 30));
    expect(parseIsoInstant('2030-01-01T08:15Z')).toBe(Date.UTC(2030, 0, 1, 8, 15));
    expect(parseIsoInstant('2030-01-01T00:00:00.123456789Z')).toBe(Date.UTC(2030, 0, 1) + 123);
    expect(parseIsoInstant('1970-01-01T00:00:01.001Z')).toBe(1001);
    expect(parseIsoInstant('0050-06-01T00:00:00Z')).toBe(new Date('0050-06-01T00:00:00Z').getTime());
  });

  it('says why a string is not an instant', () => {
    expect(parseIsoInstant('2030-01-01T00:00:00')).toBe('no_offset');
    expect(parseIsoInstant('2030-01-01')).toBe('no_offset');
    expect(parseIsoInstant('01/02/2030')).toBe('not_iso');
    expect(parseIsoInstant('+275760-09-13T00:00:00.001Z')).toBe('not_iso');
    for (const raw of ['2030-02-30T00:00:00Z', '2030-02-29T00:00:00Z', '2030-01-01T24:00:00Z', '2030-01-01T23:60:00Z', '2030-01-01T23:59:60Z',
      '2030-13-01T00:00:00Z', '2030-00-10T00:00:00Z', '2030-01-01T00:00:00+24:00', '2030-01-01T00:00:00+01:60']) {
      expect(parseIsoInstant(raw)).toBe('not_a_real_time');
    }
  });

  it('strict syntax (configs) wants upper-case T and Z and a colon in the offset; lenient (providers) does not', () => {
    for (const raw of ['2030-01-01t00:00:00Z', '2030-01-01T00:00:00z', '2030-01-01T01:00:00+0100']) {
      expect(parseIsoInstant(raw)).toBe('not_iso');
      expect(parseIsoInstant(raw, 'lenient')).toBe(Date.UTC(2030, 0, 1));
    }
  });

  it('round-trips every instant toISOString writes, in both syntaxes (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.parse('0000-01-01T00:00:00Z'), max: Date.parse('9999-12-31T23:59:59.999Z') }), (ms) => {
        const text = new Date(ms).toISOString();
        expect(parseIsoInstant(text)).toBe(ms);
        expect(parseIsoInstant(text, 'lenient')).toBe(ms);
      }),
    );
  });

  it('agrees with Date on every instant written with an offset (property)', () => {
    const two = (n: number) => String(n).padStart(2, '0');
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(2200, 0, 1) }),
        fc.integer({ min: -23, max: 23 }),
        fc.integer({ min: 0, max: 59 }),
        (ms, offsetHours, offsetMinutes) => {
          const sign = offsetHours < 0 ? '-' : '+';
          const offsetMs = (offsetHours < 0 ? -1 : 1) * (Math.abs(offsetHours) * 60 + offsetMinutes) * 60_000;
          const local = new Date(ms + offsetMs).toISOString().slice(0, -1);
          const raw = `${local}${sign}${two(Math.abs(offsetHours))}:${two(offsetMinutes)}`;
          expect(parseIsoInstant(raw)).toBe(ms);
        },
      ),
    );
  });
});
