import { describe, expect, it } from 'vitest';
import { hcaptchaVerifier } from '../../src/captcha/hcaptcha.js';
import type { CaptchaVerifierOptions } from '../../src/captcha/options.js';
import { recaptchaVerifier } from '../../src/captcha/recaptcha.js';
import { turnstileVerifier } from '../../src/captcha/turnstile.js';
import { parseCastConfig } from '../../src/config/parse.js';
import { evaluateCast } from '../../src/engine/evaluate.js';
import { createMemoryStores } from '../../src/stores/memory/index.js';
import type { CaptchaVerifier } from '../../src/contract/stores.js';
import { successBody, useSiteverifyServer } from '../fakes/siteverify-server.js';
import { SECRET, TOKEN } from './helpers.js';

const providers: readonly { name: string; make: (options: CaptchaVerifierOptions) => CaptchaVerifier }[] = [
  { name: 'recaptchaVerifier', make: recaptchaVerifier },
  { name: 'turnstileVerifier', make: turnstileVerifier },
  { name: 'hcaptchaVerifier', make: hcaptchaVerifier },
];

const config = parseCastConfig({
  name: 'Captcha demo',
  key: 'captcha-demo-0123456789',
  imageId: 'img-chrome',
  allowAnonymous: true,
  requireCaptcha: true,
  sessionsRemaining: 5,
  ipRateLimit: { sessions: 3, withinSeconds: 60 },
  errorUrl: 'https://cast.example.com/error',
});

const server = useSiteverifyServer((s) => {
  s.reply({ body: successBody({ hostname: 'cast.example.com' })
});
});

describe.each(providers)('evaluateCast with $name against a real HTTP provider', ({ make }) => {
  const setup = () => {
    const stores = { ...createMemoryStores(), captcha: make({ secret: SECRET, url: server.url, hostnames: ['cast.example.com'] }) };
    return { stores, evaluate: (captchaToken: string) => evaluateCast(config, { ip: '::ffff:192.0.2.7', captchaToken }, stores) };
  };

  it('creates a session for a token the provider accepts, sending the normalised client address', async () => {
    const { stores, evaluate } = setup();
    const decision = await evaluate(TOKEN);
    expect(decision).toMatchObject({ allowed: true, outcome: 'created' });
    expect(server.received).toHaveLength(1);
    expect(server.received[0]!.form.get('remoteip')).toBe('192.0.2.7');
    expect(await stores.quota.remaining(config.key)).toBe(4);
  });

  it('answers captcha_failed (403) for a replayed token, consuming nothing', async () => {
    const { stores, evaluate } = setup();
    server.replyOnce({ body: { success: false, 'error-codes': ['timeout-or-duplicate'] } });
    const decision = await evaluate(TOKEN);
    expect(decision.allowed).toBe(false);
    expect(decision.error).toMatchObject({ code: 'captcha_failed', status: 403 });
    expect(await stores.quota.remaining(config.key)).toBeUndefined();
  });

  it('answers captcha_failed for a token solved on another hostname', async () => {
    const { evaluate } = setup();
    server.replyOnce({ body: successBody({ hostname: 'evil.example' }) });
    expect((await evaluate(TOKEN)).error?.code).toBe('captcha_failed');
  });

  it('answers captcha_failed for a 10 KB token without calling the provider', async () => {
    const { evaluate } = setup();
    expect((await evaluate('a'.repeat(10 * 1024))).error?.code).toBe('captcha_failed');
    expect(server.received).toHaveLength(0);
  });

  it('answers captcha_unavailable (503) when the provider fails, and for our misconfiguration', async () => {
    const { stores, evaluate } = setup();
    server.replyOnce({ status: 500, body: '<html>oops</html>' });
    expect((await evaluate(TOKEN)).error).toMatchObject({ code: 'captcha_unavailable', status: 503 });
    server.replyOnce({ body: { success: false, 'error-codes': ['invalid-input-secret'] } });
    expect((await evaluate(TOKEN)).error).toMatchObject({ code: 'captcha_unavailable', status: 503 });
    expect(await stores.quota.remaining(config.key)).toBeUndefined();
  });

  it('answers captcha_unavailable when the provider outlives storeTimeoutMs: the engine\'s signal aborts the call', async () => {
    const { stores } = setup();
    server.replyOnce({ hang: 'headers' });
    const decision = await evaluateCast(config, { ip: '192.0.2.7', captchaToken: TOKEN }, stores, { storeTimeoutMs: 200 });
    expect(decision.error?.code).toBe('captcha_unavailable');
  });

  it('never puts the secret or the token in a decision: message, trace or redirectUrl (3.9)', async () => {
    const { evaluate } = setup();
    const replies = [
      { body: { success: false, 'error-codes': ['invalid-input-response'] } },
      { body: { success: false, 'error-codes': ['invalid-input-secret'] } },
      { status: 502, body: `<html>${SECRET} ${TOKEN}</html>` },
      { body: successBody({ hostname: 'evil.example' }) },
    ];
    for (const reply of replies) {
      server.replyOnce(reply);
      const decision = await evaluate(TOKEN);
      expect(decision.allowed).toBe(false);
      // A failed captcha is a challenge (the visitor may try again): only an outage redirects (SPEC §A).
      if (decision.error?.code === 'captcha_failed') expect(decision.redirectUrl).toBeUndefined();
      else expect(decision.redirectUrl).toBeDefined();
      const text = JSON.stringify(decision);
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(TOKEN);
    }
  });
});
