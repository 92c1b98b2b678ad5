import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasControlCharacter, replaceControlCharacters } from '../../src/net/control-characters.js';

const isControl = (unit: number): boolean => unit <= 0x1f || unit === 0x7f;

describe('control characters (C0 and DEL)', () => {
  it.each(['\u0000', 'a\nb', 'tab\there', 'bell\u0007', 'del\u007f', '\u001f'])('finds one in %j', (text) => {
    expect(hasControlCharacter(text)).toBe(true);
  });

  it.each(['', 'plain text', 'C:\\Reports\\Q1 2030.xlsx', 'next line\u0085 (C1)', 'é😀', '\u00a0'])('finds none in %j (C1 and non-ASCII are not C0)', (text) => {
    expect(hasControlCharacter(text)).toBe(false);
  });

  it('finds one exactly when a code unit is U+0000–U+001F or U+007F (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const expected = Array.from({ length: text.length }, (_, index) => text.charCodeAt(index)).some(isControl);
        expect(hasControlCharacter(text)).toBe(expected);
        expect(hasControlCharacter(text)).toBe(hasControlCharacter(text)); // stateless: no lastIndex carried
      }),
    );
  });

  it('replaces each run of them, leaving no control character behind (property)', () => {
    expect(replaceControlCharacters('a\r\n\tb\u007fc', ' ')).toBe('a b c');
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const replaced = replaceControlCharacters(text, ' ');
        expect(hasControlCharacter(replaced)).toBe(false);
        expect(replaced.length).toBeLessThanOrEqual(text.length);
      }),
    );
  });
});
