import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { invalidQueryValue, readQueryParam } from '../../src/contract/query.js';

describe('readQueryParam (SPEC §2: repeated or non-string values are refused, own properties only)', () => {
  it('reads a single value from URLSearchParams, absent as undefined, repeated as invalid', () => {
    expect(readQueryParam(new URLSearchParams('file=a'), 'file')).toBe('a');
    expect(readQueryParam(new URLSearchParams('file='), 'file')).toBe('');
    expect(readQueryParam(new URLSearchParams('other=a'), 'file')).toBeUndefined();
    expect(readQueryParam(new URLSearchParams('file=a&file=b'), 'file')).toBe(invalidQueryValue);
    expect(readQueryParam(new URLSearchParams('file=a&file=a'), 'file')).toBe(invalidQueryValue);
  });

  it('reads plain objects as frameworks parse them', () => {
    expect(readQueryParam({ file: 'a' }, 'file')).toBe('a');
    expect(readQueryParam({ file: ['a'] }, 'file')).toBe('a');
    expect(readQueryParam({ file: ['a', 'b'] }, 'file')).toBe(invalidQueryValue);
    expect(readQueryParam({ file: undefined }, 'file')).toBeUndefined();
    expect(readQueryParam(undefined, 'file')).toBeUndefined();
  });

  it('refuses nested objects, numbers and objects with toString (THREATS 6.10)', () => {
    for (const value of [{ a: 'b' }, 42, { toString: () => 'C:\\a.xlsx' }, null, [1]]) {
      expect(readQueryParam({ file: value } as unknown as Record<string, string>, 'file')).toBe(invalidQueryValue);
    }
  });

  it('never reads a prototype property: constructor, __proto__, hasOwnProperty (THREATS 6.11)', () => {
    for (const name of ['constructor', '__proto__', 'hasOwnProperty', 'toString']) expect(readQueryParam({}, name)).toBeUndefined();
    const shadow = Object.create({ file: 'from the prototype' }) as Record<string, string>;
    expect(readQueryParam(shadow, 'file')).toBeUndefined();
  });

  it('agrees between URLSearchParams and the parsed object for any single value (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1 }), (value, name) => {
        const params = new URLSearchParams();
        params.append(name, value);
        expect(readQueryParam(params, name)).toBe(value);
        expect(readQueryParam({ [name]: value }, name)).toBe(Object.hasOwn({ [name]: value }, name) ? value : undefined);
      }),
    );
  });
});
