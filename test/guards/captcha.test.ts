import { describe, expect, it } from 'vitest';
import { evaluateCast } from '../../src/engine/evaluate.js';
import type { CaptchaResult, CaptchaVerifier } from '../../src/contract/stores.js';
import { config, stores, t0 } from '../helpers/cast.js';

/** A verifier that answers as told and counts its calls (the real providers are tested in test/captcha). */
function verifier(answer: CaptchaResult | Error | 'hang'): CaptchaVerifier & { calls: { token: string; remoteIp: string }[] } {
  const calls: { token: string; remoteIp: string }[] = [];
  return {
    calls,
    verify({ token, remoteIp }) {
      calls.push({ token, remoteIp });
      if (answer === 'hang') return new Promise(() => undefined);
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
    },
  };
}

describe('captcha guard', () => {
  const cfg = config({ requireCaptcha: true, ipRateLimit: { sessions: 1, withinSeconds: 60 } });

  it('asks anonymous requests for a token: captcha_required (403) without one', async () => {
    const captcha = verifier({ success: true });
    for (const captchaToken of [undefined, null, '']) {
      const d = await evaluateCast(cfg, { ip: '192.0.2.1', captchaToken, now: t0 }, stores({ captcha }));
      expect(d.error).toMatchObject({ code: 'captcha_required', status: 403 });
    }
    expect(captcha.calls).toEqual([]);
  });

  it('passes a token the verifier accepts, sending the canonical client address', async () => {
    const captcha = verifier({ success: true });
    const d = await evaluateCast(cfg, { ip: '::ffff:192.0.2.1', captchaToken: 'tok-123', now: t0 }, stores({ captcha }));
    expect(d.allowed).toBe(true);
    expect(captcha.calls).toEqual([{ token: 'tok-123', remoteIp: '192.0.2.1' }]);
  });

  it('refuses with captcha_failed ("reCAPTCHA Failed") when the verifier says no', async () => {
    const captcha = verifier({ success: false, errorCodes: ['timeout-or-duplicate'], reason: 'token expired or already used' });
    const d = await evaluateCast(cfg, { ip: '192.0.2.1', captchaToken: 'tok', now: t0 }, stores({ captcha }));
    expect(d.error).toEqual({ code: 'captcha_failed', status: 403, message: 'reCAPTCHA Failed' });
  });

  it.each([
    ['a 10 KB token', 'a'.repeat(10_240)],
    ['a token with CR LF', 'abc\r\ndef'],
    ['a non-ASCII token', 'tök'],
    ['an array token', ['a', 'b']],
    ['a numeric token', 42],
  ])('refuses %s with captcha_failed without calling the provider (THREATS 3.7)', async (_, captchaToken) => {
    const captcha = verifier({ success: true });
    const d = await evaluateCast(cfg, { ip: '192.0.2.1', captchaToken: captchaToken as string, now: t0 }, stores({ captcha }));
    expect(d.error?.code).toBe('captcha_failed');
    expect(captcha.calls).toEqual([]);
  });

  it('fails closed with captcha_unavailable (503) when the verifier rejects or hangs (THREATS 3.5)', async () => {
    const down = await evaluateCast(cfg, { ip: '192.0.2.1', captchaToken: 'tok', now: t0 }, stores({ captcha: verifier(new Error('ECONNRESET')) }));
    expect(down.error).toMatchObject({ code: 'captcha_unavailable', status: 503 });
    const hung = await evaluateCast(cfg, { ip: '192.0.2.1', captchaToken: 'tok', now: t0 }, stores({ captcha: verifier('hang') }), { captchaTimeoutMs: 20 });
    expect(hung.error?.code).toBe('captcha_unavailable');
    expect(hung.trace.find((t) => t.guard === 'captcha')?.note).toBe('timed out after 20 ms');
  });

  it('gives a verifier call captchaTimeoutMs, not storeTimeoutMs: a provider slower than the store limit still answers (SPEC §1)', async () => {
    const slow: CaptchaVerifier = {
      verify: () =>
        new Promise((resolve) => {
          setTimeout(() => {
            resolve({ success: true });
          }, 800);
        }),
    };
    const d = await evaluateCast(cfg, { ip: '192.0.2.1', captchaToken: 'tok', now: t0 }, stores({ captcha: slow }), { storeTimeoutMs: 400, captchaTimeoutMs: 10_000 });
    expect(d.allowed).toBe(true);
  });

  it('counts captchaTimeoutMs from the verifier call, and aborts the verifier\'s signal when it passes', async () => {
    let aborted: unknown;
    const hangs: CaptchaVerifier = {
      verify: ({ signal }) =>
        new Promise(() => {
          signal?.addEventListener('abort', () => {
            aborted = signal.reason as unknown;
          });
        }),
    };
    const d = await evaluateCast(cfg, { ip: '192.0.2.1', captchaToken: 'tok', now: t0 }, stores({ captcha: hangs }), { storeTimeoutMs: 5_000, captchaTimeoutMs: 25 });
    expect(d.error).toMatchObject({ code: 'captcha_unavailable', status: 503 });
    expect(aborted).toBeInstanceOf(Error);
  });

  it('refuses a captchaTimeoutMs that is not a usable duration with a RangeError naming it', async () => {
    for (const captchaTimeoutMs of [0, -1, Number.NaN, 2 ** 31]) {
      await expect(evaluateCast(cfg, { ip: '192.0.2.1', now: t0 }, stores({ captcha: verifier({ success: true }) }), { captchaTimeoutMs })).rejects.toThrow(
        /captchaTimeoutMs/,
      );
    }
  });

  it('answers store_unavailable, not captcha_unavailable, when the rate-limit peek fails or hangs (the provider is never asked)', async () => {
    for (const peek of [() => Promise.reject(new Error('ECONNRESET')), () => new Promise<never>(() => undefined)]) {
      const captcha = verifier({ success: true });
      const s = stores({ captcha });
      const broken = { ...s, rateLimit: { take: s.rateLimit.take.bind(s.rateLimit), giveBack: s.rateLimit.giveBack.bind(s.rateLimit), peek } };
      const d = await evaluateCast(cfg, { ip: '192.0.2.1', captchaToken: 'tok', now: t0 }, broken, { storeTimeoutMs: 20 });
      expect(d.error).toMatchObject({ code: 'store_unavailable', status: 503 });
      expect(captcha.calls).toEqual([]);
    }
  });

  it('refuses a client whose bucket is full before calling the provider (THREATS 3.10)', async () => {
    const captcha = verifier({ success: true });
    const s = stores({ captcha });
    expect((await evaluateCast(cfg, { ip: '192.0.2.1', captchaToken: 'tok', now: t0 }, s)).allowed).toBe(true);
    for (let i = 0; i < 1000; i++) {
      const d = await evaluateCast(cfg, { ip: '192.0.2.1', captchaToken: 'tok', now: t0 }, s);
      expect(d.error).toMatchObject({ code: 'rate_limited', retryAfterSeconds: 60 });
    }
    expect(captcha.calls).toHaveLength(1);
  });

  it('does not ask signed-in users (THREATS 3.11)', async () => {
    const captcha = verifier({ success: false });
    const d = await evaluateCast(cfg, { ip: '192.0.2.1', user: { id: 'u-1' }, now: t0 }, stores({ captcha }));
    expect(d.allowed).toBe(true);
    expect(captcha.calls).toEqual([]);
  });

  it('never puts the token into the message, trace or redirect (THREATS 3.9)', async () => {
    const withErrorUrl = config({ requireCaptcha: true, errorUrl: 'https://portal.example/err' });
    const d = await evaluateCast(withErrorUrl, { ip: '192.0.2.1', captchaToken: 'SECRET-TOKEN-123', now: t0 }, stores({ captcha: verifier({ success: false }) }));
    expect(JSON.stringify(d)).not.toContain('SECRET-TOKEN-123');
  });
});
