// The request matrix every HTTP adapter must pass (SPEC §11), driven over real sockets against an
// app on 127.0.0.1 port 0. test/http/{express,fastify,fetch}.test.ts each call describeCastHttpAdapter
// once with a function that starts their framework's app.
import { randomInt } from 'node:crypto';
import { createMemoryStores, hcaptchaVerifier, parseCastConfig, recaptchaVerifier, turnstileVerifier, type CastConfig, type CastDecisionEvent } from 'castgate';
import type { CastHttpOptions } from 'castgate/http';
import { describe, expect, it } from 'vitest';
import { useSiteverifyServer } from '../fakes/siteverify-server.js';
import { send, sendRaw, type TestAnswer } from '../helpers/http-client.js';

/** What a test passes to start an app: the handler options, the framework's trust-proxy setting, and whether `x-test-user` names the signed-in user. */
export interface StartCastHttpOptions extends CastHttpOptions {
  readonly trustProxy?: boolean | readonly string[] | undefined;
  /** The app's `userOf` reads the `x-test-user` header (a test stand-in for the host's session). */
  readonly testUserHeader?: boolean | undefined;
  /** Where the app is mounted (`/links` serves `/links/cast/:key`). @defaultValue '' */
  readonly prefix?: string | undefined;
}

/** An app listening on 127.0.0.1. */
export interface RunningCastHttpApp {
  readonly origin: string;
  readonly port: number;
  close(): Promise<void>;
}

/** How one framework is started, and what it can do. */
export interface CastHttpAdapterUnderTest {
  readonly name: string;
  start(options: StartCastHttpOptions): Promise<RunningCastHttpApp>;
  /** The framework resolves the client address from X-Forwarded-For under a trust-proxy setting. */
  readonly trustProxy: boolean;
}

export const stateSecret = 'test-state-secret-0123456789-abcdefghij';
const testSiteKey = '6LeIxAcTAAAAAJcZVRqyHh71UMIEGNQ_MXjiZKhI';

const config = (input: Record<string, unknown>): CastConfig => parseCastConfig({ imageId: 'kasmweb/chrome:1.15.0', allowAnonymous: true, ...input });

/** The links every adapter is tried on. */
export const contractConfigs = {
  anon: config({ name: 'Anonymous', key: 'anon-v7ZgRkJkHY9Uobsi6T', kasmUrl: 'https://www.example.com/' }),
  portal: config({ name: 'Portal only', key: 'portal-TJkeRD8ELiQjMkdj8S', allowedReferrers: ['portal.example.com'] }),
  ratelimit: config({ name: 'Rate limited', key: 'ratelimit-qViUaFBMJQMTE6i5NA', ipRateLimit: { sessions: 1, withinSeconds: 60 } }),
  quota: config({ name: 'Quota', key: 'quota-8RLbwRdrMEaMo2rVYh', sessionsRemaining: 3 }),
  captcha: config({
    name: 'Captcha on the portal',
    key: 'captcha-oUXAttKSAsMq5yKEbr',
    requireCaptcha: true,
    allowedReferrers: ['portal.example.com'],
    ipRateLimit: { sessions: 5, withinSeconds: 300 },
  }),
  captchaErrorUrl: config({ name: 'Captcha with errorUrl', key: 'captchaerr-Hq2ZxVb7RkTn4PwLs9', requireCaptcha: true, errorUrl: 'https://partner.example.com/oops' }),
  excel: config({
    name: 'Excel',
    key: 'excel-W5nYSY2wG3YU4JLLtq',
    imageId: 'rds-pool-excel',
    remoteApp: { remoteAppName: '||Microsoft Excel', argPolicy: 'strict', args: [{ urlParamName: 'file', valuePattern: '[A-Za-z]:\\\\[^"%]+\\.xlsx', required: true }] },
  }),
  expired: config({ name: 'Expired', key: 'expired-gz5DfSa4VZZNistjaW', validUntil: '2025-06-01T00:00:00Z' }),
  errorUrl: config({ name: 'errorUrl', key: 'errorurl-uhe9BBhu4xdgfQNwKL', allowedReferrers: ['partner.example.com'], errorUrl: 'https://partner.example.com/cast-error?lang=en#help' }),
  members: config({ name: 'Members', key: 'members-SjSukD86Gr2YhWH8BS', allowAnonymous: false, errorUrl: 'https://partner.example.com/oops' }),
} as const;

const allConfigs = Object.values(contractConfigs);

function randomIpv4(): string {
  return `198.51.100.${randomInt(1, 255)}`;
}

interface JsonAnswer {
  readonly allowed: boolean;
  readonly error?: { readonly code: string; readonly message: string; readonly status: number; readonly parameter?: string; readonly retryAfterSeconds?: number };
  readonly launch?: unknown;
  readonly trace?: unknown;
  readonly redirectUrl?: string;
  readonly loginUrl?: string;
  readonly decisionId?: string;
}

function jsonOf(answer: TestAnswer): JsonAnswer {
  return JSON.parse(answer.body) as JsonAnswer;
}

/** The marks of a framework's default error page or a leaked exception. */
function expectNoLeak(answer: TestAnswer): void {
  expect(answer.body).not.toMatch(/\bat [\w.<>]+ \(|node_modules|\/work\/|FST_ERR|Cannot (GET|POST)|stack/u);
  expect(answer.headers['cache-control']).toBe('no-store');
  expect(answer.headers['x-content-type-options']).toBe('nosniff');
}

function formStateOf(page: TestAnswer): string {
  const state = /name="castgate_state" value="([^"]+)"/u.exec(page.body)?.[1];
  if (state === undefined) throw new Error('the captcha page has no castgate_state field');
  return state;
}

/**
 * Defines the HTTP adapter suite for one framework (SPEC §11 and §A's challenges).
 *
 * @example
 * ```ts
 * describeCastHttpAdapter({ name: 'Express 5', start: startExpress, trustProxy: true });
 * ```
 */
export function describeCastHttpAdapter(adapter: CastHttpAdapterUnderTest): void {
  describe(`${adapter.name} adapter (the shared HTTP contract)`, () => {
    const provider = useSiteverifyServer();

    async function withApp(extra: Partial<StartCastHttpOptions>, body: (app: RunningCastHttpApp) => Promise<void>): Promise<void> {
      const app = await adapter.start({
        configs: allConfigs,
        stores: { ...createMemoryStores(), captcha: recaptchaVerifier({ secret: 'test-secret', url: provider.url }) },
        captcha: { provider: 'recaptcha', siteKey: testSiteKey },
        stateSecret,
        ...extra,
      });
      try {
        await body(app);
      } finally {
        await app.close();
      }
    }

    const path = (link: CastConfig, query = '') => `/cast/${link.key}${query}`;
    const json = { accept: 'application/json' };

    describe('allowed requests', () => {
      it('serves the launch page: 200, HTML, no-store, nosniff, a CSP that allows no script', async () => {
        await withApp({}, async ({ origin }) => {
          const answer = await send(origin, path(contractConfigs.anon));
          expect(answer.status).toBe(200);
          expect(answer.headers['content-type']).toMatch(/^text\/html; charset=utf-8/u);
          expect(answer.body).toContain('<html lang="en">');
          expect(answer.body).toContain('Your session is ready');
          expect(answer.body).toContain('kasmweb/chrome:1.15.0');
          expect(answer.headers['content-security-policy']).toContain("script-src 'none'");
          expect(answer.headers['content-length']).toBe(String(Buffer.byteLength(answer.body)));
          expect(answer.headers['transfer-encoding']).toBeUndefined();
          expectNoLeak(answer);
        });
      });

      it('answers JSON for Accept: application/json: the decision without its trace', async () => {
        await withApp({}, async ({ origin }) => {
          const answer = await send(origin, path(contractConfigs.anon), { headers: json });
          expect(answer.status).toBe(200);
          expect(answer.headers['content-type']).toMatch(/^application\/json/u);
          const body = jsonOf(answer);
          expect(body).toMatchObject({ allowed: true, outcome: 'created', launch: { imageId: 'kasmweb/chrome:1.15.0', env: { KASM_URL: 'https://www.example.com/' } } });
          expect(body.trace).toBeUndefined();
          expectNoLeak(answer);
        });
      });

      it('shows the trace only with debug on', async () => {
        await withApp({ debug: true }, async ({ origin }) => {
          const answer = await send(origin, path(contractConfigs.anon), { headers: json });
          expect(jsonOf(answer).trace).toEqual(expect.arrayContaining([expect.objectContaining({ guard: 'provision', verdict: 'pass' })]));
          expect((await send(origin, path(contractConfigs.anon))).body).toContain('Guard trace');
        });
      });

      it('answers HEAD and PUT with 405 and consumes nothing (checking a link must not start a session)', async () => {
        await withApp({}, async ({ origin }) => {
          const head = await send(origin, path(contractConfigs.quota), { method: 'HEAD' });
          expect(head.status).toBe(405);
          expect(head.headers.allow).toBe('GET, POST');
          const put = await send(origin, path(contractConfigs.quota), { method: 'PUT' });
          expect(put.status).toBe(405);
          expectNoLeak(put);
          const statuses: number[] = [];
          for (let i = 0; i < 4; i++) statuses.push((await send(origin, path(contractConfigs.quota))).status);
          expect(statuses).toEqual([200, 200, 200, 429]);
        });
      });
    });

    describe('final denials', () => {
      it('refuses a referrer that is not on the list: the error page, Kasm\'s message and a plain explanation (403)', async () => {
        await withApp({}, async ({ origin }) => {
          const answer = await send(origin, path(contractConfigs.portal), { headers: { referer: 'https://portal.example.com.evil.example/' } });
          expect(answer.status).toBe(403);
          expect(answer.body).toContain('Requests are not allowed from this domain.');
          expect(answer.body).toContain('only opens from the website it was published on');
          expect(answer.body).toContain('referrer_denied');
          expectNoLeak(answer);
          expect((await send(origin, path(contractConfigs.portal), { headers: { referer: 'https://portal.example.com/welcome' } })).status).toBe(200);
        });
      });

      it('answers 429 with Retry-After once an address used its share of the rate limit', async () => {
        await withApp({}, async ({ origin }) => {
          expect((await send(origin, path(contractConfigs.ratelimit))).status).toBe(200);
          const second = await send(origin, path(contractConfigs.ratelimit));
          expect(second.status).toBe(429);
          const retryAfter = Number(second.headers['retry-after']);
          expect(retryAfter).toBeGreaterThanOrEqual(1);
          expect(retryAfter).toBeLessThanOrEqual(60);
          expect(second.body).toContain('Request limit reached. Please try again later.');
          expect(second.body).toMatch(/try again in \d+ seconds?/u);
        });
      });

      it('answers JSON 429 with Retry-After, no-store, nosniff and the decision id for Accept: application/json', async () => {
        await withApp({}, async ({ origin }) => {
          expect((await send(origin, path(contractConfigs.ratelimit), { headers: json })).status).toBe(200);
          const second = await send(origin, path(contractConfigs.ratelimit), { headers: json });
          expect(second.status).toBe(429);
          const body = jsonOf(second);
          expect(body).toMatchObject({ allowed: false, error: { code: 'rate_limited', status: 429 } });
          expect(body.error?.retryAfterSeconds).toBeGreaterThanOrEqual(1);
          expect(Number(second.headers['retry-after'])).toBe(body.error?.retryAfterSeconds);
          expect(second.headers['x-cast-decision-id']).toBe(body.decisionId);
          expect(second.headers['cache-control']).toBe('no-store');
          expect(second.headers['x-content-type-options']).toBe('nosniff');
          expect(second.headers['content-type']).toBe('application/json; charset=utf-8');
        });
      });

      it('redirects a final denial to errorUrl (302) with error= and message=, other parameters and the fragment kept', async () => {
        await withApp({}, async ({ origin }) => {
          const answer = await send(origin, path(contractConfigs.errorUrl));
          expect(answer.status).toBe(302);
          const location = new URL(answer.headers.location ?? '');
          expect(location.origin + location.pathname).toBe('https://partner.example.com/cast-error');
          expect(location.searchParams.get('lang')).toBe('en');
          expect(location.searchParams.get('error')).toBe('referrer_denied');
          expect(location.hash).toBe('#help');
          expect(answer.headers['cache-control']).toBe('no-store');
          const asJson = await send(origin, path(contractConfigs.errorUrl), { headers: json });
          expect(asJson.status).toBe(403);
          expect(jsonOf(asJson).redirectUrl).toBe(answer.headers.location);
        });
      });

      it('keeps an expired link expired whatever the client says the time is: ?now=1999-01-01 (THREATS 8.7)', async () => {
        await withApp({}, async ({ origin }) => {
          for (const query of ['', '?now=1999-01-01', '?now=1999-01-01T00:00:00Z&validUntil=2999-01-01']) {
            const answer = await send(origin, path(contractConfigs.expired, query), { headers: { date: 'Fri, 01 Jan 1999 00:00:00 GMT' } });
            expect(answer.status).toBe(410);
            expect(answer.body).toContain('This link has expired');
          }
        });
      });
    });

    describe('links that do not exist, and input that is not a link', () => {
      it('answers its own 404 page for an unknown key, /cast/, a long or percent-encoded key, without repeating them', async () => {
        await withApp({}, async ({ origin }) => {
          for (const target of ['/cast/no-such-key-%3Cb%3Ehello', '/cast/', `/cast/${'k'.repeat(129)}`, '/cast/hello%2Fworld', '/cast/..%2F..%2Fetc']) {
            const answer = await send(origin, target);
            expect(answer.status, target).toBe(404);
            expect(answer.body).toContain('Link not found');
            expect(answer.body).not.toContain('hello');
            expectNoLeak(answer);
          }
          const asJson = await send(origin, '/cast/no-such-key-0123456789', { headers: json });
          expect(asJson.status).toBe(404);
          expect(jsonOf(asJson).error?.code).toBe('not_found');
        });
      });

      it('answers a broken percent escape in the path with its own page, never the framework\'s error', async () => {
        await withApp({}, async ({ origin, port }) => {
          for (const target of ['/cast/%E0%A4%A', '/cast/%zz', `/cast/${contractConfigs.anon.key}%`, '/cast/%C0%AF']) {
            const answer = await sendRaw(port, target, []);
            expect(answer.status, target).toBe(404);
            expect(answer.text).toContain('Link not found');
            expect(answer.text).not.toMatch(/FST_ERR|URIError|\bat [\w.]+ \(/u);
          }
          const query = await send(origin, path(contractConfigs.anon, '?x=%zz&file=%E0%A4%A'));
          expect(query.status).toBe(200);
        });
      });

      it('refuses a request with two Referer lines (400), even when the first one is on the list', async () => {
        await withApp({}, async ({ port }) => {
          const key = contractConfigs.portal.key;
          const twice = await sendRaw(port, `/cast/${key}`, ['Referer: https://portal.example.com/', 'Referer: https://evil.example/']);
          expect(twice.status).toBe(400);
          expect(twice.text).toContain('invalid_request');
          const mixedCase = await sendRaw(port, `/cast/${contractConfigs.anon.key}`, ['referer: https://a.example/', 'REFERER: https://a.example/']);
          expect(mixedCase.status).toBe(400);
          expect((await sendRaw(port, `/cast/${key}`, ['Referer: https://portal.example.com/'])).status).toBe(200);
        });
      });
    });

    describe('form bodies (the captcha page\'s POST)', () => {
      it('answers 413 over 16 KB, 415 for another charset, a content encoding or another type, 400 when malformed: its own pages', async () => {
        await withApp({}, async ({ origin }) => {
          const target = path(contractConfigs.anon);
          const form = { 'content-type': 'application/x-www-form-urlencoded' };
          const cases: [string, Record<string, string>, string | Buffer, number][] = [
            ['17 KB', form, `a=${'x'.repeat(17 * 1024)}`, 413],
            ['40 fields', form, Array.from({ length: 40 }, (_, i) => `f${i}=1`).join('&'), 413],
            ['charset=utf-7', { 'content-type': 'application/x-www-form-urlencoded; charset=utf-7' }, 'a=1', 415],
            ['gzip', { ...form, 'content-encoding': 'gzip' }, 'a=1', 415],
            ['JSON', { 'content-type': 'application/json' }, '{"a":', 415],
            ['a broken escape', form, 'a=%zz', 400],
            ['bytes that are not UTF-8', form, Buffer.from([0x61, 0x3d, 0xff, 0xfe]), 400],
            ['an escape that decodes to bad UTF-8', form, 'a=%C0%AF', 400],
          ];
          for (const [name, headers, body, status] of cases) {
            const answer = await send(origin, target, { method: 'POST', headers, body });
            expect(answer.status, name).toBe(status);
            expect(answer.headers['content-type'], name).toMatch(/^text\/html/u);
            expectNoLeak(answer);
            const asJson = await send(origin, target, { method: 'POST', headers: { ...headers, ...json }, body });
            expect(asJson.status, name).toBe(status);
            expect(asJson.headers['content-type'], name).toMatch(/^application\/json/u);
          }
          expect((await send(origin, target, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' }, body: 'a=1' })).status).toBe(200);
        });
      });
    });

    // The fetch adapter gets the address from its caller (the runtime): nothing to resolve.
    if (adapter.trustProxy) describe('the client address under the framework\'s trust proxy (THREATS 1.1, 1.2)', () => {
      async function tenRequests(origin: string, forwardedFor: () => string): Promise<[number, number]> {
        const statuses: number[] = [];
        for (let i = 0; i < 10; i++) statuses.push((await send(origin, path(contractConfigs.ratelimit), { headers: { 'x-forwarded-for': forwardedFor() } })).status);
        return [statuses.filter((s) => s === 200).length, statuses.filter((s) => s === 429).length];
      }

      it('ignores a spoofed X-Forwarded-For when no proxy is trusted: 10 requests, limit 1 → 1 allowed, 9 rate_limited', async () => {
        await withApp({ trustProxy: false }, async ({ origin }) => {
          expect(await tenRequests(origin, randomIpv4)).toEqual([1, 9]);
        });
      });

      it('keys on the address the trusted proxy appended, even when the left-most entry rotates', async () => {
        await withApp({ trustProxy: ['127.0.0.1/8', '::1/128'] }, async ({ origin }) => {
          expect(await tenRequests(origin, () => `${randomIpv4()}, 203.0.113.9`)).toEqual([1, 9]);
        });
      });

      it('honours X-Forwarded-For from a listed proxy: two clients behind it get a slot each', async () => {
        await withApp({ trustProxy: ['127.0.0.1/8', '::1/128'] }, async ({ origin }) => {
          const statuses = [];
          for (const client of ['203.0.113.10', '203.0.113.11', '203.0.113.10']) {
            statuses.push((await send(origin, path(contractConfigs.ratelimit), { headers: { 'x-forwarded-for': client } })).status);
          }
          expect(statuses).toEqual([200, 200, 429]);
        });
      });

      it('refuses a captcha state carried to another client (400 invalid_request)', async () => {
        await withApp({ trustProxy: ['127.0.0.1/8'] }, async ({ origin }) => {
          const headers = { referer: 'https://portal.example.com/', 'x-forwarded-for': '203.0.113.10' };
          const state = formStateOf(await send(origin, path(contractConfigs.captcha), { headers }));
          const form = { castgate_state: state, 'g-recaptcha-response': 'token-from-the-widget' };
          const other = await send(origin, path(contractConfigs.captcha), { form, headers: { 'x-forwarded-for': '203.0.113.99', ...json } });
          expect(other.status).toBe(400);
          expect(jsonOf(other).error?.code).toBe('invalid_request');
          expect(provider.received).toHaveLength(0);
          const same = await send(origin, path(contractConfigs.captcha), { form, headers: { 'x-forwarded-for': '203.0.113.10' } });
          expect(same.status).toBe(200);
        });
      });
    });

    describe('the captcha check page (a challenge: never a redirect)', () => {
      it('shows the provider widget with the site key, in a form posting back to the original path and query with a signed state', async () => {
        await withApp({}, async ({ origin }) => {
          const target = path(contractConfigs.captcha, '?lang=fr&x=%22%3E');
          const page = await send(origin, target, { headers: { referer: 'https://portal.example.com/' } });
          expect(page.status).toBe(403);
          expect(page.body).toContain('https://www.google.com/recaptcha/api.js');
          expect(page.body).toContain(`data-sitekey="${testSiteKey}"`);
          expect(page.body).toContain(`<form method="post" action="/cast/${contractConfigs.captcha.key}?lang=fr&amp;x=%22%3E"`);
          expect(page.body).toContain('Please complete the reCAPTCHA check.');
          const nonce = /script-src 'nonce-([A-Za-z0-9+/=]+)'/u.exec(String(page.headers['content-security-policy']))?.[1];
          expect(nonce).toBeDefined();
          expect(page.body).toContain(`<script nonce="${nonce}">`);
          expect(page.headers['content-security-policy']).toContain('https://www.google.com/recaptcha/');
          expect(page.body).toContain('could not be loaded');
          formStateOf(page);
          expect(provider.received).toHaveLength(0);
          const again = await send(origin, target, { headers: { referer: 'https://portal.example.com/' } });
          expect(again.headers['content-security-policy']).not.toContain(nonce);
        });
      });

      it('lets the POST through with the Referer and query carried in the state, though the form itself has the cast page as Referer', async () => {
        await withApp({}, async ({ origin }) => {
          const target = path(contractConfigs.captcha);
          const page = await send(origin, target, { headers: { referer: 'https://portal.example.com/page' } });
          const answer = await send(origin, target, {
            form: { castgate_state: formStateOf(page), 'g-recaptcha-response': 'token-from-the-widget' },
            headers: { referer: `${origin}${target}` },
          });
          expect(answer.status).toBe(200);
          expect(provider.received).toHaveLength(1);
          expect(provider.received[0]!.form.get('response')).toBe('token-from-the-widget');
          expect(provider.received[0]!.form.get('remoteip')).toBe('127.0.0.1');
        });
      });

      it('decides a POST without a state as it comes: its own Referer (here the cast page, not on the list)', async () => {
        await withApp({}, async ({ origin }) => {
          const target = path(contractConfigs.captcha);
          const answer = await send(origin, target, { form: { 'g-recaptcha-response': 'token' }, headers: { referer: `${origin}${target}`, ...json } });
          expect(answer.status).toBe(403);
          expect(jsonOf(answer).error?.code).toBe('referrer_denied');
        });
      });

      it('refuses a forged, tampered, other-link or repeated state (400 invalid_request) without calling the provider', async () => {
        await withApp({}, async ({ origin }) => {
          const target = path(contractConfigs.captcha);
          const state = formStateOf(await send(origin, target, { headers: { referer: 'https://portal.example.com/' } }));
          const [payload, mac] = state.split('.');
          // Issued a minute earlier than the real state: never the same payload, even within one millisecond.
          const forged = `${Buffer.from(JSON.stringify([1, contractConfigs.captcha.key, 'v4:127.0.0.1', 'https://portal.example.com/', '', Date.now() - 60_000])).toString('base64url')}.${mac!}`;
          const tampered = `${payload!.slice(0, -2)}AA.${mac!}`;
          for (const [name, body] of [
            ['forged', `castgate_state=${forged}&g-recaptcha-response=t`],
            ['tampered', `castgate_state=${tampered}&g-recaptcha-response=t`],
            ['garbage', 'castgate_state=not-a-state&g-recaptcha-response=t'],
            ['repeated', `castgate_state=${state}&castgate_state=${state}&g-recaptcha-response=t`],
          ] as const) {
            const answer = await send(origin, target, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...json }, body });
            expect(answer.status, name).toBe(400);
            expect(jsonOf(answer).error?.code, name).toBe('invalid_request');
          }
          const otherLink = await send(origin, path(contractConfigs.captchaErrorUrl), { form: { castgate_state: state, 'g-recaptcha-response': 't' } });
          expect(otherLink.status).toBe(400);
          const otherQuery = await send(origin, path(contractConfigs.captcha, '?extra=1'), { form: { castgate_state: state, 'g-recaptcha-response': 't' } });
          expect(otherQuery.status).toBe(400);
          expect(provider.received).toHaveLength(0);
        });
      });

      it('refuses a state older than 10 minutes by the evaluator\'s clock', async () => {
        let now = Date.parse('2030-01-01T00:00:00Z');
        await withApp({ clock: () => new Date(now) }, async ({ origin }) => {
          const target = path(contractConfigs.captcha);
          const state = formStateOf(await send(origin, target, { headers: { referer: 'https://portal.example.com/' } }));
          now += 10 * 60 * 1000;
          const late = await send(origin, target, { form: { castgate_state: state, 'g-recaptcha-response': 't' } });
          expect(late.status).toBe(400);
          now -= 1000;
          expect((await send(origin, target, { form: { castgate_state: state, 'g-recaptcha-response': 't' } })).status).toBe(200);
        });
      });

      it('shows the page again with "reCAPTCHA Failed" when the provider says no, and explains a form sent back without an answer', async () => {
        await withApp({}, async ({ origin }) => {
          const target = path(contractConfigs.captcha);
          const state = formStateOf(await send(origin, target, { headers: { referer: 'https://portal.example.com/' } }));
          provider.replyOnce({ body: { success: false, 'error-codes': ['invalid-input-response'] } });
          const failed = await send(origin, target, { form: { castgate_state: state, 'g-recaptcha-response': 'wrong' } });
          expect(failed.status).toBe(403);
          expect(failed.body).toContain('reCAPTCHA Failed');
          expect(failed.body).toContain('did not succeed');
          const empty = await send(origin, target, { form: { castgate_state: formStateOf(failed) } });
          expect(empty.status).toBe(403);
          expect(empty.body).toContain('sent before the check was completed');
        });
      });

      it('never redirects a captcha challenge to errorUrl, but shows the page (SPEC §A)', async () => {
        await withApp({}, async ({ origin }) => {
          const answer = await send(origin, path(contractConfigs.captchaErrorUrl));
          expect(answer.status).toBe(403);
          expect(answer.headers.location).toBeUndefined();
          expect(answer.body).toContain('One quick check');
          const asJson = await send(origin, path(contractConfigs.captchaErrorUrl), { headers: json });
          expect(jsonOf(asJson)).toMatchObject({ allowed: false, error: { code: 'captcha_required' } });
          expect(jsonOf(asJson).redirectUrl).toBeUndefined();
        });
      });

      it('takes the token from x-captcha-token too, and refuses a token sent twice (field and header) without calling the provider', async () => {
        await withApp({}, async ({ origin }) => {
          const headers = { referer: 'https://portal.example.com/', ...json };
          const byHeader = await send(origin, path(contractConfigs.captcha), { headers: { ...headers, 'x-captcha-token': 'token-from-a-script' } });
          expect(byHeader.status).toBe(200);
          const twice = await send(origin, path(contractConfigs.captcha), { form: { 'g-recaptcha-response': 'one' }, headers: { ...headers, 'x-captcha-token': 'two' } });
          expect(twice.status).toBe(400);
          expect(provider.received).toHaveLength(1);
        });
      });

      it('reads the token field of the configured provider: cf-turnstile-response, h-captcha-response', async () => {
        const widgets = [
          { verifier: turnstileVerifier, name: 'turnstile', field: 'cf-turnstile-response', script: 'https://challenges.cloudflare.com/turnstile/v0/api.js' },
          { verifier: hcaptchaVerifier, name: 'hcaptcha', field: 'h-captcha-response', script: 'https://js.hcaptcha.com/1/api.js' },
        ] as const;
        for (const { verifier, name, field, script } of widgets) {
          const stores = { ...createMemoryStores(), captcha: verifier({ secret: 'test-secret', url: provider.url }) };
          await withApp({ stores, captcha: { provider: name, siteKey: `${name}-site-key` } }, async ({ origin }) => {
            const page = await send(origin, path(contractConfigs.captcha), { headers: { referer: 'https://portal.example.com/' } });
            expect(page.body).toContain(script);
            expect(page.body).toContain(`data-sitekey="${name}-site-key"`);
            const answer = await send(origin, path(contractConfigs.captcha), { form: { [field]: `${name}-token`, castgate_state: formStateOf(page) } });
            expect(answer.status).toBe(200);
            expect(provider.received.at(-1)?.form.get('response')).toBe(`${name}-token`);
          });
        }
      });

      it('names the configured provider on its pages (reCAPTCHA, Cloudflare Turnstile, hCaptcha), keeping Kasm\'s own "reCAPTCHA Failed"', async () => {
        const widgets = [
          { verifier: recaptchaVerifier, name: 'recaptcha', field: 'g-recaptcha-response', shown: 'reCAPTCHA' },
          { verifier: turnstileVerifier, name: 'turnstile', field: 'cf-turnstile-response', shown: 'Cloudflare Turnstile' },
          { verifier: hcaptchaVerifier, name: 'hcaptcha', field: 'h-captcha-response', shown: 'hCaptcha' },
        ] as const;
        for (const { verifier, name, field, shown } of widgets) {
          const stores = { ...createMemoryStores(), captcha: verifier({ secret: 'test-secret', url: provider.url }) };
          await withApp({ stores, captcha: { provider: name, siteKey: `${name}-site-key` } }, async ({ origin }) => {
            const headers = { referer: 'https://portal.example.com/' };
            const page = await send(origin, path(contractConfigs.captcha), { headers });
            expect(page.status, name).toBe(403);
            expect(page.body, name).toContain(`<strong>Please complete the ${shown} check.</strong>`);
            expect(page.body, name).toContain(`Complete the ${shown} check below, then press Continue.`);
            expect(page.body, name).toContain(`Security check by ${shown}`);
            if (name !== 'recaptcha') expect(page.body, name).not.toContain('reCAPTCHA');
            provider.replyOnce({ body: { success: false, 'error-codes': ['invalid-input-response'] } });
            const failed = await send(origin, path(contractConfigs.captcha), { form: { [field]: 'wrong', castgate_state: formStateOf(page) } });
            expect(failed.status, name).toBe(403);
            expect(failed.body, name).toContain('<strong>reCAPTCHA Failed</strong>');
            expect(failed.body, name).toContain(`The ${shown} check did not succeed. Please try it again.`);
            provider.replyOnce({ status: 500, body: { error: 'down' } });
            const outage = await send(origin, path(contractConfigs.captcha), { form: { [field]: 'token', castgate_state: formStateOf(failed) } });
            expect(outage.status, name).toBe(503);
            expect(outage.body, name).toContain(`The ${shown} check is unavailable right now. Please try again later.`);
            const asJson = await send(origin, path(contractConfigs.captcha), { headers: { ...headers, ...json } });
            expect(jsonOf(asJson).error?.message, `${name}: JSON is the decision as made`).toBe('Please complete the reCAPTCHA check.');
          });
        }
      });

      it('shows a message the host configured exactly as given, whatever the provider', async () => {
        const stores = { ...createMemoryStores(), captcha: turnstileVerifier({ secret: 'test-secret', url: provider.url }) };
        const messages = { captcha_required: 'Prouvez que vous êtes humain.', captcha_failed: 'La vérification a échoué.' };
        await withApp({ stores, messages, captcha: { provider: 'turnstile', siteKey: 'turnstile-site-key' } }, async ({ origin }) => {
          const page = await send(origin, path(contractConfigs.captcha), { headers: { referer: 'https://portal.example.com/' } });
          expect(page.body).toContain('<strong>Prouvez que vous êtes humain.</strong>');
          expect(page.body).not.toContain('Please complete');
          provider.replyOnce({ body: { success: false, 'error-codes': ['invalid-input-response'] } });
          const failed = await send(origin, path(contractConfigs.captcha), { form: { 'cf-turnstile-response': 'wrong', castgate_state: formStateOf(page) } });
          expect(failed.body).toContain('<strong>La vérification a échoué.</strong>');
          expect(failed.body).not.toContain('did not succeed');
        });
      });

      it('refuses at start-up a captcha config without a verifier, a widget or a stateSecret of 32 characters', async () => {
        const base = { configs: [contractConfigs.captcha], captcha: { provider: 'recaptcha', siteKey: testSiteKey } } as const;
        const stores = { ...createMemoryStores(), captcha: recaptchaVerifier({ secret: 's', url: provider.url }) };
        await expect(adapter.start({ ...base, stores: createMemoryStores(), stateSecret })).rejects.toThrow(/stores\.captcha/u);
        await expect(adapter.start({ ...base, stores })).rejects.toThrow(/stateSecret/u);
        await expect(adapter.start({ ...base, stores, stateSecret: 'short' })).rejects.toThrow(/32 characters/u);
        await expect(adapter.start({ configs: [contractConfigs.captcha], stores, stateSecret })).rejects.toThrow(/captcha option/u);
      });
    });

    describe('sign-in (a challenge: never errorUrl)', () => {
      it('answers a 401 page without loginUrl, and JSON 401', async () => {
        await withApp({}, async ({ origin }) => {
          const page = await send(origin, path(contractConfigs.members));
          expect(page.status).toBe(401);
          expect(page.headers.location).toBeUndefined();
          expect(page.body).toContain('Sign in to open this link');
          const asJson = await send(origin, path(contractConfigs.members), { headers: json });
          expect(asJson.status).toBe(401);
          expect(jsonOf(asJson).loginUrl).toBeUndefined();
        });
      });

      it('sends the visitor to loginUrl (302) with returnTo = the cast path and query added to its own query', async () => {
        await withApp({ loginUrl: 'https://id.example.com/login?app=cast&returnTo=evil#top' }, async ({ origin }) => {
          const target = path(contractConfigs.members, '?a=1&b=%2F');
          const answer = await send(origin, target);
          expect(answer.status).toBe(302);
          const location = new URL(String(answer.headers.location));
          expect(location.origin + location.pathname).toBe('https://id.example.com/login');
          expect(location.searchParams.get('app')).toBe('cast');
          expect(location.searchParams.getAll('returnTo')).toEqual([target]);
          expect(location.hash).toBe('#top');
          const asJson = await send(origin, target, { headers: json });
          expect(asJson.status).toBe(401);
          expect(jsonOf(asJson).loginUrl).toBe(answer.headers.location);
        });
      });

      it('passes the user the host resolved (userOf): created, then resumed', async () => {
        await withApp({ testUserHeader: true }, async ({ origin }) => {
          const headers = { 'x-test-user': 'alice', ...json };
          expect(jsonOf(await send(origin, path(contractConfigs.members), { headers }))).toMatchObject({ outcome: 'created', launch: { user: { anonymous: false, id: 'alice' } } });
          expect(jsonOf(await send(origin, path(contractConfigs.members), { headers }))).toMatchObject({ outcome: 'resumed' });
        });
      });

      it('escapes what it shows: a user id with markup comes out as text', async () => {
        await withApp({ testUserHeader: true, debug: true }, async ({ origin }) => {
          const answer = await send(origin, path(contractConfigs.members), { headers: { 'x-test-user': '<script>alert(1)</script>' } });
          expect(answer.status).toBe(200);
          expect(answer.body).not.toContain('<script>alert(1)</script>');
          expect(answer.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
        });
      });
    });

    describe('the remote app (the seed\'s Excel example)', () => {
      it('builds the quoted Excel command line for a good file, and explains a missing or bad one in plain words (400)', async () => {
        await withApp({}, async ({ origin }) => {
          const good = await send(origin, path(contractConfigs.excel, `?${new URLSearchParams({ file: 'C:\\Reports\\Q1 2026.xlsx' }).toString()}`), { headers: json });
          expect(good.status).toBe(200);
          expect(jsonOf(good)).toMatchObject({ launch: { remoteApp: { name: '||Microsoft Excel', commandLine: '"C:\\Reports\\Q1 2026.xlsx"' } } });
          const missing = await send(origin, path(contractConfigs.excel));
          expect(missing.status).toBe(400);
          expect(missing.body).toContain('Invalid URL parameters provided for remoteApp.');
          expect(missing.body).toContain('missing a piece it needs');
          expect(missing.body).toContain('<code>file</code>');
          const bad = await send(origin, path(contractConfigs.excel, '?file=C%3A%5CWindows%5Ccalc.exe'), { headers: json });
          expect(jsonOf(bad)).toMatchObject({ error: { code: 'invalid_parameter', parameter: 'file' } });
        });
      });
    });

    describe('decision events (onDecision, SPEC §12)', () => {
      it('gives every answer where a decision was made an X-Cast-Decision-Id equal to the event\'s decisionId and the JSON\'s', async () => {
        const events: CastDecisionEvent[] = [];
        await withApp({ onDecision: (event) => { events.push(event); } }, async ({ origin }) => {
          const answers: [string, TestAnswer, number][] = [
            ['launch page', await send(origin, path(contractConfigs.anon)), 200],
            ['launch JSON', await send(origin, path(contractConfigs.anon), { headers: json }), 200],
            ['error page', await send(origin, path(contractConfigs.portal), { headers: { referer: 'https://evil.example/' } }), 403],
            ['redirect to errorUrl', await send(origin, path(contractConfigs.errorUrl)), 302],
            ['captcha page', await send(origin, path(contractConfigs.captcha), { headers: { referer: 'https://portal.example.com/' } }), 403],
            ['captcha JSON', await send(origin, path(contractConfigs.captcha), { headers: { referer: 'https://portal.example.com/', ...json } }), 403],
            ['sign-in page', await send(origin, path(contractConfigs.members)), 401],
            ['expired JSON', await send(origin, path(contractConfigs.expired), { headers: json }), 410],
          ];
          expect(events).toHaveLength(answers.length);
          const ids = new Set<string>();
          answers.forEach(([name, answer, status], index) => {
            expect(answer.status, name).toBe(status);
            const id = answer.headers['x-cast-decision-id'];
            expect(id, name).toBe(events[index]?.decisionId);
            expect(events[index]?.status, name).toBe(status === 302 ? 403 : status);
            if (String(answer.headers['content-type']).startsWith('application/json')) expect(jsonOf(answer).decisionId, name).toBe(id);
            ids.add(String(id));
          });
          expect(ids.size).toBe(answers.length);
          expect(events[0]).toMatchObject({ configKey: contractConfigs.anon.key, client: '127.0.0.0/24', anonymous: true, allowed: true, outcome: 'created' });
          expect(events[2]).toMatchObject({ allowed: false, code: 'referrer_denied' });
        });
      });

      it('sends no event and no decision id where no decision was made: 404, 405, 413, a forged captcha state', async () => {
        const events: CastDecisionEvent[] = [];
        await withApp({ onDecision: (event) => { events.push(event); } }, async ({ origin }) => {
          const form = { 'content-type': 'application/x-www-form-urlencoded' };
          const answers = [
            await send(origin, '/cast/no-such-key-0123456789'),
            await send(origin, path(contractConfigs.anon), { method: 'PUT' }),
            await send(origin, path(contractConfigs.anon), { method: 'POST', headers: form, body: `a=${'x'.repeat(17 * 1024)}` }),
            await send(origin, path(contractConfigs.captcha), { form: { castgate_state: 'not-a-state', 'g-recaptcha-response': 't' } }),
          ];
          expect(answers.map((answer) => answer.status)).toEqual([404, 405, 413, 400]);
          for (const answer of answers) expect(answer.headers['x-cast-decision-id']).toBeUndefined();
          expect(events).toHaveLength(0);
        });
      });

      it('changes nothing when the hook throws or rejects: the same answers, with their decision ids', async () => {
        for (const onDecision of [() => { throw new Error('hook broke'); }, () => Promise.reject(new Error('hook rejected'))]) {
          const errors: unknown[] = [];
          await withApp({ onDecision, onError: (error) => errors.push(error) }, async ({ origin }) => {
            const launch = await send(origin, path(contractConfigs.anon), { headers: json });
            expect(launch.status).toBe(200);
            expect(jsonOf(launch)).toMatchObject({ allowed: true, outcome: 'created' });
            expect(launch.headers['x-cast-decision-id']).toBe(jsonOf(launch).decisionId);
            const denied = await send(origin, path(contractConfigs.portal));
            expect(denied.status).toBe(403);
            expect(denied.body).toContain('Requests are not allowed from this domain.');
            expect(denied.body).not.toContain('hook');
            expect(errors).toHaveLength(0);
          });
        }
      });
    });

    describe('programmer errors', () => {
      it('answers a 500 page and calls onError when the config source throws; never a stack trace', async () => {
        const errors: unknown[] = [];
        await withApp({ configs: () => { throw new Error('database down at /srv/app/db.js:12'); }, onError: (error) => errors.push(error) }, async ({ origin }) => {
          const answer = await send(origin, path(contractConfigs.anon));
          expect(answer.status).toBe(500);
          expect(answer.body).toContain('Something went wrong');
          expect(answer.body).not.toContain('database');
          expectNoLeak(answer);
          expect(errors).toHaveLength(1);
        });
      });
    });
  });
}
