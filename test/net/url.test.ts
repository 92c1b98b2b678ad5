import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { controlOrSpace, parseHttpUrl, readHttpUrl } from '../../src/net/url.js';

describe('an acceptable http(s) URL', () => {
  it.each(['https://example.com/', 'http://example.com:8080/a?b=c#d', 'https://xn--bcher-kva.de/', 'https://192.0.2.1/'])('accepts %s', (raw) => {
    expect(readHttpUrl(raw)).toBeInstanceOf(URL);
  });

  it.each([
    ['javascript:alert(1)', 'not_http'],
    ['ftp://example.com/', 'not_http'],
    ['//example.com/', 'not_http'],
    ['example.com', 'not_http'],
    ['https://user:pass@example.com/', 'user_info'],
    ['https://user@example.com/', 'user_info'],
    ['https://example.com/a b', 'control_or_space'],
    [' https://example.com/', 'control_or_space'],
    ['https://example.com/\t', 'control_or_space'],
    ['https://exa\u0085mple.com/', 'control_or_space'],
    ['https://example.com/\u2028', 'control_or_space'],
    ['https://example.com/\u00a0', 'control_or_space'],
  ])('refuses %j: %s', (raw, problem) => {
    expect(readHttpUrl(raw)).toBe(problem);
  });

  it('never answers a URL for a string with a control or space character (property)', () => {
    const bad = fc.constantFrom('\u0000', '\u001f', ' ', '\u007f', '\u0080', '\u009f', '\u00a0', '\u2028', '\u3000', '\n');
    fc.assert(
      fc.property(fc.string(), bad, fc.string(), (before, control, after) => {
        expect(readHttpUrl(`https://example.com/${before}${control}${after}`)).toBe('control_or_space');
      }),
    );
  });

  it('answers only http: and https: URLs with a host, without user info (property)', () => {
    fc.assert(
      fc.property(fc.string(), (raw) => {
        const url = readHttpUrl(raw);
        if (typeof url === 'string') return;
        expect(['http:', 'https:']).toContain(url.protocol);
        expect(url.hostname).not.toBe('');
        expect(url.username + url.password).toBe('');
        expect(controlOrSpace.test(raw)).toBe(false);
      }),
    );
  });
});

describe('parseHttpUrl (the lenient parse a Referer gets)', () => {
  it('reads the host of an http(s) URL, user info or not', () => {
    expect(parseHttpUrl('https://user@Example.COM/x')?.hostname).toBe('example.com');
    expect(parseHttpUrl('mailto:a@example.com')).toBeNull();
    expect(parseHttpUrl('not a url')).toBeNull();
  });
});
