import { describe, expect, it } from 'vitest';
import { hcaptchaVerifier, type HcaptchaVerifierOptions } from '../../src/captcha/hcaptcha.js';
import { successBody, useSiteverifyServer } from '../fakes/siteverify-server.js';
import { clock, expectRefused, expectUnavailable, SECRET, secondsBefore, TOKEN } from './helpers.js';

const server = useSiteverifyServer((s) => {
  s.reply({ body: successBody({ challenge_ts: '2030-01-01T11:59:50.000000Z', credit: false })
});
});

const sitekey = '10000000-ffff-ffff-ffff-000000000001';
const verifier = (options: Partial<HcaptchaVerifierOptions> = {}) =>
  hcaptchaVerifier({ secret: SECRET, url: server.url, clock, ...options });
const verify = (captcha: ReturnType<typeof verifier>) => captcha.verify({ token: TOKEN, remoteIp: '192.0.2.7' });

describe('hcaptchaVerifier', () => {
  describe('sitekey', () => {
    it('sends sitekey in the form when set', async () => {
      await expect(verify(verifier({ sitekey }))).resolves.toMatchObject({ success: true });
      expect(server.received[0]!.form.getAll('sitekey')).toEqual([sitekey]);
      expect(server.received[0]!.form.get('secret')).toBe(SECRET);
      expect(server.received[0]!.form.get('response')).toBe(TOKEN);
      expect(server.received[0]!.form.get('remoteip')).toBe('192.0.2.7');
    });

    it('sends no sitekey when unset', async () => {
      await verify(verifier());
      expect(server.received[0]!.form.has('sitekey')).toBe(false);
    });

    it.each(['sitekey-secret-mismatch', 'invalid-sitekey', 'not-using-dummy-passcode', 'invalid-remoteip'])(
      'rejects on %s (our misconfiguration, fail closed)',
      async (code) => {
        server.replyOnce({ body: { success: false, 'error-codes': [code] } });
        await expectUnavailable(verify(verifier({ sitekey })), 'misconfigured');
      },
    );

    it('throws a TypeError for an empty sitekey', () => {
      expect(() => verifier({ sitekey: '' })).toThrow(TypeError);
    });
  });

  describe('refusals', () => {
    it('resolves success: false for invalid-or-already-seen-response (a replay)', async () => {
      server.replyOnce({ body: { success: false, 'error-codes': ['invalid-or-already-seen-response'] } });
      await expect(verify(verifier())).resolves.toEqual({
        success: false,
        errorCodes: ['invalid-or-already-seen-response'],
        reason: 'token invalid or already used',
      });
    });

    it('reads hCaptcha\'s microsecond challenge_ts', async () => {
      server.replyOnce({ body: successBody({ challenge_ts: '2030-01-01T11:50:00.000000Z' }) });
      await expect(verify(verifier())).resolves.toMatchObject({ success: false, reason: 'challenge is older than 120 seconds' });
    });
  });

  describe('Enterprise risk score (0 safe, 1 a threat)', () => {
    it('passes a risk score at or below maxScore and reports it', async () => {
      server.replyOnce({ body: successBody({ challenge_ts: secondsBefore(5), score: 0.3 }) });
      await expect(verify(verifier({ maxScore: 0.3 }))).resolves.toMatchObject({ success: true, score: 0.3 });
    });

    it('refuses a risk score above maxScore', async () => {
      server.replyOnce({ body: successBody({ challenge_ts: secondsBefore(5), score: 0.9 }) });
      const result = await expectRefused(verify(verifier({ maxScore: 0.5 })));
      expect(result).toMatchObject({ reason: 'risk score is above 0.5', score: 0.9 });
    });

    it('refuses a missing or string score when maxScore is set', async () => {
      for (const score of [undefined, '0.1']) {
        server.replyOnce({ body: successBody({ challenge_ts: secondsBefore(5), score }) });
        await expect(verify(verifier({ maxScore: 0.5 }))).resolves.toMatchObject({ success: false, reason: 'reply has no numeric score' });
      }
    });

    it('ignores the score when maxScore is unset', async () => {
      server.replyOnce({ body: successBody({ challenge_ts: secondsBefore(5), score: 0.99 }) });
      await expect(verify(verifier())).resolves.toMatchObject({ success: true, score: 0.99 });
    });

    it('throws a TypeError for minScore, which would read a risk score backwards', () => {
      const options = { secret: SECRET, minScore: 0.5 } as unknown as HcaptchaVerifierOptions;
      expect(() => hcaptchaVerifier(options)).toThrow(/maxScore/);
    });

    it('throws a TypeError for a maxScore outside 0..1', () => {
      for (const maxScore of [-0.1, 1.1, Number.NaN]) expect(() => verifier({ maxScore })).toThrow(TypeError);
    });
  });

  describe('provider specifics', () => {
    it('does not retry: one dropped connection is one rejection and one request', async () => {
      server.replyOnce({ destroy: true });
      await expectUnavailable(verify(verifier()), 'network');
      expect(server.received).toHaveLength(1);
    });

    it('accepts a 5000-character token (real hCaptcha tokens run past 4000) and refuses 10 KB without a request', async () => {
      await expect(verifier().verify({ token: 'P1_' + 'a'.repeat(5000), remoteIp: '192.0.2.7' })).resolves.toMatchObject({ success: true });
      await expectRefused(verifier().verify({ token: 'a'.repeat(10 * 1024), remoteIp: '192.0.2.7' }));
      expect(server.received).toHaveLength(1);
    });

    it('defaults to hCaptcha\'s endpoint', async () => {
      const urls: string[] = [];
      const captcha = hcaptchaVerifier({
        secret: SECRET,
        clock,
        fetch: (url, init) => {
          urls.push(url);
          return fetch(server.url, init);
        },
      });
      await verify(captcha);
      expect(urls).toEqual(['https://api.hcaptcha.com/siteverify']);
    });
  });
});
