import { describe, expect, it } from 'vitest';
import { evaluateCast } from '../../src/engine/evaluate.js';
import { referrerGuard } from '../../src/guards/referrer.js';
import { config, contextFor, stores, t0 } from '../helpers/cast.js';

describe('referrer guard', () => {
  const cfg = config({ allowedReferrers: ['example.com', '*.partner.example'] });
  const decide = (referrer: string | null | undefined, c = cfg) => evaluateCast(c, { ip: '192.0.2.1', referrer, now: t0 }, stores());

  it('skips when allowedReferrers is empty (requests from all domains are accepted)', async () => {
    expect(await referrerGuard.check(contextFor(config(), { ip: '192.0.2.1', referrer: 'https://evil.net/' }))).toEqual({ verdict: 'skip' });
  });

  it('admits a listed host with any case, port, path and a trailing dot', async () => {
    for (const referrer of ['https://example.com/', 'https://EXAMPLE.com:8443/x?y=1', 'https://example.com./', 'https://app.partner.example/']) {
      expect((await decide(referrer)).allowed).toBe(true);
    }
  });

  it.each([
    'https://badexample.com/', 'https://example.com.evil.net/', 'https://example.com%2eevil.net/', 'https://EXAMPLE.COM。evil.net/',
    'https://example.com@evil.net/', 'https://evil.net\\@example.com/', 'https://evil.net/?r=https://example.com/',
    'https://docs.example.com/', 'https://partner.example/', 'null', 'about:blank', 'not a url',
    'android-app://example.com/', 'file://example.com/x', 'blob:https://example.com/1',
  ])('denies %s with referrer_denied (403)', async (referrer) => {
    const d = await decide(referrer);
    expect(d.error).toEqual({ code: 'referrer_denied', status: 403, message: 'Requests are not allowed from this domain.' });
  });

  it('denies a missing Referer unless allowMissingReferrer (THREATS 2.9)', async () => {
    for (const missing of [null, undefined, '']) expect((await decide(missing)).error?.code).toBe('referrer_denied');
    const lenient = config({ allowedReferrers: ['example.com'], allowMissingReferrer: true });
    const d = await decide(null, lenient);
    expect(d.allowed).toBe(true);
    expect(d.trace[1]).toMatchObject({ guard: 'referrer', verdict: 'pass', note: expect.stringContaining('allowMissingReferrer') as unknown });
    expect((await decide('https://evil.net/', lenient)).error?.code).toBe('referrer_denied');
  });

  it('denies a 100 KB Referer cheaply (THREATS 2.14)', async () => {
    expect((await decide(`https://example.com/${'a'.repeat(100_000)}`)).error?.code).toBe('referrer_denied');
  });

  it('matches IDN referrers against normalised entries (THREATS 2.8)', async () => {
    const idn = config({ allowedReferrers: ['münchen.de'] });
    expect((await decide('https://xn--mnchen-3ya.de/', idn)).allowed).toBe(true);
    expect((await decide('https://münchen.de/', idn)).allowed).toBe(true);
  });
});
