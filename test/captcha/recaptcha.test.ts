import { describe, expect, it } from 'vitest';
import { recaptchaVerifier, type RecaptchaVerifierOptions } from '../../src/captcha/recaptcha.js';
import { successBody, useSiteverifyServer } from '../fakes/siteverify-server.js';
import { clock, expectRefused, expectUnavailable, SECRET, secondsBefore, TOKEN } from './helpers.js';

const server = useSiteverifyServer();

const verifier = (options: Partial<RecaptchaVerifierOptions> = {}) =>
  recaptchaVerifier({ secret: SECRET, url: server.url, clock, ...options });
const verify = (captcha: ReturnType<typeof verifier>) => captcha.verify({ token: TOKEN, remoteIp: '192.0.2.7' });
const v3Reply = (fields: Record<string, unknown>) => ({ body: successBody({ challenge_ts: secondsBefore(5), ...fields }) });

describe('recaptchaVerifier', () => {
  describe('v2 (neither action nor minScore)', () => {
    it('passes a reply on success alone, without a score', async () => {
      server.replyOnce({ body: { success: true, challenge_ts: secondsBefore(5), hostname: 'cast.example.com' } });
      await expect(verify(verifier())).resolves.toEqual({ success: true });
    });

    it('reports the score when a reply has one', async () => {
      server.replyOnce(v3Reply({ score: 0.2, action: 'anything' }));
      await expect(verify(verifier())).resolves.toMatchObject({ success: true, score: 0.2 });
    });
  });

  describe('v3 (action and/or minScore)', () => {
    it('passes the expected action with a score at or above 0.5 by default', async () => {
      server.replyOnce(v3Reply({ action: 'cast', score: 0.5 }));
      await expect(verify(verifier({ action: 'cast' }))).resolves.toEqual({ success: true, errorCodes: [], score: 0.5 });
    });

    it('refuses a token minted for another action (3.2)', async () => {
      server.replyOnce(v3Reply({ action: 'login', score: 0.9 }));
      const result = await expectRefused(verify(verifier({ action: 'cast' })));
      expect(result).toMatchObject({ reason: 'token was made for another action', score: 0.9 });
    });

    it('refuses a reply without an action when one is expected', async () => {
      server.replyOnce(v3Reply({ score: 0.9 }));
      await expectRefused(verify(verifier({ action: 'cast' })));
    });

    it('refuses a score below the threshold (3.3)', async () => {
      server.replyOnce(v3Reply({ action: 'cast', score: 0.3 }));
      const result = await expectRefused(verify(verifier({ action: 'cast', minScore: 0.5 })));
      expect(result).toMatchObject({ reason: 'score is below 0.5', score: 0.3 });
    });

    it('uses minScore 0.5 when only action is set', async () => {
      server.replyOnce(v3Reply({ action: 'cast', score: 0.4 }));
      await expect(verify(verifier({ action: 'cast' }))).resolves.toMatchObject({ success: false, reason: 'score is below 0.5' });
    });

    it('applies minScore without an action', async () => {
      server.replyOnce(v3Reply({ action: 'whatever', score: 0.6 }));
      await expect(verify(verifier({ minScore: 0.7 }))).resolves.toMatchObject({ success: false, score: 0.6 });
      server.replyOnce(v3Reply({ action: 'whatever', score: 0.7 }));
      await expect(verify(verifier({ minScore: 0.7 }))).resolves.toMatchObject({ success: true, score: 0.7 });
    });

    it.each([
      ['the string "0.9"', '0.9'],
      ['null', null],
      ['a boolean', true],
      ['Infinity (1e999)', Number.POSITIVE_INFINITY],
    ])('refuses a score that is %s', async (_label, score) => {
      const body = score === Number.POSITIVE_INFINITY
        ? `{"success":true,"challenge_ts":"${secondsBefore(5)}","hostname":"cast.example.com","action":"cast","score":1e999}`
        : successBody({ challenge_ts: secondsBefore(5), action: 'cast', score });
      server.replyOnce({ body });
      const result = await expectRefused(verify(verifier({ action: 'cast' })));
      expect(result.reason).toBe('reply has no numeric score');
      expect(result.score).toBeUndefined();
    });

    it('refuses a v2-style reply (no score) in v3 mode', async () => {
      server.replyOnce({ body: successBody({ challenge_ts: secondsBefore(5) }) });
      await expect(verify(verifier({ minScore: 0.5 }))).resolves.toMatchObject({ success: false, reason: 'reply has no numeric score' });
    });

    it('throws a TypeError for a minScore outside 0..1 or an empty action', () => {
      for (const minScore of [-0.1, 1.1, Number.NaN]) expect(() => verifier({ minScore })).toThrow(TypeError);
      expect(() => verifier({ action: '' })).toThrow(TypeError);
    });
  });

  describe('provider specifics', () => {
    it('rejects on missing-input-response: castgate always sends a token, so the request was mangled', async () => {
      server.replyOnce({ body: { success: false, 'error-codes': ['missing-input-response'] } });
      await expectUnavailable(verify(verifier()), 'misconfigured');
    });

    it('does not retry: one dropped connection is one rejection and one request', async () => {
      server.replyOnce({ destroy: true });
      await expectUnavailable(verify(verifier()), 'network');
      expect(server.received).toHaveLength(1);
    });

    it('sends no idempotency_key or sitekey', async () => {
      server.replyOnce(v3Reply({}));
      await verify(verifier());
      expect([...server.received[0]!.form.keys()].sort()).toEqual(['remoteip', 'response', 'secret']);
    });

    it('defaults to Google\'s endpoint with a 120 s challenge age', async () => {
      const urls: string[] = [];
      server.replyOnce({ body: successBody({ challenge_ts: secondsBefore(121) }) });
      const captcha = recaptchaVerifier({
        secret: SECRET,
        clock,
        fetch: (url, init) => {
          urls.push(url);
          return fetch(server.url, init);
        },
      });
      await expect(verify(captcha)).resolves.toMatchObject({ success: false, reason: 'challenge is older than 120 seconds' });
      expect(urls).toEqual(['https://www.google.com/recaptcha/api/siteverify']);
    });

    it('refuses a 4001-character token without a request (Google\'s own limit is about 4000)', async () => {
      await expectRefused(recaptchaVerifier({ secret: SECRET, url: server.url }).verify({ token: 'a'.repeat(4001), remoteIp: '192.0.2.7' }));
      expect(server.received).toHaveLength(0);
    });
  });
});
