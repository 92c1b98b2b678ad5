import { Redis } from 'ioredis';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createCastEvaluator, evaluateCast } from '../../src/engine/evaluate.js';
import type { CastDecisionEvent } from '../../src/engine/events.js';
import { describeFailure, maskClient } from '../../src/engine/events.js';
import { createRedisStores } from '../../src/stores/redis/index.js';
import { createFakeCaptchaVerifier, createTestStores } from '../../src/testing/index.js';
import { config, t0 } from '../helpers/cast.js';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/u;
const link = config({ key: 'events-link-0123456789', sessionsRemaining: 3, ipRateLimit: { sessions: 5, withinSeconds: 60 } });

/** An evaluator whose every event lands in `events`. */
function recording() {
  const events: CastDecisionEvent[] = [];
  const evaluate = createCastEvaluator({ onDecision: (event) => { events.push(event); } });
  return { events, evaluate };
}

/** A port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => { resolve(); }));
  return port;
}

describe('decisionId', () => {
  it('is a fresh UUID on every decision: allowed, denied and invalid_request alike', async () => {
    const stores = createTestStores();
    const decisions = await Promise.all([
      ...Array.from({ length: 5 }, (_, i) => evaluateCast(link, { ip: `192.0.2.${i + 1}`, now: t0 }, stores)),
      evaluateCast(link, { ip: 'not-an-address' }, stores),
    ]);
    expect(decisions.map((d) => (d.allowed ? 'allowed' : d.error.code))).toEqual(['allowed', 'allowed', 'allowed', 'quota_exhausted', 'quota_exhausted', 'invalid_request']);
    for (const d of decisions) expect(d.decisionId).toMatch(uuid);
    expect(new Set(decisions.map((d) => d.decisionId)).size).toBe(6);
  });
});

describe('onDecision', () => {
  it('fires once per decision, before evaluateCast resolves, with the decision\'s id, code and status', async () => {
    const { events, evaluate } = recording();
    const stores = createTestStores();
    const allowed = await evaluate(link, { ip: '203.0.113.9', now: t0 }, stores);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      decisionId: allowed.decisionId, configKey: 'events-link-0123456789', client: '203.0.113.0/24', anonymous: true,
      allowed: true, outcome: 'created', status: 200,
    });
    expect(events[0]).not.toHaveProperty('code');
    expect(events[0]?.trace.map((t) => t.guard)).toEqual(allowed.trace.map((t) => t.guard));
    expect(events[0]?.durationMs).toBeGreaterThanOrEqual(0);

    const denied = await evaluate(config({ key: 'events-auth-0123456789', allowAnonymous: false }), { ip: '2001:db8:1:2::5', now: t0 }, stores);
    expect(events).toHaveLength(2);
    expect(events[1]).toMatchObject({ decisionId: denied.decisionId, client: '2001:db8:1::/48', allowed: false, code: 'auth_required', status: 401 });
    expect(events[1]).not.toHaveProperty('outcome');
  });

  it('fires for invalid_request too: "invalid" for an unusable address, the masked client when only `now` is wrong', async () => {
    const { events, evaluate } = recording();
    const stores = createTestStores();
    await evaluate(link, { ip: '127.1' }, stores);
    await evaluate(link, { ip: '198.51.100.77', now: new Date(Number.NaN) }, stores);
    await evaluate(link, { ip: '::ffff:192.0.2.1', user: { id: 42 as unknown as string } }, stores);
    expect(events.map((e) => [e.code, e.status, e.client])).toEqual([
      ['invalid_request', 400, 'invalid'],
      ['invalid_request', 400, '198.51.100.0/24'],
      ['invalid_request', 400, '192.0.2.0/24'],
    ]);
  });

  it('says whether the request was anonymous, and never carries the address, the token or the user id', async () => {
    const { events, evaluate } = recording();
    const captchaLink = config({ key: 'events-captcha-0123456789', requireCaptcha: true });
    const stores = { ...createTestStores(), captcha: createFakeCaptchaVerifier({ pass: ['tok-SECRET-0123456789'] }) };
    await evaluate(captchaLink, { ip: '203.0.113.9', captchaToken: 'tok-SECRET-0123456789', now: t0 }, stores);
    await evaluate(captchaLink, { ip: '2001:db8:aaaa:bbbb::1', user: { id: 'user-PRIVATE-42' }, now: t0 }, stores);
    expect(events.map((e) => [e.anonymous, e.allowed])).toEqual([[true, true], [false, true]]);
    const text = JSON.stringify(events);
    for (const secret of ['203.0.113.9', 'tok-SECRET', 'user-PRIVATE-42', '2001:db8:aaaa:bbbb', 'aaaa:bbbb']) expect(text).not.toContain(secret);
  });

  it('changes nothing when the hook throws, rejects or never settles', async () => {
    const stores = createTestStores();
    const hooks = [
      () => { throw new Error('hook bug'); },
      () => Promise.reject(new Error('hook rejected')),
      () => new Promise<void>(() => undefined),
    ];
    for (const onDecision of hooks) {
      const decision = await evaluateCast(link, { ip: '192.0.2.50', now: t0 }, stores, { onDecision });
      expect(decision.allowed ? 'allowed' : decision.error.code).not.toBe('store_unavailable');
      expect(decision.decisionId).toMatch(uuid);
    }
    // An exhausted quota still answers quota_exhausted with every kind of broken hook.
    for (const onDecision of hooks) {
      const decision = await evaluateCast(link, { ip: '192.0.2.51', now: t0 }, stores, { onDecision });
      expect(decision.allowed ? 'allowed' : decision.error.code).toBe('quota_exhausted');
    }
  });

  it('hands the hook a frozen copy of the trace: a hook cannot change the decision', async () => {
    let seen: CastDecisionEvent | undefined;
    const decision = await evaluateCast(link, { ip: '192.0.2.60', now: t0 }, createTestStores(), {
      onDecision: (event) => {
        seen = event;
        (event.trace as unknown as unknown[]).length = 0;
      },
    });
    expect(Object.isFrozen(seen?.trace)).toBe(true);
    expect(seen?.trace.length).toBe(decision.trace.length);
    expect(decision.trace.length).toBeGreaterThan(5);
  });

  it('is set once on an evaluator and overridden per call', async () => {
    const base: string[] = [];
    const perCall: string[] = [];
    const evaluate = createCastEvaluator({ onDecision: (e) => { base.push(e.decisionId); } });
    const first = await evaluate(link, { ip: '192.0.2.70', now: t0 }, createTestStores());
    const second = await evaluate(link, { ip: '192.0.2.70', now: t0 }, createTestStores(), { onDecision: (e) => { perCall.push(e.decisionId); } });
    expect(base).toEqual([first.decisionId]);
    expect(perCall).toEqual([second.decisionId]);
    await expect(evaluateCast(link, { ip: '192.0.2.70' }, createTestStores(), { onDecision: 'log' as never })).rejects.toThrow(TypeError);
  });
});

describe('failures name what failed', () => {
  it('puts the error name and message of a failing store in the trace note and the event', async () => {
    const { events, evaluate } = recording();
    const stores = createTestStores();
    stores.quota.reject(new Error('ECONNREFUSED 127.0.0.1:6379'), { method: 'take' });
    const decision = await evaluate(link, { ip: '192.0.2.80', now: t0 }, stores);
    expect(decision.error?.code).toBe('store_unavailable');
    const note = decision.trace.find((t) => t.guard === 'quota')?.note ?? '';
    expect(note).toMatch(/^failed: Error: ECONNREFUSED 127\.0\.0\.1:6379; gave back 1 reservation\(s\)$/u);
    expect(events[0]?.trace.find((t) => t.guard === 'quota')?.note).toBe(note);
  });

  it('names a failing provisioner and a failing verifier', async () => {
    const stores = createTestStores({ captchaTokens: ['solved'] });
    stores.sessions.reject(new RangeError('no capacity in pool eu-1'), { method: 'provision', times: 1 });
    const provisionFailed = await evaluateCast(link, { ip: '192.0.2.81', now: t0 }, stores);
    expect(provisionFailed.trace.at(-1)?.note).toMatch(/^failed: RangeError: no capacity in pool eu-1; gave back 2 reservation\(s\)$/u);

    const captchaLink = config({ key: 'events-captcha-failure-0123', requireCaptcha: true });
    class SiteverifyError extends Error { override name = 'SiteverifyError'; }
    stores.captcha.reject(new SiteverifyError('HTTP 500 from the provider'), { times: 1 });
    const unavailable = await evaluateCast(captchaLink, { ip: '192.0.2.82', captchaToken: 'solved', now: t0 }, stores);
    expect(unavailable.error?.code).toBe('captcha_unavailable');
    expect(unavailable.trace.find((t) => t.guard === 'captcha')?.note).toBe('failed: SiteverifyError: HTTP 500 from the provider');
  });

  it('never puts a secret, the client address, the user id or the token in a note', async () => {
    const stores = createTestStores();
    stores.sessions.reject(new Error('redis://default:hunter2@10.0.0.5:6379 refused user-PRIVATE-42 at 203.0.113.9 password=swordfish'), { method: 'findRunning' });
    const decision = await evaluateCast(link, { ip: '203.0.113.9', user: { id: 'user-PRIVATE-42' }, now: t0 }, stores);
    const note = decision.trace.find((t) => t.guard === 'resume')?.note ?? '';
    expect(note).toContain('redis://[redacted]@10.0.0.5:6379');
    for (const secret of ['hunter2', 'swordfish', 'user-PRIVATE-42', '203.0.113.9']) expect(note).not.toContain(secret);
  });

  it('makes "503 until Redis is ready" diagnosable: the note names the Redis store error', async () => {
    const client = new Redis({ host: '127.0.0.1', port: await closedPort(), lazyConnect: true, enableOfflineQueue: false, retryStrategy: () => null });
    client.on('error', () => undefined);
    try {
      const stores = { ...createTestStores(), ...createRedisStores(client, { commandTimeoutMs: 500 }) };
      const decision = await evaluateCast(link, { ip: '192.0.2.90', now: t0 }, stores);
      expect(decision.error?.code).toBe('store_unavailable');
      expect(decision.trace.find((t) => t.verdict === 'deny')?.note).toMatch(/^failed: RedisStoreError: .+/u);
    } finally {
      client.disconnect();
    }
  });
});

describe('maskClient and describeFailure', () => {
  it('masks IPv4 to its /24 and IPv6 to its /48, compressed; "invalid" otherwise', () => {
    expect(maskClient('203.0.113.9')).toBe('203.0.113.0/24');
    expect(maskClient('::ffff:c000:201')).toBe('192.0.2.0/24');
    expect(maskClient('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1::/48');
    expect(maskClient('fe80::1%eth0')).toBe('fe80::/48');
    for (const bad of ['010.1.1.1', '127.1', '', undefined, 42, '203.0.113.9:80']) expect(maskClient(bad)).toBe('invalid');
  });

  it('keeps failures to one line of at most 200 characters, whatever was thrown', () => {
    expect(describeFailure(new TypeError('bad\nthing'))).toBe('TypeError: bad thing');
    expect(describeFailure('plain string')).toBe('string: plain string');
    expect(describeFailure(undefined)).toBe('undefined');
    expect(describeFailure(new Error('x'.repeat(500)))).toHaveLength(200);
    expect(describeFailure(new Error('token=abc.def secret: s3cr3t apiKey=k'))).toBe('Error: token=[redacted] secret: [redacted] apiKey=[redacted]');
  });
});
