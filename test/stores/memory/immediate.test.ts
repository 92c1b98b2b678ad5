import { describe, expect, it, vi } from 'vitest';
import { evaluateCast } from '../../../src/engine/evaluate.js';
import { immediateOf } from '../../../src/stores/memory/immediate.js';
import { createMemoryStores } from '../../../src/stores/memory/index.js';
import { config, t0 } from '../../helpers/cast.js';

const limited = config({ key: 'immediate-0123456789', ipRateLimit: { sessions: 2, withinSeconds: 60 }, sessionsRemaining: 5 });

describe('memory stores: the synchronous twins the engine calls', () => {
  it('answers through each method exactly what its twin answers, and rejects where the twin throws', async () => {
    const twin = createMemoryStores();
    const method = createMemoryStores();
    const input = { key: 'k', limit: 1, windowMs: 60_000, nowMs: t0.getTime() };
    const takeNow = immediateOf(twin.rateLimit, 'take');
    expect(takeNow).toBeTypeOf('function');
    expect(takeNow?.(input)).toEqual(await method.rateLimit.take(input));
    expect(takeNow?.(input)).toEqual(await method.rateLimit.take(input));
    expect(() => takeNow?.({ ...input, limit: 0 })).toThrow(TypeError);
    await expect(method.rateLimit.take({ ...input, limit: 0 })).rejects.toThrow(TypeError);
    expect(immediateOf(twin.quota, 'take')?.({ configKey: 'c', initial: 1 })).toMatchObject({ ok: true, remaining: 0 });
    await expect(method.quota.take({ configKey: 'c', initial: -1 })).rejects.toThrow(TypeError);
  });

  it('calls a method a host replaced (a spy, a decorator) instead of the twin it no longer has', async () => {
    const stores = createMemoryStores();
    const rateLimit = { ...stores.rateLimit };
    const sessions = { ...stores.sessions };
    const take = vi.spyOn(rateLimit, 'take');
    const provision = vi.spyOn(sessions, 'provision');
    const spied = { ...stores, rateLimit, sessions };
    const decision = await evaluateCast(limited, { ip: '192.0.2.1', now: t0 }, spied);
    expect(decision.allowed).toBe(true);
    expect(take).toHaveBeenCalledTimes(1);
    expect(provision).toHaveBeenCalledTimes(1);
  });

  it('decides on memory stores without waiting between guards: 50 concurrent requests of one client serve exactly its 2', async () => {
    const stores = createMemoryStores();
    const decisions = await Promise.all(Array.from({ length: 50 }, () => evaluateCast(limited, { ip: '192.0.2.7', now: t0 }, stores)));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(2);
    expect(decisions.flatMap((d) => (d.allowed ? [] : [d.error.code]))).toEqual(Array(48).fill('rate_limited'));
    expect(await stores.quota.remaining(limited.key)).toBe(3);
  });

  it('gives back the slot and the unit when the memory provisioner fails (a signed-in plan without a user id cannot happen, so a replaced provisioner fails)', async () => {
    const stores = createMemoryStores();
    const failing = { ...stores, sessions: { ...stores.sessions, provision: () => Promise.reject(new Error('backend down')) } };
    const decision = await evaluateCast(limited, { ip: '192.0.2.9', now: t0 }, failing);
    expect(decision.allowed ? '' : decision.error.code).toBe('provision_failed');
    expect(await stores.quota.remaining(limited.key)).toBe(5);
    expect(await stores.rateLimit.peek({ key: `cast:${limited.key}:v4:192.0.2.9`, limit: 1, windowMs: 60_000, nowMs: t0.getTime() })).toEqual({ full: false, retryAfterMs: 0 });
  });
});
