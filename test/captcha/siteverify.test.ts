import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { hcaptchaVerifier } from '../../src/captcha/hcaptcha.js';
import type { CaptchaVerifierOptions } from '../../src/captcha/options.js';
import { recaptchaVerifier } from '../../src/captcha/recaptcha.js';
import { turnstileVerifier } from '../../src/captcha/turnstile.js';
import type { CaptchaVerifier } from '../../src/contract/stores.js';
import { successBody, useSiteverifyServer } from '../fakes/siteverify-server.js';
import { clock, expectNoSecrets, expectRefused, expectUnavailable, SECRET, secondsBefore, TOKEN } from './helpers.js';

const providers: readonly { name: string; make: (options: CaptchaVerifierOptions) => CaptchaVerifier }[] = [
  { name: 'recaptchaVerifier', make: recaptchaVerifier },
  { name: 'turnstileVerifier', make: turnstileVerifier },
  { name: 'hcaptchaVerifier', make: hcaptchaVerifier },
];

const server = useSiteverifyServer((s) => {
  s.reply({ body: successBody({ challenge_ts: secondsBefore(10) })
});
});

/** A port nothing listens on: a server is started, its port noted, then closed. */
async function closedPortUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => {
      resolve();
    }));
  return `http://127.0.0.1:${port}/siteverify`;
}

describe.each(providers)('$name', ({ make }) => {
  const verifier = (options: Partial<CaptchaVerifierOptions> = {}) => make({ secret: SECRET, url: server.url, clock, ...options });
  const verify = (captcha: CaptchaVerifier, token: string = TOKEN, signal?: AbortSignal) =>
    captcha.verify({ token, remoteIp: '192.0.2.7', ...(signal === undefined ? {} : { signal }) });

  describe('a token the provider accepts', () => {
    it('passes, copying the provider\'s error-codes', async () => {
      await expect(verify(verifier())).resolves.toEqual({ success: true, errorCodes: [] });
    });

    it('POSTs secret, response and remoteip as a form in the body, never in the URL', async () => {
      await verify(verifier());
      expect(server.received).toHaveLength(1);
      const [request] = server.received;
      expect(request!.method).toBe('POST');
      expect(request!.path).toBe('/siteverify');
      expect(request!.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(request!.form.getAll('secret')).toEqual([SECRET]);
      expect(request!.form.getAll('response')).toEqual([TOKEN]);
      expect(request!.form.getAll('remoteip')).toEqual(['192.0.2.7']);
    });

    it('leaves remoteip out when the host has no address to give', async () => {
      await verifier().verify({ token: TOKEN, remoteIp: '' });
      expect(server.received[0]!.form.has('remoteip')).toBe(false);
    });

    it('copies only the strings of error-codes into the result', async () => {
      server.replyOnce({ body: { success: false, 'error-codes': ['timeout-or-duplicate', 42, null, { x: 1 }] } });
      const result = await expectRefused(verify(verifier()));
      expect(result.errorCodes).toEqual(['timeout-or-duplicate']);
    });
  });

  describe('a token the provider refuses', () => {
    it('resolves success: false with invalid-input-response', async () => {
      server.replyOnce({ body: { success: false, 'error-codes': ['invalid-input-response'] } });
      await expect(verify(verifier())).resolves.toEqual({
        success: false,
        errorCodes: ['invalid-input-response'],
        reason: 'the provider found the token invalid',
      });
    });

    it('resolves success: false for a replayed token (timeout-or-duplicate)', async () => {
      const captcha = verifier();
      await expect(verify(captcha)).resolves.toMatchObject({ success: true });
      server.replyOnce({ body: { success: false, 'error-codes': ['timeout-or-duplicate'] } });
      await expect(verify(captcha)).resolves.toEqual({
        success: false,
        errorCodes: ['timeout-or-duplicate'],
        reason: 'token expired or already used',
      });
    });

    it('resolves success: false with no error-codes at all', async () => {
      server.replyOnce({ body: { success: false } });
      await expect(verify(verifier())).resolves.toEqual({ success: false, reason: 'the provider did not accept the token' });
    });
  });

  describe('hostnames', () => {
    it('refuses a token solved on another site using the same provider (3.1)', async () => {
      server.replyOnce({ body: successBody({ hostname: 'evil.example', challenge_ts: secondsBefore(10) }) });
      const result = await expectRefused(verify(verifier({ hostnames: ['cast.example.com'] })));
      expect(result.reason).toBe('token was solved on a hostname that is not allowed');
    });

    it('refuses a look-alike hostname: cast.example.com.evil.net', async () => {
      server.replyOnce({ body: successBody({ hostname: 'cast.example.com.evil.net', challenge_ts: secondsBefore(10) }) });
      await expectRefused(verify(verifier({ hostnames: ['cast.example.com'] })));
    });

    it('refuses a reply without a hostname when hostnames are configured', async () => {
      server.replyOnce({ body: { success: true, challenge_ts: secondsBefore(10) } });
      await expectRefused(verify(verifier({ hostnames: ['cast.example.com'] })));
    });

    it('compares lower-case and in punycode, ignoring a trailing dot', async () => {
      server.replyOnce({ body: successBody({ hostname: 'XN--BCHER-KVA.example.', challenge_ts: secondsBefore(10) }) });
      await expect(verify(verifier({ hostnames: ['Bücher.Example'] }))).resolves.toMatchObject({ success: true });
    });

    it('throws a TypeError for an empty list or an entry that is not a bare hostname', () => {
      for (const hostnames of [[], ['https://cast.example.com'], ['cast.example.com:443'], ['cast.example.com/path'], ['']]) {
        expect(() => verifier({ hostnames })).toThrow(TypeError);
      }
    });
  });

  describe('challenge_ts', () => {
    it('refuses a stale token: challenge_ts 10 minutes old (3.4)', async () => {
      server.replyOnce({ body: successBody({ challenge_ts: secondsBefore(600) }) });
      const result = await expectRefused(verify(verifier()));
      expect(result.reason).toMatch(/^challenge is older than \d+ seconds$/);
    });

    it('refuses a challenge_ts more than 30 s in the future', async () => {
      server.replyOnce({ body: successBody({ challenge_ts: secondsBefore(-60) }) });
      await expect(verify(verifier())).resolves.toMatchObject({ success: false, reason: 'challenge timestamp is in the future' });
    });

    it('tolerates 30 s of clock skew into the future', async () => {
      server.replyOnce({ body: successBody({ challenge_ts: secondsBefore(-20) }) });
      await expect(verify(verifier())).resolves.toMatchObject({ success: true });
    });

    it('refuses a success without a readable challenge_ts', async () => {
      for (const challengeTs of [undefined, 'yesterday', 1_893_499_200]) {
        server.replyOnce({ body: { success: true, hostname: 'cast.example.com', challenge_ts: challengeTs } });
        await expect(verify(verifier())).resolves.toMatchObject({ success: false, reason: 'challenge timestamp is missing or invalid' });
      }
    });

    it('applies maxAgeSeconds', async () => {
      server.replyOnce({ body: successBody({ challenge_ts: secondsBefore(45) }) });
      await expect(verify(verifier({ maxAgeSeconds: 30 }))).resolves.toMatchObject({
        success: false,
        reason: 'challenge is older than 30 seconds',
      });
    });
  });

  describe('misconfiguration fails closed (rejects)', () => {
    it.each(['missing-input-secret', 'invalid-input-secret', 'bad-request'])('rejects on %s', async (code) => {
      server.replyOnce({ body: { success: false, 'error-codes': [code] } });
      const error = await expectUnavailable(verify(verifier()), 'misconfigured');
      expect(error.errorCodes).toEqual([code]);
      expect(error.message).toContain(code);
    });
  });

  describe('a provider that cannot answer (3.5, 3.6)', () => {
    it('rejects on a 500', async () => {
      server.replyOnce({ status: 500, body: { success: true } });
      const error = await expectUnavailable(verify(verifier()), 'http_status');
      expect(error.status).toBe(500);
    });

    it('rejects on a redirect and does not follow it', async () => {
      server.replyOnce({ status: 302, headers: { location: '/elsewhere' }, body: '' });
      await expectUnavailable(verify(verifier()), 'http_status');
      expect(server.received).toHaveLength(1);
    });

    it('rejects on an HTML interstitial, without repeating it (it may echo the secret)', async () => {
      server.replyOnce({ status: 200, headers: { 'content-type': 'text/html' }, body: `<html>blocked: ${SECRET} ${TOKEN}</html>` });
      await expectUnavailable(verify(verifier()), 'not_json');
    });

    it('rejects on an empty body', async () => {
      server.replyOnce({ body: '' });
      await expectUnavailable(verify(verifier()), 'not_json');
    });

    it.each([
      ['{"success":"false"}'],
      ['{"success":"true"}'],
      ['{"success":1}'],
      ['{}'],
      ['[]'],
      ['null'],
      ['true'],
      ['"success"'],
      ['[{"success":true}]'],
    ])('rejects the type confusion %s, never passing it', async (body) => {
      server.replyOnce({ body });
      await expectUnavailable(verify(verifier()), 'bad_reply');
    });

    it('rejects a success inherited through __proto__ rather than owned', async () => {
      server.replyOnce({ body: '{"__proto__":{"success":true}}' });
      await expectUnavailable(verify(verifier()), 'bad_reply');
    });

    it('rejects a reply over 16 KB that declares its length', async () => {
      server.replyOnce({ body: { success: true, padding: 'x'.repeat(20_000) } });
      await expectUnavailable(verify(verifier()), 'too_large');
    });

    it('rejects a reply over 16 KB sent in chunks without a length', async () => {
      server.replyOnce({ chunked: true, body: { success: true, padding: 'x'.repeat(20_000) } });
      await expectUnavailable(verify(verifier()), 'too_large');
    });

    it('rejects a provider that never answers once timeoutMs passes', async () => {
      server.replyOnce({ hang: 'headers' });
      await expectUnavailable(verify(verifier({ timeoutMs: 200 })), 'timeout');
    });

    it('rejects a provider that stalls halfway through its body once timeoutMs passes', async () => {
      server.replyOnce({ hang: 'body', body: { success: true, challenge_ts: secondsBefore(10) } });
      await expectUnavailable(verify(verifier({ timeoutMs: 200 })), 'timeout');
    });

    it('rejects when nothing listens (connection refused)', async () => {
      const url = await closedPortUrl();
      const error = await expectUnavailable(make({ secret: SECRET, url, clock }).verify({ token: TOKEN, remoteIp: '192.0.2.7' }), 'network');
      expect(error.message).toContain('ECONNREFUSED');
    });
  });

  describe('the caller\'s signal', () => {
    it('rejects when the caller aborts while the provider is silent', async () => {
      server.replyOnce({ hang: 'headers' });
      const controller = new AbortController();
      const verification = verify(verifier(), TOKEN, controller.signal);
      setTimeout(() => {
        controller.abort();
      }, 50);
      await expectUnavailable(verification, 'aborted');
    });

    it('rejects without a request when the signal is already aborted', async () => {
      await expectUnavailable(verify(verifier(), TOKEN, AbortSignal.abort()), 'aborted');
      expect(server.received).toHaveLength(0);
    });
  });

  describe('token pre-check (3.7): no network call', () => {
    it.each([
      ['a 10 KB token', 'a'.repeat(10 * 1024)],
      ['a token with CR LF', 'abc\r\ndef'],
      ['an empty token', ''],
      ['a non-ASCII token', 'tökén'],
    ])('refuses %s without asking the provider', async (_label, token) => {
      const result = await expectRefused(verify(verifier(), token));
      expect(result.errorCodes).toBeUndefined();
      expect(server.received).toHaveLength(0);
    });

    it('refuses an array token (?t=a&t=b) from a JavaScript caller without asking the provider', async () => {
      const captcha = verifier();
      const result = await expectRefused(captcha.verify({ token: ['a', 'b'] as unknown as string, remoteIp: '192.0.2.7' }));
      expect(result.reason).toBe('token is not a string');
      expect(server.received).toHaveLength(0);
    });

    it('applies maxTokenLength', async () => {
      const result = await expectRefused(verify(verifier({ maxTokenLength: 16 }), 'a'.repeat(17)));
      expect(result.reason).toBe('token is longer than 16 characters');
      expect(server.received).toHaveLength(0);
    });
  });

  describe('fetch', () => {
    it('uses the injected fetch', async () => {
      const urls: string[] = [];
      const captcha = verifier({
        fetch: (url, init) => {
          urls.push(url);
          return fetch(url, init);
        },
      });
      await verify(captcha);
      expect(urls).toEqual([server.url]);
    });

    it('looks globalThis.fetch up when verifying, not when built', async () => {
      const captcha = verifier();
      const original = globalThis.fetch;
      let calls = 0;
      globalThis.fetch = (input, init) => {
        calls += 1;
        return original(input, init);
      };
      try {
        await verify(captcha);
      } finally {
        globalThis.fetch = original;
      }
      expect(calls).toBe(1);
    });

    it('rejects, without the secret, when an injected fetch throws an error quoting its request', async () => {
      const captcha = verifier({
        fetch: (_url, init) => {
          throw new Error(`boom: ${typeof init.body === 'string' ? init.body : ''}`);
        },
      });
      await expectUnavailable(verify(captcha), 'network');
    });
  });

  describe('options', () => {
    it('throws a TypeError for an empty or blank secret, without echoing it', () => {
      expect(() => make({ secret: '' })).toThrow(TypeError);
      expect(() => make({ secret: '   ' })).toThrow(TypeError);
      expect(() => make(undefined as unknown as CaptchaVerifierOptions)).toThrow(TypeError);
    });

    it('throws a TypeError for a url that is not absolute http(s) or carries user info, without echoing the secret', () => {
      for (const url of ['ftp://example.com/siteverify', '/siteverify', 'not a url', 'https://user:pw@example.com/siteverify']) {
        let thrown: unknown;
        try {
          make({ secret: SECRET, url });
        } catch (error) {
          thrown = error;
        }
        expect(thrown).toBeInstanceOf(TypeError);
        expectNoSecrets(thrown);
      }
    });

    it('throws a TypeError for a timeoutMs, maxAgeSeconds or maxTokenLength that is not positive', () => {
      for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
        expect(() => make({ secret: SECRET, timeoutMs: bad })).toThrow(TypeError);
        expect(() => make({ secret: SECRET, maxAgeSeconds: bad })).toThrow(TypeError);
        expect(() => make({ secret: SECRET, maxTokenLength: bad })).toThrow(TypeError);
      }
      expect(() => make({ secret: SECRET, maxTokenLength: 1.5 })).toThrow(TypeError);
    });

    it('reads no network and no clock when built', () => {
      let reads = 0;
      make({ secret: SECRET, url: server.url, clock: () => { reads += 1; return new Date(); } });
      expect(reads).toBe(0);
      expect(server.received).toHaveLength(0);
    });

    it('rejects (fails closed) when the clock returns an Invalid Date', async () => {
      const captcha = make({ secret: SECRET, url: server.url, clock: () => new Date(Number.NaN) });
      await expect(verify(captcha)).rejects.toThrow(TypeError);
    });
  });
});
