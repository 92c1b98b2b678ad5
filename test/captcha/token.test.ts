import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { captchaTokenLengthCeiling, captchaTokenProblem, isPlausibleCaptchaToken } from '../../src/captcha/token.js';

const printable = fc.integer({ min: 0x21, max: 0x7e }).map((code) => String.fromCharCode(code));

describe('captcha token pre-check', () => {
  it('accepts the shape of real tokens: printable ASCII without whitespace', () => {
    expect(isPlausibleCaptchaToken('03AGdBq24PBCbwiDRaS_MJ7Z.gQ-xyz')).toBe(true);
    expect(isPlausibleCaptchaToken('P1_eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.hKdwYXNza2V5')).toBe(true);
    expect(isPlausibleCaptchaToken('XXXX.DUMMY.TOKEN.XXXX')).toBe(true);
  });

  it('refuses an empty token', () => {
    expect(isPlausibleCaptchaToken('')).toBe(false);
    expect(captchaTokenProblem('', 2048)).toBe('token is empty');
  });

  it('refuses a token with CR LF, a space or a tab', () => {
    for (const token of ['abc\r\ndef', 'abc def', 'abc\tdef', '\nabc']) expect(isPlausibleCaptchaToken(token)).toBe(false);
    expect(captchaTokenProblem('abc\r\ndef', 2048)).toBe('token has characters other than printable ASCII');
  });

  it('refuses non-ASCII look-alikes and control characters', () => {
    for (const token of ['tökén', 'abc\u0000', 'abc\u007f', 'ａｂｃ', 'abc\u200b']) expect(isPlausibleCaptchaToken(token)).toBe(false);
  });

  it('refuses anything that is not a string: an array from ?t=a&t=b, a number, null', () => {
    for (const token of [['a', 'b'], 42, null, undefined, { toString: () => 'abc' }]) {
      expect(isPlausibleCaptchaToken(token)).toBe(false);
    }
    expect(captchaTokenProblem(['a', 'b'], 2048)).toBe('token is not a string');
  });

  it('refuses a 10 KB token at a 2048 limit and names the limit, not the token', () => {
    const token = 'a'.repeat(10 * 1024);
    expect(isPlausibleCaptchaToken(token, 2048)).toBe(false);
    expect(captchaTokenProblem(token, 2048)).toBe('token is longer than 2048 characters');
  });

  it('accepts a token of exactly maxLength characters and refuses one more', () => {
    expect(isPlausibleCaptchaToken('a'.repeat(2048), 2048)).toBe(true);
    expect(isPlausibleCaptchaToken('a'.repeat(2049), 2048)).toBe(false);
  });

  it('defaults to a ceiling above real hCaptcha tokens (over 4,000 characters) and below 10 KB', () => {
    expect(captchaTokenLengthCeiling).toBe(8192);
    expect(isPlausibleCaptchaToken('P1_' + 'a'.repeat(5000))).toBe(true);
    expect(isPlausibleCaptchaToken('a'.repeat(captchaTokenLengthCeiling + 1))).toBe(false);
    expect(isPlausibleCaptchaToken('a'.repeat(10 * 1024))).toBe(false);
  });

  it('throws a TypeError for a maxLength that is not a positive integer', () => {
    for (const maxLength of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => isPlausibleCaptchaToken('abc', maxLength)).toThrow(TypeError);
    }
  });

  it('accepts every string of printable ASCII from 1 to maxLength characters (property)', () => {
    fc.assert(
      fc.property(fc.array(printable, { minLength: 1, maxLength: 300 }), fc.integer({ min: 1, max: 400 }), (chars, maxLength) => {
        const token = chars.join('');
        expect(isPlausibleCaptchaToken(token, maxLength)).toBe(token.length <= maxLength);
      }),
    );
  });

  it('refuses every string holding a character outside 0x21-0x7E (property)', () => {
    const outside = fc
      .oneof(fc.integer({ min: 0, max: 0x20 }), fc.integer({ min: 0x7f, max: 0xffff }))
      .map((code) => String.fromCharCode(code));
    fc.assert(
      fc.property(fc.array(printable, { maxLength: 50 }), outside, fc.array(printable, { maxLength: 50 }), (before, bad, after) => {
        const token = before.join('') + bad + after.join('');
        expect(isPlausibleCaptchaToken(token)).toBe(false);
        expect(captchaTokenProblem(token, 2048)).toBe('token has characters other than printable ASCII');
      }),
    );
  });
});
