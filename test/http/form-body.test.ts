import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { castFormBodyLimit, checkFormHeaders, parseFormBytes } from '../../src/http/form-body.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('form bodies', () => {
  it('reads back any form URLSearchParams writes, field for field (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' })), { maxLength: 20 }), (pairs) => {
        const encoded = new URLSearchParams(pairs).toString();
        const parsed = parseFormBytes(bytes(encoded));
        if (!parsed.ok) return encoded.length > castFormBodyLimit;
        const expected = new Map<string, string[]>();
        for (const [name, value] of new URLSearchParams(encoded)) expected.set(name, [...(expected.get(name) ?? []), value]);
        expect(parsed.fields).toEqual(expected);
        return true;
      }),
    );
  });

  it('never throws, whatever the bytes; refuses what is not UTF-8 or has a broken escape (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (raw) => {
        const parsed = parseFormBytes(raw);
        if (parsed.ok) expect(() => new TextDecoder('utf-8', { fatal: true }).decode(raw)).not.toThrow();
      }),
    );
    expect(parseFormBytes(bytes('a=%zz'))).toEqual({ ok: false, problem: 'malformed' });
    expect(parseFormBytes(bytes('a=%C0%AF'))).toEqual({ ok: false, problem: 'malformed' });
    expect(parseFormBytes(new Uint8Array([0x61, 0x3d, 0xff]))).toEqual({ ok: false, problem: 'malformed' });
  });

  it('refuses a body over 16 KB or with more than 32 fields as too large', () => {
    expect(parseFormBytes(new Uint8Array(castFormBodyLimit + 1).fill(0x61))).toEqual({ ok: false, problem: 'too_large' });
    expect(parseFormBytes(new Uint8Array(castFormBodyLimit).fill(0x61)).ok).toBe(true);
    expect(parseFormBytes(bytes(Array.from({ length: 33 }, (_, i) => `f${i}=1`).join('&')))).toEqual({ ok: false, problem: 'too_large' });
  });

  it('accepts UTF-8 form types only, and no content encoding but identity', () => {
    expect(checkFormHeaders('application/x-www-form-urlencoded', undefined, true)).toBeUndefined();
    expect(checkFormHeaders('Application/X-WWW-Form-Urlencoded; Charset="UTF-8"', 'identity', true)).toBeUndefined();
    expect(checkFormHeaders(undefined, undefined, false)).toBeUndefined();
    for (const [type, encoding] of [
      ['application/x-www-form-urlencoded; charset=utf-7', undefined],
      ['application/x-www-form-urlencoded; charset=iso-8859-1', undefined],
      ['application/x-www-form-urlencoded', 'gzip'],
      ['application/x-www-form-urlencoded', 'br, identity'],
      ['multipart/form-data; boundary=x', undefined],
      ['text/plain', undefined],
      [undefined, undefined],
    ] as const) {
      expect(checkFormHeaders(type, encoding, true), `${String(type)} ${String(encoding)}`).toBe('unsupported');
    }
  });
});
