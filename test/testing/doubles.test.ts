import { describe, expect, it } from 'vitest';
import { evaluateCast } from '../../src/engine/evaluate.js';
import { createMemoryRateLimitStore } from '../../src/stores/memory/index.js';
import {
  createAdmissionStoreDouble,
  createCaptchaVerifierDouble,
  createFakeCaptchaVerifier,
  createLeaseStoreDouble,
  createQuotaStoreDouble,
  createRateLimitStoreDouble,
  createSessionProvisionerDouble,
  createStoreDouble,
  createTestStores,
  InjectedFaultError,
  leaseStoreContract,
  runContract,
} from '../../src/testing/index.js';
import { config } from '../helpers/cast.js';
import { createComposedAdmissionStores, createModelLeaseStore } from './model-stores.js';

const t0 = 1_700_000_000_000;
const slot = { key: 'k', limit: 1, windowMs: 60_000, nowMs: t0 };
const codeOf = (d: Awaited<ReturnType<typeof evaluateCast>>) => (d.allowed ? d.outcome : d.error.code);

describe('store doubles', () => {
  it('call through to the real store underneath and record every call with its input', async () => {
    const rateLimit = createRateLimitStoreDouble();
    const taken = await rateLimit.take(slot);
    expect(taken.ok).toBe(true);
    expect(await rateLimit.take(slot)).toEqual({ ok: false, retryAfterMs: 60_000 });
    await rateLimit.peek(slot);
    expect(rateLimit.calls.map((c) => c.method)).toEqual(['take', 'take', 'peek']);
    expect(rateLimit.callsTo('take')).toEqual([slot, slot]);
    expect(rateLimit.calls[0]).toEqual({ method: 'take', input: slot });
  });

  it('reject with the error given, or an InjectedFaultError naming the method, and record the fault', async () => {
    const quota = createQuotaStoreDouble();
    const down = new Error('ECONNREFUSED 127.0.0.1:6379');
    quota.reject(down, { method: 'take', times: 1 });
    await expect(quota.take({ configKey: 'c', initial: 1 })).rejects.toBe(down);
    expect(await quota.take({ configKey: 'c', initial: 1 })).toMatchObject({ ok: true, remaining: 0 });
    quota.reject();
    const error = await quota.remaining('c').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InjectedFaultError);
    expect(error).toMatchObject({ name: 'InjectedFaultError', method: 'remaining' });
    expect(quota.calls.map((c) => c.fault)).toEqual(['reject', undefined, 'reject']);
  });

  it('hang: the call never settles, even when its signal aborts', async () => {
    const sessions = createSessionProvisionerDouble().hang({ method: 'findRunning' });
    const controller = new AbortController();
    let settled = false;
    void sessions.findRunning({ configKey: 'c', userId: 'u', signal: controller.signal }).finally(() => { settled = true; });
    controller.abort();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(settled).toBe(false);
    expect(sessions.callsTo('findRunning')[0]?.signal?.aborted).toBe(true);
  });

  it('delay: the call answers late with the real answer', async () => {
    const rateLimit = createRateLimitStoreDouble().delay(20, { method: 'take' });
    let settled = false;
    const pending = rateLimit.take(slot).then((r) => { settled = true; return r; });
    await Promise.resolve();
    expect(settled).toBe(false);
    expect((await pending).ok).toBe(true);
    expect(rateLimit.calls[0]?.fault).toBe('delay');
  });

  it('queues faults in order, counts `times`, and heals', async () => {
    const rateLimit = createRateLimitStoreDouble().reject(new Error('first'), { times: 1 }).reject(new Error('second'), { method: 'peek', times: 1 });
    await expect(rateLimit.peek(slot)).rejects.toThrow('first');
    await expect(rateLimit.take(slot)).resolves.toMatchObject({ ok: true });
    await expect(rateLimit.peek(slot)).rejects.toThrow('second');
    await expect(rateLimit.peek(slot)).resolves.toEqual({ full: true, retryAfterMs: 60_000 });
    rateLimit.hang().heal();
    await expect(rateLimit.peek(slot)).resolves.toMatchObject({ full: true });
    rateLimit.clearCalls();
    expect(rateLimit.calls).toEqual([]);
  });

  it('refuses a fault for a method the double does not have, and nonsense times or delays', () => {
    const rateLimit = createRateLimitStoreDouble();
    expect(() => rateLimit.reject(undefined, { method: 'nope' as 'take' })).toThrow(TypeError);
    expect(() => rateLimit.hang({ times: 0 })).toThrow(TypeError);
    expect(() => rateLimit.delay(-5)).toThrow(TypeError);
  });

  it('keeps the extras of the store underneath (getters, other methods) as they are', async () => {
    const inner = createMemoryRateLimitStore();
    const rateLimit = createRateLimitStoreDouble(inner);
    await rateLimit.take(slot);
    expect(rateLimit.size).toBe(1);
    expect(rateLimit.prune(t0 + 60_000)).toBe(1);
    expect(rateLimit.calls.map((c) => c.method)).toEqual(['take']);
  });

  it('has `commit` only when the quota store underneath has it (the engine checks for it)', () => {
    expect('commit' in createQuotaStoreDouble()).toBe(false);
    expect(Reflect.get(createQuotaStoreDouble(), 'commit')).toBeUndefined();
  });

  it('wrap lease and admission stores, and any store interface of your own', async () => {
    const leases = createLeaseStoreDouble(createModelLeaseStore());
    expect(await leases.acquire({ key: 'l', limit: 1, leaseId: 'a', ttlMs: 1_000, nowMs: t0 })).toEqual({ ok: true });
    leases.reject(undefined, { method: 'renew', times: 1 });
    await expect(leases.renew({ key: 'l', leaseId: 'a', ttlMs: 1_000, nowMs: t0 })).rejects.toBeInstanceOf(InjectedFaultError);
    expect(await leases.renew({ key: 'l', leaseId: 'a', ttlMs: 1_000, nowMs: t0 })).toBe(true);

    const admission = createAdmissionStoreDouble(createComposedAdmissionStores().admission);
    const input = { rateLimit: slot, quota: { configKey: 'c', initial: 1 } };
    expect(await admission.take(input)).toMatchObject({ ok: true });
    expect(admission.callsTo('take')).toEqual([input]);

    const directory = createStoreDouble({ lookup: (id: string) => Promise.resolve({ id }) }, ['lookup']);
    expect(await directory.lookup('x')).toEqual({ id: 'x' });
    expect(directory.callsTo('lookup')).toEqual(['x']);
  });
});

describe('createFakeCaptchaVerifier', () => {
  it('passes the listed tokens and fails any other with invalid-input-response, calling no provider', async () => {
    const captcha = createFakeCaptchaVerifier({ pass: ['solved'] });
    expect(await captcha.verify({ token: 'solved', remoteIp: '192.0.2.1' })).toEqual({ success: true });
    expect(await captcha.verify({ token: 'solved', remoteIp: '192.0.2.1' })).toEqual({ success: true });
    expect(await captcha.verify({ token: 'guess', remoteIp: '192.0.2.1' })).toMatchObject({ success: false, errorCodes: ['invalid-input-response'] });
  });

  it('passes a token once when singleUse, as providers answer a replay', async () => {
    const captcha = createFakeCaptchaVerifier({ pass: ['solved'], singleUse: true });
    expect(await captcha.verify({ token: 'solved', remoteIp: '192.0.2.1' })).toEqual({ success: true });
    expect(await captcha.verify({ token: 'solved', remoteIp: '192.0.2.1' })).toMatchObject({ success: false, errorCodes: ['timeout-or-duplicate'] });
  });
});

describe('createTestStores with evaluateCast', () => {
  const link = config({ key: 'doubles-link-0123456789', sessionsRemaining: 2, ipRateLimit: { sessions: 5, withinSeconds: 60 } });

  it('serves a cast through the doubles and shows which store was asked what', async () => {
    const stores = createTestStores();
    expect(codeOf(await evaluateCast(link, { ip: '192.0.2.1' }, stores))).toBe('created');
    expect(stores.rateLimit.callsTo('take')).toHaveLength(1);
    expect(stores.quota.callsTo('take')).toEqual([expect.objectContaining({ configKey: 'doubles-link-0123456789', initial: 2 })]);
    expect(stores.sessions.callsTo('provision')).toHaveLength(1);
    expect(stores.captcha.calls).toEqual([]);
  });

  it('turns a rejected quota take into store_unavailable with the rate-limit slot given back', async () => {
    const stores = createTestStores();
    stores.quota.reject(new Error('ECONNREFUSED'), { method: 'take', times: 1 });
    expect(codeOf(await evaluateCast(link, { ip: '192.0.2.1' }, stores))).toBe('store_unavailable');
    await expect.poll(() => stores.rateLimit.callsTo('giveBack').length).toBe(1);
    expect(stores.sessions.calls).toEqual([]);
  });

  it('turns a hanging provisioner into provision_failed after storeTimeoutMs, giving back quota and slot', async () => {
    const stores = createTestStores();
    stores.sessions.hang({ method: 'provision', times: 1 });
    expect(codeOf(await evaluateCast(link, { ip: '192.0.2.1' }, stores, { storeTimeoutMs: 50 }))).toBe('provision_failed');
    expect(stores.sessions.callsTo('provision')[0]?.signal?.aborted).toBe(true);
    await expect.poll(async () => stores.quota.remaining('doubles-link-0123456789')).toBe(2);
  });

  it('passes a captcha token the fake verifier knows, and fails another', async () => {
    const captchaLink = config({ key: 'doubles-captcha-0123456789', requireCaptcha: true });
    const stores = createTestStores({ captchaTokens: ['solved'] });
    expect(codeOf(await evaluateCast(captchaLink, { ip: '192.0.2.1', captchaToken: 'solved' }, stores))).toBe('created');
    expect(codeOf(await evaluateCast(captchaLink, { ip: '192.0.2.1', captchaToken: 'guess' }, stores))).toBe('captcha_failed');
    expect(stores.captcha.callsTo('verify').map((input) => input.token)).toEqual(['solved', 'guess']);
  });

  it('doubles a verifier with the fake by default: no token passes', async () => {
    const captcha = createCaptchaVerifierDouble();
    expect(await captcha.verify({ token: 'anything', remoteIp: '192.0.2.1' })).toMatchObject({ success: false });
  });
});

describe('the lease store double', () => {
  const liveLink = config({ key: 'doubles-live-0123456789', maxLiveSessions: 1, sessionsRemaining: 5 });

  it('wraps castgate\'s memory lease store by default: calls go through and are recorded', async () => {
    const leases = createLeaseStoreDouble();
    expect(await leases.acquire({ key: 'live', limit: 1, leaseId: 'a', ttlMs: 60_000, nowMs: t0 })).toEqual({ ok: true });
    expect(await leases.acquire({ key: 'live', limit: 1, leaseId: 'b', ttlMs: 60_000, nowMs: t0 + 1_000 })).toEqual({ ok: false, retryAfterMs: 59_000 });
    expect(await leases.release({ key: 'live', leaseId: 'a', nowMs: t0 + 2_000 })).toBe(true);
    expect(leases.calls.map((call) => call.method)).toEqual(['acquire', 'acquire', 'release']);
    expect(leases.callsTo('acquire').map((input) => input.leaseId)).toEqual(['a', 'b']);
  });

  it('is part of createTestStores: a live-session cap takes a lease, binds it to the session, and refuses the next', async () => {
    const stores = createTestStores();
    const first = await evaluateCast(liveLink, { ip: '192.0.2.1' }, stores);
    expect(codeOf(first)).toBe('created');
    expect(codeOf(await evaluateCast(liveLink, { ip: '192.0.2.2' }, stores))).toBe('live_limit');
    expect(stores.leases.callsTo('acquire')).toHaveLength(2);
    expect(stores.leases.callsTo('bind')).toEqual([expect.objectContaining({ configKey: 'doubles-live-0123456789', sessionId: first.allowed ? first.session.id : '' })]);
  });

  it('turns a rejected acquire into store_unavailable, with the quota unit given back', async () => {
    const stores = createTestStores();
    stores.leases.reject(new Error('ECONNRESET'), { method: 'acquire', times: 1 });
    expect(codeOf(await evaluateCast(liveLink, { ip: '192.0.2.1' }, stores))).toBe('store_unavailable');
    expect(stores.leases.calls).toEqual([expect.objectContaining({ method: 'acquire', fault: 'reject' })]);
    await expect.poll(async () => stores.quota.remaining('doubles-live-0123456789')).toBe(5);
    expect(stores.sessions.callsTo('provision')).toEqual([]);
    expect(codeOf(await evaluateCast(liveLink, { ip: '192.0.2.1' }, stores))).toBe('created');
  });

  it('turns a hanging acquire into store_unavailable after storeTimeoutMs, its signal aborted', async () => {
    const stores = createTestStores();
    stores.leases.hang({ method: 'acquire', times: 1 });
    expect(codeOf(await evaluateCast(liveLink, { ip: '192.0.2.1' }, stores, { storeTimeoutMs: 50 }))).toBe('store_unavailable');
    expect(stores.leases.callsTo('acquire')[0]?.signal?.aborted).toBe(true);
  });

  describe('keeps the lease store contract when no fault is set', () => {
    runContract(leaseStoreContract, () => createLeaseStoreDouble(), it);
  });
});
