import { describe, expect, it } from 'vitest';
import { turnstileVerifier, type TurnstileVerifierOptions } from '../../src/captcha/turnstile.js';
import { successBody, useSiteverifyServer } from '../fakes/siteverify-server.js';
import { clock, expectRefused, expectUnavailable, SECRET, secondsBefore, TOKEN } from './helpers.js';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const server = useSiteverifyServer((s) => {
  s.reply({ body: successBody({ challenge_ts: secondsBefore(5), action: 'cast' })
});
});

const verifier = (options: Partial<TurnstileVerifierOptions> = {}) =>
  turnstileVerifier({ secret: SECRET, url: server.url, clock, ...options });
const verify = (captcha: ReturnType<typeof verifier>) => captcha.verify({ token: TOKEN, remoteIp: '2001:db8::7' });

describe('turnstileVerifier', () => {
  describe('idempotency_key and the one retry', () => {
    it('sends a fresh UUID idempotency_key with every verification', async () => {
      const captcha = verifier();
      await verify(captcha);
      await verify(captcha);
      const keys = server.received.map((request) => request.form.get('idempotency_key'));
      expect(keys[0]).toMatch(uuid);
      expect(keys[1]).toMatch(uuid);
      expect(keys[0]).not.toBe(keys[1]);
    });

    it('retries once, with the same key, after the connection drops before any reply', async () => {
      server.replyOnce({ destroy: true });
      await expect(verify(verifier())).resolves.toMatchObject({ success: true });
      expect(server.received).toHaveLength(2);
      const [first, second] = server.received;
      expect(second!.form.get('idempotency_key')).toBe(first!.form.get('idempotency_key'));
      expect(second!.rawBody).toBe(first!.rawBody);
    });

    it('retries at most once: two drops reject', async () => {
      server.replyOnce({ destroy: true });
      server.replyOnce({ destroy: true });
      await expectUnavailable(verify(verifier()), 'network');
      expect(server.received).toHaveLength(2);
    });

    it('does not retry after a reply: a 500 is one request', async () => {
      server.replyOnce({ status: 500, body: 'oops' });
      await expectUnavailable(verify(verifier()), 'http_status');
      expect(server.received).toHaveLength(1);
    });

    it('does not retry after a timeout', async () => {
      server.replyOnce({ hang: 'headers' });
      await expectUnavailable(verify(verifier({ timeoutMs: 200 })), 'timeout');
      expect(server.received).toHaveLength(1);
    });
  });

  describe('action', () => {
    it('passes the expected action', async () => {
      await expect(verify(verifier({ action: 'cast' }))).resolves.toEqual({ success: true, errorCodes: [] });
    });

    it('refuses another action', async () => {
      server.replyOnce({ body: successBody({ challenge_ts: secondsBefore(5), action: 'login' }) });
      const result = await expectRefused(verify(verifier({ action: 'cast' })));
      expect(result.reason).toBe('token was made for another action');
    });

    it('does not check the action when none is configured', async () => {
      server.replyOnce({ body: successBody({ challenge_ts: secondsBefore(5), action: 'login' }) });
      await expect(verify(verifier())).resolves.toMatchObject({ success: true });
    });
  });

  describe('provider specifics', () => {
    it.each(['internal-error', 'invalid-parsed-secret', 'invalid-widget-id'])('rejects on %s (fail closed)', async (code) => {
      server.replyOnce({ body: { success: false, 'error-codes': [code] } });
      await expectUnavailable(verify(verifier()), 'misconfigured');
    });

    it('accepts a 2048-character token and refuses 2049 without a request (Cloudflare\'s documented maximum)', async () => {
      await expect(verifier().verify({ token: 'a'.repeat(2048), remoteIp: '192.0.2.7' })).resolves.toMatchObject({ success: true });
      await expectRefused(verifier().verify({ token: 'a'.repeat(2049), remoteIp: '192.0.2.7' }));
      expect(server.received).toHaveLength(1);
    });

    it('allows a 300 s old challenge by default and refuses an older one', async () => {
      const captcha = turnstileVerifier({ secret: SECRET, url: server.url, clock });
      server.replyOnce({ body: successBody({ challenge_ts: secondsBefore(290) }) });
      await expect(verify(captcha)).resolves.toMatchObject({ success: true });
      server.replyOnce({ body: successBody({ challenge_ts: secondsBefore(310) }) });
      await expect(verify(captcha)).resolves.toMatchObject({ success: false, reason: 'challenge is older than 300 seconds' });
    });

    it('defaults to Cloudflare\'s endpoint', async () => {
      const urls: string[] = [];
      const captcha = turnstileVerifier({
        secret: SECRET,
        clock,
        fetch: (url, init) => {
          urls.push(url);
          return fetch(server.url, init);
        },
      });
      await verify(captcha);
      expect(urls).toEqual(['https://challenges.cloudflare.com/turnstile/v0/siteverify']);
    });

    it('throws a TypeError for an empty action', () => {
      expect(() => verifier({ action: '' })).toThrow(TypeError);
    });
  });
});
