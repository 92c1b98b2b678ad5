import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeHostname, withoutTrailingDot } from '../../src/net/host.js';

describe('host names', () => {
  it.each([
    ['Example.COM', 'example.com'],
    ['example.com.', 'example.com'],
    ['Bücher.DE.', 'xn--bcher-kva.de'],
    ['010.1.1.1', '8.1.1.1'],
    ['localhost', 'localhost'],
  ])('normalises %s to %s', (input, host) => {
    expect(normalizeHostname(input)).toBe(host);
  });

  it.each(['', '.', 'example.com..', '.example.com', 'example.com/evil', 'example.com:443', 'user@example.com', 'exa mple.com', 'a%2eb.com', 'https://example.com', 'a<b.com', '999.1.1.1'])(
    'refuses %j: not a bare host name',
    (input) => {
      expect(normalizeHostname(input)).toBeUndefined();
    },
  );

  it('refuses a name longer than the limit', () => {
    expect(normalizeHostname(`${'a'.repeat(60)}.`.repeat(5), 256)).toBeUndefined();
    expect(normalizeHostname(`${'a'.repeat(60)}.`.repeat(5) + 'com', Number.POSITIVE_INFINITY)).toBe(`${'a'.repeat(60)}.`.repeat(5) + 'com');
  });

  it('is idempotent: a normalised host normalises to itself (property)', () => {
    fc.assert(
      fc.property(fc.domain(), (domain) => {
        const once = normalizeHostname(domain);
        if (once !== undefined) expect(normalizeHostname(once)).toBe(once);
      }),
    );
  });

  it('drops one trailing dot, no more', () => {
    expect(withoutTrailingDot('example.com.')).toBe('example.com');
    expect(withoutTrailingDot('example.com..')).toBe('example.com.');
    expect(withoutTrailingDot('example.com')).toBe('example.com');
  });
});
