import { describe, expect, it } from 'vitest';
import { domainMatcherOf, hostIsListed, httpHostOf } from '../../src/net/domain-match.js';

const listed = (referrer: string, entries: string[]) => {
  const host = httpHostOf(referrer);
  return host !== null && hostIsListed(host, domainMatcherOf(entries));
};

describe('referrer host matching (SPEC §3.2, THREATS §2)', () => {
  const plain = ['example.com'];

  it.each([
    ['https://badexample.com/', '2.1 suffix look-alike'],
    ['https://example.com.evil.net/', '2.2 prefix look-alike'],
    ['https://example.com%2eevil.net/', '2.3 percent-encoded dot'],
    ['https://EXAMPLE.COM。evil.net/', '2.3 ideographic dot'],
    ['https://example.com@evil.net/', '2.4 userinfo'],
    ['https://evil.net\\@example.com/', '2.5 backslash'],
    ['https://evil.net/?r=https://example.com/', '2.6 referrer in query'],
    ['https://docs.example.com/', '2.7 subdomain of a plain entry'],
    ['null', '2.9 opaque'],
    ['about:blank', '2.9 about:blank'],
    ['not a url', '2.9 garbage'],
    ['android-app://example.com/', '2.10 non-web scheme'],
    ['file://example.com/x', '2.10 file'],
    ['blob:https://example.com/0b3c', '2.10 blob'],
    [`https://example.com/${'a'.repeat(100_000)}`, '2.14 over-long header'],
  ])('refuses %s (%s)', (referrer) => {
    expect(listed(referrer, plain)).toBe(false);
  });

  it.each([
    'https://example.com/',
    'https://EXAMPLE.com:8443/x?y=1',
    'https://example.com./',
    'http://example.com/path',
    'https://user:pw@example.com/',
  ])('admits %s for the plain entry example.com', (referrer) => {
    expect(listed(referrer, plain)).toBe(true);
  });

  it('admits subdomains of a wildcard entry on a label boundary only', () => {
    const wildcard = ['*.example.com'];
    expect(listed('https://docs.example.com/', wildcard)).toBe(true);
    expect(listed('https://a.b.example.com./', wildcard)).toBe(true);
    expect(listed('https://example.com/', wildcard)).toBe(false);
    expect(listed('https://badexample.com/', wildcard)).toBe(false);
    expect(listed('https://example.com.evil.net/', wildcard)).toBe(false);
  });

  it('compares IDNs in punycode both ways (THREATS 2.8)', () => {
    expect(listed('https://münchen.de/', ['xn--mnchen-3ya.de'])).toBe(true);
    expect(listed('https://xn--mnchen-3ya.de/', ['xn--mnchen-3ya.de'])).toBe(true);
  });

  it('never admits an IP literal for a domain entry (THREATS 2.11)', () => {
    expect(listed('https://127.0.0.1/', ['localhost'])).toBe(false);
    expect(listed('https://0x7f.1/', ['127.0.0.1'])).toBe(true);
  });
});
