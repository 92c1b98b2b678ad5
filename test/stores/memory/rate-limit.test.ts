import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMemoryRateLimitStore, createMemoryStores } from '../../../src/stores/memory/index.js';
import { rateLimitStoreContract, runContract } from '../../../src/testing/index.js';

describe('RateLimitStore contract: memory', () => {
  runContract(rateLimitStoreContract, () => createMemoryRateLimitStore(), it);
});
describe('RateLimitStore contract: memory (through createMemoryStores)', () => {
  runContract(rateLimitStoreContract, () => createMemoryStores().rateLimit, it);
});

const t0 = 1_700_000_000_000;

describe('memory rate-limit store', () => {
  it('drops keys whose window has passed, on its own, while new addresses keep arriving', async () => {
    const store = createMemoryRateLimitStore();
    for (let i = 0; i < 3_000; i++) await store.take({ key: `early-${i}`, limit: 1, windowMs: 1_000, nowMs: t0 });
    expect(store.size).toBe(3_000);
    for (let i = 0; i < 5_000; i++) await store.take({ key: `late-${i}`, limit: 1, windowMs: 1_000, nowMs: t0 + 1_000 });
    expect(store.size).toBe(5_000);
    expect((await store.take({ key: 'late-0', limit: 1, windowMs: 1_000, nowMs: t0 + 1_000 })).ok).toBe(false);
  });

  it('prunes on demand exactly the keys whose every slot has freed', async () => {
    const store = createMemoryRateLimitStore();
    await store.take({ key: 'short', limit: 2, windowMs: 1_000, nowMs: t0 });
    await store.take({ key: 'short', limit: 2, windowMs: 1_000, nowMs: t0 + 500 });
    await store.take({ key: 'long', limit: 2, windowMs: 60_000, nowMs: t0 });
    expect(store.prune(t0 + 1_499)).toBe(0);
    expect(store.prune(t0 + 1_500)).toBe(1);
    expect(store.size).toBe(1);
    expect((await store.take({ key: 'long', limit: 1, windowMs: 60_000, nowMs: t0 + 1_500 })).ok).toBe(false);
  });

  it('drops a key once its last slot is given back', async () => {
    const store = createMemoryRateLimitStore();
    const taken = await store.take({ key: 'k', limit: 1, windowMs: 1_000, nowMs: t0 });
    if (!taken.ok) throw new Error('expected a slot');
    await store.giveBack({ key: 'k', reservation: taken.reservation });
    expect(store.size).toBe(0);
  });

  it('caps the key count, evicting a key with a free slot not used lately (maxKeys 3)', async () => {
    const store = createMemoryRateLimitStore({ maxKeys: 3 });
    const take = (key: string) => store.take({ key, limit: 2, windowMs: 60_000, nowMs: t0 });
    await take('a');
    await take('b');
    await take('c');
    expect((await take('a')).ok).toBe(true); // a is now at its limit
    await take('d'); // evicts b: a is full, b was not used since
    expect(store.size).toBe(3);
    expect((await take('a')).ok).toBe(false);
    expect((await take('c')).ok).toBe(true);
    expect((await take('b')).ok).toBe(true);
    expect((await take('b')).ok).toBe(true); // b was forgotten: two fresh slots
  });

  it('never frees a client at its limit, whatever a spray of fresh addresses does (maxKeys 100)', async () => {
    const store = createMemoryRateLimitStore({ maxKeys: 100 });
    const limited = { key: 'cast:trial:v4:203.0.113.9', limit: 2, windowMs: 60_000 };
    expect((await store.take({ ...limited, nowMs: t0 })).ok).toBe(true);
    expect((await store.take({ ...limited, nowMs: t0 + 1 })).ok).toBe(true);
    for (let i = 0; i < 10_000; i++) {
      const spray = await store.take({ key: `cast:trial:v4:10.0.${(i >> 8) & 255}.${i & 255}`, limit: 2, windowMs: 60_000, nowMs: t0 + 2 + i });
      expect(spray.ok).toBe(true);
    }
    expect(store.size).toBe(100);
    expect(await store.take({ ...limited, nowMs: t0 + 20_000 })).toEqual({ ok: false, retryAfterMs: 40_000 });
  });

  it('drops expired keys before a key with a free slot', async () => {
    const store = createMemoryRateLimitStore({ maxKeys: 2 });
    await store.take({ key: 'open', limit: 2, windowMs: 60_000, nowMs: t0 });
    await store.take({ key: 'short', limit: 2, windowMs: 1_000, nowMs: t0 });
    expect((await store.take({ key: 'new', limit: 2, windowMs: 60_000, nowMs: t0 + 1_000 })).ok).toBe(true);
    // 'short' had expired and went; 'open' kept its slot, so it has one left.
    expect((await store.take({ key: 'open', limit: 2, windowMs: 60_000, nowMs: t0 + 1_000 })).ok).toBe(true);
    expect((await store.take({ key: 'open', limit: 2, windowMs: 60_000, nowMs: t0 + 1_000 })).ok).toBe(false);
  });

  it('refuses a newcomer while every key is at its limit, until the soonest window frees', async () => {
    const store = createMemoryRateLimitStore({ maxKeys: 2 });
    const take = (key: string, nowMs: number) => store.take({ key, limit: 1, windowMs: 1_000, nowMs });
    await take('a', t0);
    await take('b', t0 + 100);
    expect(await take('c', t0 + 200)).toEqual({ ok: false, retryAfterMs: 800 });
    expect(await take('c', t0 + 999)).toEqual({ ok: false, retryAfterMs: 1 });
    expect((await take('c', t0 + 1_000)).ok).toBe(true);
    expect((await take('b', t0 + 1_000)).ok).toBe(false);
    expect(store.size).toBe(2);
  });

  it('lets a newcomer in once a full key gives a slot back', async () => {
    const store = createMemoryRateLimitStore({ maxKeys: 1 });
    await store.take({ key: 'a', limit: 2, windowMs: 60_000, nowMs: t0 });
    const second = await store.take({ key: 'a', limit: 2, windowMs: 60_000, nowMs: t0 });
    expect((await store.take({ key: 'b', limit: 2, windowMs: 60_000, nowMs: t0 })).ok).toBe(false);
    if (!second.ok) throw new Error('expected a slot');
    await store.giveBack({ key: 'a', reservation: second.reservation });
    expect((await store.take({ key: 'b', limit: 2, windowMs: 60_000, nowMs: t0 })).ok).toBe(true);
  });

  it('stays exact while the cap is not reached: any sequence of takes and give-backs matches a reference log', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ key: fc.constantFrom('a', 'b', 'c'), step: fc.nat(400), limit: fc.integer({ min: 1, max: 3 }), giveBack: fc.boolean() }), { maxLength: 60 }),
        async (ops) => {
          const store = createMemoryRateLimitStore({ maxKeys: 3 });
          const reference = new Map<string, number[]>();
          let nowMs = t0;
          for (const op of ops) {
            nowMs += op.step;
            const windowMs = 1_000;
            const live = (reference.get(op.key) ?? []).filter((at) => at > nowMs - windowMs);
            const taken = await store.take({ key: op.key, limit: op.limit, windowMs, nowMs });
            expect(taken.ok).toBe(live.length < op.limit);
            if (taken.ok && op.giveBack) await store.giveBack({ key: op.key, reservation: taken.reservation });
            else if (taken.ok) live.push(nowMs);
            reference.set(op.key, live);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('stays within maxKeys under a spray of 20,000 distinct addresses', async () => {
    const store = createMemoryRateLimitStore({ maxKeys: 1_000 });
    for (let i = 0; i < 20_000; i++) {
      await store.take({ key: `cast:trial:v4:10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, limit: 1, windowMs: 60_000, nowMs: t0 + i });
    }
    expect(store.size).toBeLessThanOrEqual(1_000);
  });

  it('reads time only from nowMs: a window at the epoch behaves like any other', async () => {
    const store = createMemoryRateLimitStore();
    const at = (nowMs: number) => ({ key: 'epoch', limit: 1, windowMs: 10, nowMs });
    expect((await store.take(at(0))).ok).toBe(true);
    expect(await store.take(at(9))).toEqual({ ok: false, retryAfterMs: 1 });
    expect((await store.take(at(10))).ok).toBe(true);
  });

  it('refuses options it cannot honour', () => {
    expect(() => createMemoryRateLimitStore({ maxKeys: 0 })).toThrow(TypeError);
    expect(() => createMemoryStores({ maxKeys: 1.5 })).toThrow(TypeError);
    expect(() => createMemoryStores({ maxReservations: -1 })).toThrow(TypeError);
  });
});

