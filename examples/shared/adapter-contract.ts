// The request matrix every framework adapter must pass, driven over real HTTP against an app on
// 127.0.0.1 port 0. examples/express/app.test.ts and examples/fastify/app.test.ts each call
// describeCastAdapter once with a function that starts their app.
import { randomInt } from 'node:crypto';
import { createMemoryStores, hcaptchaVerifier, recaptchaVerifier, turnstileVerifier, type CastConfig, type CastHttpBody } from 'castgate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSiteverifyServer, type SiteverifyServer } from '../../test/fakes/siteverify-server.js';
import type { CastHandlerOptions } from './cast-handler.js';
import { loadConfigSource, type StaticConfigSource } from './config-source.js';
import { send, sendRaw, type TestAnswer } from './test-client.js';
import type { TrustProxy } from './trust-proxy.js';

/**
 * What a test passes to start an app: the shared handler options and the framework's trust-proxy
 * setting and warning sink.
 *
 * @example
 * ```ts
 * const options: StartCastAppOptions = { configs, stores: createMemoryStores(), trustProxy: ['127.0.0.1/8'] };
 * ```
 */
export interface StartCastAppOptions extends CastHandlerOptions {
  readonly trustProxy?: TrustProxy | undefined;
  readonly warn?: ((message: string) => void) | undefined;
}

/**
 * An app listening on 127.0.0.1.
 *
 * @example
 * ```ts
 * const app: RunningCastApp = await start(options);
 * await app.close();
 * ```
 */
export interface RunningCastApp {
  readonly origin: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Starts one framework's example app on 127.0.0.1 port 0.
 *
 * @example
 * ```ts
 * const start: StartCastApp = async (options) => listen(createExpressCastApp(options));
 * ```
 */
export type StartCastApp = (options: StartCastAppOptions) => Promise<RunningCastApp>;

/** Google's published reCAPTCHA v2 test site key (public by design). */
const testSiteKey = '6LeIxAcTAAAAAJcZVRqyHh71UMIEGNQ_MXjiZKhI';

function randomIpv4(): string {
  return `198.51.100.${randomInt(1, 255)}`;
}

function jsonOf(answer: TestAnswer): CastHttpBody {
  return JSON.parse(answer.body) as CastHttpBody;
}

function errorCodeOf(answer: TestAnswer): string | undefined {
  const body = jsonOf(answer);
  return 'error' in body ? body.error.code : undefined;
}

/**
 * Defines the adapter test suite for one framework: allowed, referrer, rate limit with Retry-After,
 * quota, errorUrl redirect, unknown key, trust proxy (spoofed X-Forwarded-For ignored, or honoured
 * only from a listed proxy), duplicate Referer lines, a client-sent `now`, the remote-app Excel
 * example, the captcha check page, the demo user header and HTML escaping.
 *
 * @example
 * ```ts
 * describeCastAdapter('Express', startExpress);
 * ```
 */
export function describeCastAdapter(framework: string, start: StartCastApp): void {
  describe(`${framework} adapter (examples)`, () => {
    let configs: StaticConfigSource;
    let provider: SiteverifyServer;

    beforeAll(async () => {
      configs = await loadConfigSource(new URL('../configs.json', import.meta.url));
      provider = await startSiteverifyServer();
    });
    afterAll(async () => {
      await provider.close();
    });

    function sample(prefix: string): CastConfig {
      const config = configs.configs.find((candidate) => candidate.key.startsWith(`${prefix}-`));
      if (config === undefined) throw new Error(`configs.json has no "${prefix}-…" config`);
      return config;
    }

    const path = (config: CastConfig, query = '') => `/cast/${config.key}${query}`;

    /** Starts an app with fresh memory stores, runs `body`, always closes it. */
    async function withApp(
      extra: Partial<StartCastAppOptions>,
      body: (app: RunningCastApp, options: StartCastAppOptions) => Promise<void>,
    ): Promise<void> {
      provider.reset();
      const options: StartCastAppOptions = {
        configs,
        stores: { ...createMemoryStores(), captcha: recaptchaVerifier({ secret: 'test-secret', url: provider.url }) },
        captcha: { provider: 'recaptcha', siteKey: testSiteKey },
        warn: () => undefined,
        ...extra,
      };
      const app = await start(options);
      try {
        await body(app, options);
      } finally {
        await app.close();
      }
    }

    describe('allowed requests', () => {
      it('serves an anonymous link with the launch page (200, HTML, no-store)', async () => {
        await withApp({ notice: 'This test starts no desktop.' }, async ({ origin }) => {
          const answer = await send(origin, path(sample('anon')));
          expect(answer.status).toBe(200);
          expect(answer.headers['content-type']).toMatch(/^text\/html/u);
          expect(answer.headers['cache-control']).toBe('no-store');
          expect(answer.body).toContain('kasmweb/chrome:1.15.0');
          expect(answer.body).toContain('This test starts no desktop.');
        });
      });

      it('answers JSON with the launch plan when the client asks for application/json', async () => {
        await withApp({}, async ({ origin }) => {
          const answer = await send(origin, path(sample('anon')), { headers: { accept: 'application/json' } });
          expect(answer.status).toBe(200);
          expect(answer.headers['content-type']).toMatch(/^application\/json/u);
          expect(jsonOf(answer)).toMatchObject({ outcome: 'created', launch: { imageId: 'kasmweb/chrome:1.15.0', env: { KASM_URL: 'https://www.example.com/' } } });
        });
      });

      it('answers HEAD with 405 and consumes nothing (checking a link must not start a session)', async () => {
        await withApp({}, async ({ origin }) => {
          const quota = sample('quota');
          const head = await send(origin, path(quota), { method: 'HEAD' });
          expect(head.status).toBe(405);
          expect(head.headers.allow).toBe('GET, POST');
          const statuses: number[] = [];
          for (let i = 0; i < 4; i++) statuses.push((await send(origin, path(quota))).status);
          expect(statuses).toEqual([200, 200, 200, 429]);
        });
      });
    });

    describe('denials', () => {
      it('refuses a referrer that is not on the list: the error page with message and status 403', async () => {
        await withApp({}, async ({ origin }) => {
          const answer = await send(origin, path(sample('portal')), { headers: { referer: 'https://portal.example.com.evil.example/' } });
          expect(answer.status).toBe(403);
          expect(answer.body).toContain('Requests are not allowed from this domain.');
          expect(answer.body).toContain('referrer_denied');
          const listed = await send(origin, path(sample('portal')), { headers: { referer: 'https://portal.example.com/welcome' } });
          expect(listed.status).toBe(200);
        });
      });

      it('answers 429 with Retry-After once an address used its share of the rate limit', async () => {
        await withApp({}, async ({ origin }) => {
          const first = await send(origin, path(sample('ratelimit')));
          const second = await send(origin, path(sample('ratelimit')));
          expect(first.status).toBe(200);
          expect(second.status).toBe(429);
          const retryAfter = Number(second.headers['retry-after']);
          expect(retryAfter).toBeGreaterThanOrEqual(1);
          expect(retryAfter).toBeLessThanOrEqual(60);
          expect(second.body).toContain('Request limit reached. Please try again later.');
        });
      });

      it('answers 429 "Session limit exceeded." once the quota of 3 is spent', async () => {
        await withApp({}, async ({ origin }) => {
          const answers: TestAnswer[] = [];
          for (let i = 0; i < 4; i++) answers.push(await send(origin, path(sample('quota')), { headers: { accept: 'application/json' } }));
          expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 429]);
          expect(errorCodeOf(answers[3]!)).toBe('quota_exhausted');
          expect(answers[3]!.headers['retry-after']).toBeUndefined();
        });
      });

      it('redirects to errorUrl (302) with error= and message= set, other parameters and the fragment kept', async () => {
        await withApp({}, async ({ origin }) => {
          const answer = await send(origin, path(sample('errorurl')));
          expect(answer.status).toBe(302);
          const location = new URL(answer.headers.location ?? '');
          expect(location.origin + location.pathname).toBe('https://partner.example.com/cast-error');
          expect(location.searchParams.get('lang')).toBe('en');
          expect(location.searchParams.get('error')).toBe('referrer_denied');
          expect(location.searchParams.get('message')).toBe('Requests are not allowed from this domain.');
          expect(location.hash).toBe('#help');
        });
      });

      it('answers 404 for an unknown key, without repeating the key', async () => {
        await withApp({}, async ({ origin }) => {
          const answer = await send(origin, '/cast/no-such-key-%3Cb%3Ehello');
          expect(answer.status).toBe(404);
          expect(answer.body).toContain('Link not found');
          expect(answer.body).not.toContain('hello');
          const json = await send(origin, '/cast/no-such-key-0123456789', { headers: { accept: 'application/json' } });
          expect(json.status).toBe(404);
          expect(errorCodeOf(json)).toBe('not_found');
        });
      });

      it('keeps an expired link expired whatever the client says the time is: ?now=1999-01-01 (THREATS 8.7)', async () => {
        await withApp({}, async ({ origin }) => {
          for (const query of ['', '?now=1999-01-01', '?now=1999-01-01T00:00:00Z&validUntil=2999-01-01']) {
            const answer = await send(origin, path(sample('expired'), query), { headers: { date: 'Fri, 01 Jan 1999 00:00:00 GMT' } });
            expect(answer.status).toBe(410);
            expect(answer.body).toContain('This link has expired');
          }
        });
      });
    });

    describe('client address and trust proxy (THREATS 1.1, 1.2)', () => {
      async function tenRequests(origin: string, forwardedFor: () => string): Promise<number[]> {
        const statuses: number[] = [];
        for (let i = 0; i < 10; i++) {
          statuses.push((await send(origin, path(sample('ratelimit')), { headers: { 'x-forwarded-for': forwardedFor() } })).status);
        }
        return statuses;
      }
      const count = (statuses: number[], status: number) => statuses.filter((s) => s === status).length;

      it('ignores a spoofed X-Forwarded-For when trust proxy is off: 10 requests, limit 1 → 1 allowed, 9 rate_limited', async () => {
        await withApp({ trustProxy: false }, async ({ origin }) => {
          const statuses = await tenRequests(origin, randomIpv4);
          expect([count(statuses, 200), count(statuses, 429)]).toEqual([1, 9]);
        });
      });

      it('keys on the address the trusted proxy appended, even when the left-most entry rotates: 1 allowed, 9 rate_limited', async () => {
        await withApp({ trustProxy: ['127.0.0.1/8', '::1/128'] }, async ({ origin }) => {
          const statuses = await tenRequests(origin, () => `${randomIpv4()}, 203.0.113.9`);
          expect([count(statuses, 200), count(statuses, 429)]).toEqual([1, 9]);
        });
      });

      it('honours X-Forwarded-For from a listed proxy: two clients behind it get a slot each', async () => {
        await withApp({ trustProxy: '127.0.0.1/8, ::1/128' }, async ({ origin }) => {
          const first = await send(origin, path(sample('ratelimit')), { headers: { 'x-forwarded-for': '203.0.113.10' } });
          const second = await send(origin, path(sample('ratelimit')), { headers: { 'x-forwarded-for': '203.0.113.11' } });
          const again = await send(origin, path(sample('ratelimit')), { headers: { 'x-forwarded-for': '203.0.113.10' } });
          expect([first.status, second.status, again.status]).toEqual([200, 200, 429]);
        });
      });

      it('ignores X-Forwarded-For from a peer outside the trusted range: trust uniquelocal, client connects directly', async () => {
        await withApp({ trustProxy: ['uniquelocal'] }, async ({ origin }) => {
          const statuses = await tenRequests(origin, randomIpv4);
          expect([count(statuses, 200), count(statuses, 429)]).toEqual([1, 9]);
        });
      });

      it('warns once at start-up when every proxy is trusted, and not for a list of proxies', async () => {
        const warnings: string[] = [];
        await withApp({ trustProxy: true, warn: (message) => warnings.push(message) }, async ({ origin }) => {
          await send(origin, path(sample('anon')));
          await send(origin, path(sample('anon')));
        });
        expect(warnings).toHaveLength(1);
        expect(warnings[0]).toMatch(/trusts every proxy/u);
        const quiet: string[] = [];
        await withApp({ trustProxy: ['127.0.0.1/8'], warn: (message) => quiet.push(message) }, async () => undefined);
        expect(quiet).toEqual([]);
      });
    });

    describe('referrer headers (THREATS 2.12)', () => {
      it('refuses a request with two Referer lines (400), even when the first one is on the list', async () => {
        await withApp({}, async ({ port }) => {
          const key = sample('portal').key;
          const twice = await sendRaw(port, `/cast/${key}`, ['Referer: https://portal.example.com/', 'Referer: https://evil.example/']);
          expect(twice.status).toBe(400);
          expect(twice.text).toContain('invalid_request');
          const mixedCase = await sendRaw(port, `/cast/${sample('anon').key}`, ['referer: https://a.example/', 'REFERER: https://a.example/']);
          expect(mixedCase.status).toBe(400);
          const once = await sendRaw(port, `/cast/${key}`, ['Referer: https://portal.example.com/']);
          expect(once.status).toBe(200);
        });
      });
    });

    describe('the remote app (the seed\'s Excel example)', () => {
      it('builds the quoted Excel command line for a good file parameter', async () => {
        await withApp({}, async ({ origin }) => {
          const query = `?${new URLSearchParams({ file: 'C:\\Reports\\Q1 2026.xlsx' }).toString()}`;
          const answer = await send(origin, path(sample('excel'), query), { headers: { accept: 'application/json' } });
          expect(answer.status).toBe(200);
          expect(jsonOf(answer)).toMatchObject({
            launch: { remoteApp: { name: '||Microsoft Excel', argv: ['C:\\Reports\\Q1 2026.xlsx'], commandLine: '"C:\\Reports\\Q1 2026.xlsx"' } },
          });
          const page = await send(origin, path(sample('excel'), query));
          expect(page.body).toContain('&quot;C:\\Reports\\Q1 2026.xlsx&quot;');
        });
      });

      it('refuses a bad file parameter (400 invalid_parameter naming "file")', async () => {
        await withApp({}, async ({ origin }) => {
          for (const file of ['C:\\Windows\\System32\\calc.exe', 'C:\\Reports\\Q1.xlsx" /e calc', '\\\\evil\\share\\x.xlsx']) {
            const answer = await send(origin, path(sample('excel'), `?${new URLSearchParams({ file }).toString()}`), { headers: { accept: 'application/json' } });
            expect(answer.status).toBe(400);
            expect(jsonOf(answer)).toMatchObject({ error: { code: 'invalid_parameter', parameter: 'file' } });
          }
        });
      });

      it('refuses a repeated file parameter and a missing one', async () => {
        await withApp({}, async ({ origin }) => {
          const repeated = await send(origin, path(sample('excel'), '?file=C%3A%5Ca.xlsx&file=C%3A%5Cb.xlsx'), { headers: { accept: 'application/json' } });
          expect(jsonOf(repeated)).toMatchObject({ error: { code: 'invalid_parameter', parameter: 'file' } });
          const missing = await send(origin, path(sample('excel')), { headers: { accept: 'application/json' } });
          expect(jsonOf(missing)).toMatchObject({ error: { code: 'missing_parameter', parameter: 'file' } });
        });
      });
    });

    describe('the captcha check page', () => {
      it('shows the provider widget with the host site key on captcha_required, and the form posts back', async () => {
        await withApp({}, async ({ origin }) => {
          const answer = await send(origin, path(sample('captcha')));
          expect(answer.status).toBe(403);
          expect(answer.body).toContain('https://www.google.com/recaptcha/api.js');
          expect(answer.body).toContain(`data-sitekey="${testSiteKey}"`);
          expect(answer.body).toContain('<form method="post"');
          expect(answer.headers['content-security-policy']).toContain('https://www.google.com');
          expect(provider.received).toHaveLength(0);
        });
      });

      it('lets the request through once the form sends a token the provider accepts', async () => {
        await withApp({}, async ({ origin }) => {
          const answer = await send(origin, path(sample('captcha')), { form: { 'g-recaptcha-response': 'token-from-the-widget' } });
          expect(answer.status).toBe(200);
          expect(provider.received).toHaveLength(1);
          expect(provider.received[0]!.form.get('response')).toBe('token-from-the-widget');
          expect(provider.received[0]!.form.get('remoteip')).toBe('127.0.0.1');
        });
      });

      it('takes the token from the x-captcha-token header too, and answers captcha_failed when the provider says no', async () => {
        await withApp({}, async ({ origin }) => {
          provider.reply({ body: { success: false, 'error-codes': ['invalid-input-response'] } });
          const answer = await send(origin, path(sample('captcha')), { headers: { 'x-captcha-token': 'token-from-a-script', accept: 'application/json' } });
          expect(answer.status).toBe(403);
          expect(errorCodeOf(answer)).toBe('captcha_failed');
          expect(provider.received[0]!.form.get('response')).toBe('token-from-a-script');
        });
      });

      it('refuses a token sent twice (form field and header) without calling the provider', async () => {
        await withApp({}, async ({ origin }) => {
          const answer = await send(origin, path(sample('captcha')), { form: { 'g-recaptcha-response': 'one' }, headers: { 'x-captcha-token': 'two' } });
          expect(answer.status).toBe(400);
          expect(provider.received).toHaveLength(0);
        });
      });

      it('reads the token field of the configured provider: cf-turnstile-response, h-captcha-response', async () => {
        const widgets = [
          { verifier: turnstileVerifier, provider: 'turnstile', field: 'cf-turnstile-response', script: 'https://challenges.cloudflare.com/turnstile/v0/api.js' },
          { verifier: hcaptchaVerifier, provider: 'hcaptcha', field: 'h-captcha-response', script: 'https://js.hcaptcha.com/1/api.js' },
        ] as const;
        for (const { verifier, provider: name, field, script } of widgets) {
          const stores = { ...createMemoryStores(), captcha: verifier({ secret: 'test-secret', url: provider.url }) };
          await withApp({ stores, captcha: { provider: name, siteKey: `${name}-site-key` } }, async ({ origin }) => {
            const page = await send(origin, path(sample('captcha')));
            expect(page.body).toContain(script);
            expect(page.body).toContain(`data-sitekey="${name}-site-key"`);
            const answer = await send(origin, path(sample('captcha')), { form: { [field]: `${name}-token` } });
            expect(answer.status).toBe(200);
            expect(provider.received.at(-1)?.form.get('response')).toBe(`${name}-token`);
          });
        }
      });

      it('refuses at start-up a captcha config with no verifier', async () => {
        await expect(start({ configs, stores: createMemoryStores(), captcha: { provider: 'recaptcha', siteKey: testSiteKey } })).rejects.toThrow(/requires a captcha/u);
      });
    });

    describe('signed-in users', () => {
      it('reads x-demo-user only when the demo option is on: created, then resumed', async () => {
        await withApp({ demoUserHeader: true }, async ({ origin }) => {
          const headers = { 'x-demo-user': 'alice', accept: 'application/json' };
          const first = await send(origin, path(sample('members')), { headers });
          const second = await send(origin, path(sample('members')), { headers });
          expect(jsonOf(first)).toMatchObject({ outcome: 'created', launch: { user: { anonymous: false, id: 'alice' } } });
          expect(jsonOf(second)).toMatchObject({ outcome: 'resumed' });
        });
        await withApp({}, async ({ origin }) => {
          const answer = await send(origin, path(sample('members')), { headers: { 'x-demo-user': 'alice' } });
          expect(answer.status).toBe(401);
        });
      });

      it('escapes what it shows: a user id with markup comes out as text', async () => {
        await withApp({ demoUserHeader: true, showTrace: true }, async ({ origin }) => {
          const answer = await send(origin, path(sample('members')), { headers: { 'x-demo-user': '<script>alert(1)</script>' } });
          expect(answer.status).toBe(200);
          expect(answer.body).not.toContain('<script>alert(1)</script>');
          expect(answer.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
          expect(answer.headers['content-security-policy']).toContain("default-src 'none'");
        });
      });
    });
  });
}
