import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { castErrorCodes, castErrorStatus, type CastDecision } from '../../src/contract/decision.js';
import { createCastEvaluator, evaluateCast } from '../../src/engine/evaluate.js';
import { deny, pass, type Guard } from '../../src/contract/guard.js';
import { defaultGuards } from '../../src/guards/index.js';
import type { RateLimitStore, QuotaStore } from '../../src/contract/stores.js';
import { config, stores, t0 } from '../helpers/cast.js';

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeEach(() => {
  unhandled.length = 0;
  process.on('unhandledRejection', onUnhandled);
});
afterEach(() => {
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled).toEqual([]);
});

const served = (decisions: CastDecision[]) => decisions.filter((d) => d.allowed).length;

describe('evaluateCast pipeline', () => {
  it('creates a session for an anonymous request and traces every guard in SPEC order', async () => {
    const s = stores();
    const decision = await evaluateCast(config(), { ip: '203.0.113.9', now: t0 }, s);
    expect(decision.allowed).toBe(true);
    expect(decision.outcome).toBe('created');
    expect(decision.trace.map((t) => t.guard)).toEqual([
      'expiry', 'referrer', 'signedLink', 'authentication', 'parameters', 'captcha', 'resume', 'rateLimit', 'quota', 'liveSessions',
      'provision',
    ]);
    expect(decision.trace.map((t) => t.verdict)).toEqual(['skip', 'skip', 'skip', 'pass', 'skip', 'skip', 'skip', 'skip', 'skip', 'skip', 'pass']);
    for (const entry of decision.trace) expect(entry.durationMs).toBeGreaterThanOrEqual(0);
    expect(s.sessions.plans).toHaveLength(1);
  });

  it('traces a guard that skipped at once with 0 ms (no clock read) and every other guard with its time', async () => {
    const decision = await evaluateCast(config({ ipRateLimit: { sessions: 5, withinSeconds: 60 } }), { ip: '203.0.113.9', now: t0 }, stores());
    for (const entry of decision.trace) {
      if (entry.verdict === 'skip') expect(entry.durationMs).toBe(0);
      else expect(entry.durationMs).toBeGreaterThanOrEqual(0);
    }
    expect(decision.trace.filter((t) => t.verdict === 'pass').map((t) => t.guard)).toEqual(['authentication', 'rateLimit', 'provision']);
  });

  it('exports defaultGuards frozen, in SPEC §3 order with §16\'s signedLink after referrer and liveSessions after quota', () => {
    expect(Object.isFrozen(defaultGuards)).toBe(true);
    expect(defaultGuards.map((g) => g.name)).toEqual([
      'expiry', 'referrer', 'signedLink', 'authentication', 'parameters', 'captcha', 'resume', 'rateLimit', 'quota', 'liveSessions',
      'provision',
    ]);
  });

  it('gives every error code a status as SPEC §4 and §16 list it', () => {
    expect(castErrorStatus).toEqual({
      invalid_request: 400, link_expired: 410, referrer_denied: 403, auth_required: 401, missing_parameter: 400,
      invalid_parameter: 400, captcha_required: 403, captcha_failed: 403, captcha_unavailable: 503, rate_limited: 429,
      quota_exhausted: 429, provision_failed: 502, store_unavailable: 503,
      link_invalid: 403, link_used: 403, live_limit: 429,
    });
    expect(Object.keys(castErrorStatus).sort()).toEqual([...castErrorCodes].sort());
  });

  it('a denied request consumes nothing: no quota, no rate-limit slot, no session', async () => {
    const s = stores();
    const cfg = config({ sessionsRemaining: 1, ipRateLimit: { sessions: 1, withinSeconds: 60 }, allowedReferrers: ['example.com'] });
    for (let i = 0; i < 5; i++) {
      const d = await evaluateCast(cfg, { ip: '203.0.113.9', referrer: 'https://evil.net/', now: t0 }, s);
      expect(d.error?.code).toBe('referrer_denied');
    }
    expect(await s.quota.remaining(cfg.key)).toBeUndefined();
    const ok = await evaluateCast(cfg, { ip: '203.0.113.9', referrer: 'https://example.com/', now: t0 }, s);
    expect(ok.allowed).toBe(true);
    expect(await s.quota.remaining(cfg.key)).toBe(0);
    expect(s.sessions.plans).toHaveLength(1);
  });

  it('serves exactly 5 of 200 concurrent requests from different addresses when the quota is 5', async () => {
    const s = stores();
    const cfg = config({ sessionsRemaining: 5 });
    const decisions = await Promise.all(
      Array.from({ length: 200 }, (_, i) => evaluateCast(cfg, { ip: `198.51.100.${i % 250}`, now: t0 }, s)),
    );
    expect(served(decisions)).toBe(5);
    expect(decisions.filter((d) => d.error?.code === 'quota_exhausted')).toHaveLength(195);
    expect(await s.quota.remaining(cfg.key)).toBe(0);
    expect(s.sessions.plans).toHaveLength(5);
  });

  it('serves exactly 2 of 40 concurrent requests from one address written in mixed notations (limit 2/60 s)', async () => {
    const s = stores();
    const cfg = config({ ipRateLimit: { sessions: 2, withinSeconds: 60 } });
    const spellings = ['192.0.2.1', '::ffff:192.0.2.1', '::ffff:c000:201', '0:0:0:0:0:ffff:c000:0201'];
    const decisions = await Promise.all(
      Array.from({ length: 40 }, (_, i) => evaluateCast(cfg, { ip: spellings[i % spellings.length]!, now: t0 }, s)),
    );
    expect(served(decisions)).toBe(2);
    for (const d of decisions.filter((x) => !x.allowed)) {
      expect(d.error).toEqual({ code: 'rate_limited', status: 429, message: 'Request limit reached. Please try again later.', retryAfterSeconds: 60 });
    }
  });

  it('gives back the quota unit and the rate-limit slot when provisioning fails (provision_failed, 502)', async () => {
    const s = stores();
    const cfg = config({ sessionsRemaining: 3, ipRateLimit: { sessions: 1, withinSeconds: 60 } });
    s.sessions.mode = 'throw';
    const failed = await evaluateCast(cfg, { ip: '203.0.113.9', now: t0 }, s);
    expect(failed.error).toMatchObject({ code: 'provision_failed', status: 502 });
    expect(failed.trace.at(-1)).toMatchObject({ guard: 'provision', verdict: 'deny', code: 'provision_failed' });
    expect(failed.trace.at(-1)?.note).toContain('gave back 2');
    expect(await s.quota.remaining(cfg.key)).toBe(3);
    s.sessions.mode = 'ok';
    const ok = await evaluateCast(cfg, { ip: '203.0.113.9', now: t0 }, s);
    expect(ok.allowed).toBe(true);
    expect(await s.quota.remaining(cfg.key)).toBe(2);
  });

  it('turns a provisioner that outlives storeTimeoutMs into provision_failed, aborts its signal and gives back', async () => {
    const s = stores();
    const cfg = config({ sessionsRemaining: 1 });
    s.sessions.mode = 'hang';
    const d = await evaluateCast(cfg, { ip: '203.0.113.9', now: t0 }, s, { storeTimeoutMs: 30 });
    expect(d.error?.code).toBe('provision_failed');
    expect(d.trace.at(-1)?.note).toContain('timed out after 30 ms');
    expect(s.sessions.aborted).toBe(1);
    expect(await s.quota.remaining(cfg.key)).toBe(1);
  });

  it('answers store_unavailable (503) without an unhandled rejection when a store throws, and consumes nothing', async () => {
    const memory = stores();
    const broken: QuotaStore = { ...memory.quota, take: () => Promise.reject(new Error('ECONNREFUSED')) };
    const s = { ...memory, quota: broken };
    const cfg = config({ sessionsRemaining: 3, ipRateLimit: { sessions: 1, withinSeconds: 60 } });
    const d = await evaluateCast(cfg, { ip: '203.0.113.9', now: t0 }, s);
    expect(d.error).toMatchObject({ code: 'store_unavailable', status: 503 });
    expect(d.trace.at(-1)).toMatchObject({ guard: 'quota', verdict: 'deny', note: expect.stringContaining('gave back 1') as unknown });
    // the rate-limit slot taken before the quota failed was given back
    expect((await memory.rateLimit.peek({ key: 'cast:test-key-0123456789:v4:203.0.113.9', limit: 1, windowMs: 60_000, nowMs: t0.getTime() })).full).toBe(false);
    expect(memory.sessions.plans).toHaveLength(0);
  });

  it('answers store_unavailable when a store hangs past storeTimeoutMs, and when it throws synchronously', async () => {
    const memory = stores();
    const hanging: RateLimitStore = { ...memory.rateLimit, take: () => new Promise(() => undefined) };
    const cfg = config({ ipRateLimit: { sessions: 1, withinSeconds: 60 } });
    const d1 = await evaluateCast(cfg, { ip: '203.0.113.9', now: t0 }, { ...memory, rateLimit: hanging }, { storeTimeoutMs: 20 });
    expect(d1.error?.code).toBe('store_unavailable');
    const throwing: RateLimitStore = { ...memory.rateLimit, take: () => { throw new Error('sync'); } };
    const d2 = await evaluateCast(cfg, { ip: '203.0.113.9', now: t0 }, { ...memory, rateLimit: throwing });
    expect(d2.error?.code).toBe('store_unavailable');
  });

  it('gives back what a store call took when it answers only after its deadline', async () => {
    const memory = stores();
    const cfg = config({ sessionsRemaining: 3 });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    const slow: QuotaStore = { ...memory.quota, take: async (input) => { await gate; return memory.quota.take(input); } };
    const d = await evaluateCast(cfg, { ip: '203.0.113.9', now: t0 }, { ...memory, quota: slow }, { storeTimeoutMs: 20 });
    expect(d.error?.code).toBe('store_unavailable');
    release();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await memory.quota.remaining(cfg.key)).toBe(3);
    expect(memory.sessions.plans).toHaveLength(0);
  });

  it('keeps one deadline per call, not per decision: several slow calls each within storeTimeoutMs pass', async () => {
    const memory = stores();
    const slowly = <T>(p: () => Promise<T>) => new Promise<T>((resolve) => setTimeout(() => { resolve(p()); }, 30));
    const rateLimit: RateLimitStore = { ...memory.rateLimit, take: (i) => slowly(() => memory.rateLimit.take(i)) };
    const quota: QuotaStore = { ...memory.quota, take: (i) => slowly(() => memory.quota.take(i)) };
    const cfg = config({ sessionsRemaining: 3, ipRateLimit: { sessions: 2, withinSeconds: 60 } });
    const d = await evaluateCast(cfg, { ip: '203.0.113.9', now: t0 }, { ...memory, rateLimit, quota }, { storeTimeoutMs: 50 });
    expect(d.allowed).toBe(true);
  });

  it('answers store_unavailable when resume lookup fails', async () => {
    const s = stores();
    s.sessions.findMode = 'throw';
    const d = await evaluateCast(config(), { ip: '203.0.113.9', user: { id: 'u-1' }, now: t0 }, s);
    expect(d.error?.code).toBe('store_unavailable');
  });

  it('builds redirectUrl from errorUrl: error and message set once, other parameters and the fragment kept (THREATS 7.13)', async () => {
    const cfg = config({ errorUrl: 'https://portal.example/err?error=x&lang=en#f', validUntil: '2029-01-01T00:00:00Z' });
    const d = await evaluateCast(cfg, { ip: '203.0.113.9', now: t0, query: { error_url: 'https://evil.example/' } }, stores());
    expect(d.redirectUrl).toBeDefined();
    const url = new URL(d.redirectUrl!);
    expect(url.origin).toBe('https://portal.example');
    expect(url.searchParams.getAll('error')).toEqual(['link_expired']);
    expect(url.searchParams.get('message')).toBe('This link has expired');
    expect(url.searchParams.get('lang')).toBe('en');
    expect(url.hash).toBe('#f');
  });

  it('never echoes request input in message or redirectUrl (THREATS 7.15)', async () => {
    const cfg = config({
      errorUrl: 'https://portal.example/err',
      remoteApp: { remoteAppName: '||Excel', args: [{ urlParamName: 'file', required: true, valuePattern: '[A-Z]:\\\\[a-z]+\\.xlsx' }] },
    });
    const d = await evaluateCast(cfg, { ip: '203.0.113.9', now: t0, query: { file: '<script>alert(1)</script>' } }, stores());
    expect(d.error).toMatchObject({ code: 'invalid_parameter', parameter: 'file', message: 'Invalid URL parameters provided for remoteApp.' });
    expect(d.redirectUrl).not.toContain('script');
    expect(JSON.stringify(d)).not.toContain('alert');
  });

  it('replaces messages per code with the messages option, e.g. to translate', async () => {
    const cfg = config({ validUntil: '2029-01-01T00:00:00Z' });
    const d = await evaluateCast(cfg, { ip: '203.0.113.9', now: t0 }, stores(), { messages: { link_expired: 'Ce lien a expiré' } });
    expect(d.error?.message).toBe('Ce lien a expiré');
    const evaluate = createCastEvaluator({ messages: { link_expired: 'Dieser Link ist abgelaufen' } });
    expect((await evaluate(cfg, { ip: '203.0.113.9', now: t0 }, stores())).error?.message).toBe('Dieser Link ist abgelaufen');
  });

  it('uses the injected clock when the request has no now, reading it once', async () => {
    let reads = 0;
    const evaluate = createCastEvaluator({ clock: () => { reads++; return new Date('2031-01-01T00:00:00Z'); } });
    const d = await evaluate(config({ validUntil: '2030-06-01T00:00:00Z' }), { ip: '203.0.113.9' }, stores());
    expect(d.error?.code).toBe('link_expired');
    expect(reads).toBe(1);
  });

  it('runs custom guards inserted anywhere, and gives back what a custom guard took', async () => {
    const events: string[] = [];
    const taking: Guard = {
      name: 'reserveSeat',
      check: () => pass({ giveBack: async () => { events.push('seat returned'); } }),
    };
    const refusing: Guard = { name: 'closed', check: () => deny('invalid_request') };
    const evaluate = createCastEvaluator({ guards: [taking, ...defaultGuards.slice(0, -1), refusing, ...defaultGuards.slice(-1)] });
    const d = await evaluate(config(), { ip: '203.0.113.9', now: t0 }, stores());
    expect(d.error?.code).toBe('invalid_request');
    expect(d.trace.map((t) => t.guard)).toContain('reserveSeat');
    expect(events).toEqual(['seat returned']);
  });

  it('gives back in reverse order of taking', async () => {
    const events: string[] = [];
    const taker = (name: string): Guard => ({ name, check: () => pass({ giveBack: async () => { events.push(name); } }) });
    const evaluate = createCastEvaluator({ guards: [taker('a'), taker('b'), taker('c'), { name: 'no', check: () => deny('quota_exhausted') }] });
    await evaluate(config(), { ip: '203.0.113.9', now: t0 }, stores());
    expect(events).toEqual(['c', 'b', 'a']);
  });

  it('uses a custom guard unavailableCode when it throws', async () => {
    const flaky: Guard = { name: 'flaky', unavailableCode: 'captcha_unavailable', check: () => Promise.reject(new Error('x')) };
    const evaluate = createCastEvaluator({ guards: [flaky, ...defaultGuards] });
    const d = await evaluate(config(), { ip: '203.0.113.9', now: t0 }, stores());
    expect(d.error).toMatchObject({ code: 'captcha_unavailable', status: 503 });
  });

  describe('programmer errors reject (SPEC §1)', () => {
    it('rejects a hand-made config that did not come from parseCastConfig (THREATS 9.9)', async () => {
      const handMade = { ...config() };
      await expect(evaluateCast(handMade, { ip: '203.0.113.9' }, stores())).rejects.toThrow(TypeError);
    });

    it('rejects missing stores, and a captcha config without a verifier', async () => {
      // @ts-expect-error deliberately missing stores
      await expect(evaluateCast(config(), { ip: '203.0.113.9' }, {})).rejects.toThrow(/stores/);
      await expect(evaluateCast(config({ requireCaptcha: true }), { ip: '203.0.113.9' }, stores())).rejects.toThrow(/captcha/);
    });

    it('rejects, after giving back what was taken, when a custom guard answers no verdict or an unknown one', async () => {
      const memory = stores();
      const cfg = config({ sessionsRemaining: 2 });
      for (const broken of [() => undefined, () => ({ verdict: 'maybe' }), () => Promise.resolve(null), () => ({ verdict: 'deny' })]) {
        const guard = { name: 'broken', check: broken } as unknown as Guard;
        const evaluate = createCastEvaluator({ guards: [...defaultGuards.slice(0, -1), guard, ...defaultGuards.slice(-1)] });
        await expect(evaluate(cfg, { ip: '203.0.113.9', now: t0 }, memory)).rejects.toThrow(TypeError);
      }
      expect(await memory.quota.remaining(cfg.key)).toBe(2);
    });

    it('rejects bad options and guard lists', async () => {
      await expect(evaluateCast(config(), { ip: '203.0.113.9' }, stores(), { ipv6Prefix: 16 })).rejects.toThrow(RangeError);
      await expect(evaluateCast(config(), { ip: '203.0.113.9' }, stores(), { storeTimeoutMs: -1 })).rejects.toThrow(RangeError);
      expect(() => createCastEvaluator({ guards: [] })).toThrow(TypeError);
      // @ts-expect-error a guard without check
      expect(() => createCastEvaluator({ guards: [{ name: 'x' }] })).toThrow(TypeError);
      const noFinish = createCastEvaluator({ guards: defaultGuards.slice(0, -1) });
      await expect(noFinish(config(), { ip: '203.0.113.9', now: t0 }, stores())).rejects.toThrow(/no guard finished/);
    });
  });

  it('never serves more than the quota or the per-address limit, for any sequence of requests (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.record({ addr: fc.integer({ min: 0, max: 3 }), dt: fc.integer({ min: 0, max: 40_000 }), fail: fc.boolean() }), { maxLength: 40 }),
        async (quota, perAddress, steps) => {
          const s = stores();
          const cfg = config({ sessionsRemaining: quota, ipRateLimit: { sessions: perAddress, withinSeconds: 60 } });
          let now = t0.getTime();
          const servedAt = new Map<number, number[]>();
          let total = 0;
          for (const step of steps) {
            now += step.dt;
            s.sessions.mode = step.fail ? 'throw' : 'ok';
            const d = await evaluateCast(cfg, { ip: `192.0.2.${step.addr}`, now: new Date(now) }, s);
            if (d.allowed) {
              total++;
              const times = servedAt.get(step.addr) ?? [];
              times.push(now);
              servedAt.set(step.addr, times);
            }
          }
          expect(total).toBeLessThanOrEqual(quota);
          for (const times of servedAt.values()) {
            for (const t of times) expect(times.filter((u) => u > t - 60_000 && u <= t).length).toBeLessThanOrEqual(perAddress);
          }
          expect(await s.quota.remaining(cfg.key) ?? quota).toBe(quota - total);
        },
      ),
      { numRuns: 150 },
    );
  });
});
