import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LeaseStore } from '../../src/contract/stores.js';

/** Makes a fresh store that shares nothing with any store made before. */
export type MakeLeaseStore = () => LeaseStore | Promise<LeaseStore>;

const t0 = 1_700_000_000_000;
const ttlMs = 10_000;

type Step =
  | { kind: 'acquire'; lease: number; at: number }
  | { kind: 'renew'; lease: number; at: number }
  | { kind: 'release'; lease: number; at: number };

/**
 * The contract every {@link LeaseStore} keeps (SPEC §16): never more than `limit` live leases per key
 * under concurrency, a lease that expires at `last renewal + ttlMs` exactly and is never revived,
 * `renew` and `release` that say whether a live lease was found, and bindings found by `{ configKey,
 * sessionId }`.
 */
export function describeLeaseStore(name: string, make: MakeLeaseStore): void {
  describe(`LeaseStore contract: ${name}`, () => {
    it('grants exactly 5 of 100 concurrent acquires under a limit of 5', async () => {
      const store = await make();
      const results = await Promise.all(
        Array.from({ length: 100 }, (_, i) => store.acquire({ key: 'live', limit: 5, leaseId: `l-${i}`, ttlMs, nowMs: t0 })),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(5);
      for (const refused of results.filter((r) => !r.ok)) expect(refused).toEqual({ ok: false, retryAfterMs: ttlMs });
    });

    it('counts a lease until last renewal + ttlMs, and frees its place at that instant exactly', async () => {
      const store = await make();
      expect(await store.acquire({ key: 'k', limit: 1, leaseId: 'a', ttlMs, nowMs: t0 })).toEqual({ ok: true });
      expect(await store.acquire({ key: 'k', limit: 1, leaseId: 'b', ttlMs, nowMs: t0 + ttlMs - 1 })).toEqual({ ok: false, retryAfterMs: 1 });
      expect(await store.acquire({ key: 'k', limit: 1, leaseId: 'b', ttlMs, nowMs: t0 + ttlMs })).toEqual({ ok: true });
    });

    it('answers how long until the soonest lease expires when the key is full', async () => {
      const store = await make();
      await store.acquire({ key: 'k', limit: 2, leaseId: 'a', ttlMs: 5_000, nowMs: t0 });
      await store.acquire({ key: 'k', limit: 2, leaseId: 'b', ttlMs: 8_000, nowMs: t0 + 1_000 });
      expect(await store.acquire({ key: 'k', limit: 2, leaseId: 'c', ttlMs, nowMs: t0 + 2_000 })).toEqual({ ok: false, retryAfterMs: 3_000 });
    });

    it('extends a lease on renew, measured from the renewal', async () => {
      const store = await make();
      await store.acquire({ key: 'k', limit: 1, leaseId: 'a', ttlMs, nowMs: t0 });
      expect(await store.renew({ key: 'k', leaseId: 'a', ttlMs, nowMs: t0 + 9_000 })).toBe(true);
      expect(await store.acquire({ key: 'k', limit: 1, leaseId: 'b', ttlMs, nowMs: t0 + 18_999 })).toEqual({ ok: false, retryAfterMs: 1 });
      expect(await store.acquire({ key: 'k', limit: 1, leaseId: 'b', ttlMs, nowMs: t0 + 19_000 })).toEqual({ ok: true });
    });

    it('never revives an expired lease: renew answers false and the place stays free', async () => {
      const store = await make();
      await store.acquire({ key: 'k', limit: 1, leaseId: 'a', ttlMs, nowMs: t0 });
      expect(await store.renew({ key: 'k', leaseId: 'a', ttlMs, nowMs: t0 + ttlMs })).toBe(false);
      expect(await store.acquire({ key: 'k', limit: 1, leaseId: 'b', ttlMs, nowMs: t0 + ttlMs })).toEqual({ ok: true });
      expect(await store.renew({ key: 'k', leaseId: 'a', ttlMs, nowMs: t0 + ttlMs + 1 })).toBe(false);
    });

    it('answers false when renewing or releasing a lease it never granted, or of another key', async () => {
      const store = await make();
      await store.acquire({ key: 'k', limit: 2, leaseId: 'a', ttlMs, nowMs: t0 });
      expect(await store.renew({ key: 'k', leaseId: 'zz', ttlMs, nowMs: t0 })).toBe(false);
      expect(await store.renew({ key: 'other', leaseId: 'a', ttlMs, nowMs: t0 })).toBe(false);
      expect(await store.release({ key: 'other', leaseId: 'a', nowMs: t0 })).toBe(false);
      expect(await store.release({ key: 'never', leaseId: 'a' })).toBe(false);
    });

    it('frees the place on release, once: a second release answers false', async () => {
      const store = await make();
      await store.acquire({ key: 'k', limit: 1, leaseId: 'a', ttlMs, nowMs: t0 });
      expect(await store.release({ key: 'k', leaseId: 'a', nowMs: t0 + 1 })).toBe(true);
      expect(await store.release({ key: 'k', leaseId: 'a', nowMs: t0 + 1 })).toBe(false);
      expect(await store.acquire({ key: 'k', limit: 1, leaseId: 'b', ttlMs, nowMs: t0 + 1 })).toEqual({ ok: true });
    });

    it('releases concurrently exactly once', async () => {
      const store = await make();
      await store.acquire({ key: 'k', limit: 1, leaseId: 'a', ttlMs, nowMs: t0 });
      const answers = await Promise.all(Array.from({ length: 20 }, () => store.release({ key: 'k', leaseId: 'a', nowMs: t0 })));
      expect(answers.filter(Boolean)).toHaveLength(1);
    });

    it('answers false for releasing an expired lease when given the instant, true without one if it is still held', async () => {
      const store = await make();
      await store.acquire({ key: 'k', limit: 2, leaseId: 'a', ttlMs, nowMs: t0 });
      await store.acquire({ key: 'k', limit: 2, leaseId: 'b', ttlMs, nowMs: t0 });
      expect(await store.release({ key: 'k', leaseId: 'a', nowMs: t0 + ttlMs })).toBe(false);
      expect(await store.release({ key: 'k', leaseId: 'b', nowMs: t0 + ttlMs - 1 })).toBe(true);
    });

    it('treats acquiring a live lease id again as a renewal, not a second place', async () => {
      const store = await make();
      await store.acquire({ key: 'k', limit: 2, leaseId: 'a', ttlMs, nowMs: t0 });
      expect(await store.acquire({ key: 'k', limit: 2, leaseId: 'a', ttlMs, nowMs: t0 + 5_000 })).toEqual({ ok: true });
      expect(await store.acquire({ key: 'k', limit: 2, leaseId: 'b', ttlMs, nowMs: t0 + 5_000 })).toEqual({ ok: true });
      expect(await store.acquire({ key: 'k', limit: 2, leaseId: 'c', ttlMs, nowMs: t0 + 5_000 })).toEqual({ ok: false, retryAfterMs: ttlMs });
    });

    it('keeps keys apart, whatever characters they hold', async () => {
      const store = await make();
      const keys = ['a:b', 'a', 'b:x', '{a}', '{a}:b', 'a}b{', 'cast:demo:live', 'cast:demo:live:v4:192.0.2.1', 'é'];
      for (const key of keys) expect(await store.acquire({ key, limit: 1, leaseId: 'same', ttlMs, nowMs: t0 })).toEqual({ ok: true });
      for (const key of keys) expect((await store.acquire({ key, limit: 1, leaseId: 'other', ttlMs, nowMs: t0 })).ok).toBe(false);
    });

    it('binds a session to its leases and their TTL, found by { configKey, sessionId }', async () => {
      const store = await make();
      const leases = [{ key: 'cast:demo:live', leaseId: 'l-1' }, { key: 'cast:demo:live:v4:192.0.2.1', leaseId: 'l-1' }];
      expect(await store.boundTo({ configKey: 'demo', sessionId: 's-1' })).toBeNull();
      await store.bind({ configKey: 'demo', sessionId: 's-1', leases, ttlMs: 30_000, nowMs: t0 });
      expect(await store.boundTo({ configKey: 'demo', sessionId: 's-1' })).toEqual({ leases, ttlMs: 30_000 });
      expect(await store.boundTo({ configKey: 'other', sessionId: 's-1' })).toBeNull();
      expect(await store.boundTo({ configKey: 'demo', sessionId: 's-2' })).toBeNull();
      expect(await store.boundTo({ configKey: 'de', sessionId: 'mos-1' })).toBeNull();
    });

    it('rejects unusable input with a TypeError and counts nothing', async () => {
      const store = await make();
      for (const limit of [0, -1, 1.5, Number.NaN]) {
        await expect(store.acquire({ key: 'bad', limit, leaseId: 'a', ttlMs, nowMs: t0 })).rejects.toThrow(TypeError);
      }
      for (const bad of [0, -5, 1.5, Number.POSITIVE_INFINITY]) {
        await expect(store.acquire({ key: 'bad', limit: 1, leaseId: 'a', ttlMs: bad, nowMs: t0 })).rejects.toThrow(TypeError);
        await expect(store.renew({ key: 'bad', leaseId: 'a', ttlMs: bad, nowMs: t0 })).rejects.toThrow(TypeError);
      }
      await expect(store.acquire({ key: 'bad', limit: 1, leaseId: 'a', ttlMs, nowMs: Number.NaN })).rejects.toThrow(TypeError);
      await expect(store.acquire({ key: 'bad', limit: 1, leaseId: '', ttlMs, nowMs: t0 })).rejects.toThrow(TypeError);
      expect(await store.acquire({ key: 'bad', limit: 1, leaseId: 'a', ttlMs, nowMs: t0 })).toEqual({ ok: true });
    });

    it('matches a plain model for any sequence of acquires, renewals and releases over time', async () => {
      const step: fc.Arbitrary<Step> = fc.record({
        kind: fc.constantFrom('acquire' as const, 'acquire' as const, 'renew' as const, 'release' as const),
        lease: fc.integer({ min: 0, max: 4 }),
        at: fc.integer({ min: 0, max: 4_000 }),
      });
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: 3 }), fc.array(step, { maxLength: 30 }), async (limit, steps) => {
          const store = await make();
          const model = new Map<string, number>();
          let now = t0;
          for (const s of steps) {
            now += s.at;
            const leaseId = `l${s.lease}`;
            for (const [id, expiresAt] of model) if (expiresAt <= now) model.delete(id);
            if (s.kind === 'acquire') {
              const result = await store.acquire({ key: 'model', limit, leaseId, ttlMs: 5_000, nowMs: now });
              if (model.has(leaseId) || model.size < limit) {
                model.set(leaseId, now + 5_000);
                expect(result).toEqual({ ok: true });
              } else {
                expect(result).toEqual({ ok: false, retryAfterMs: Math.min(...model.values()) - now });
              }
            } else if (s.kind === 'renew') {
              const found = model.has(leaseId);
              if (found) model.set(leaseId, now + 5_000);
              expect(await store.renew({ key: 'model', leaseId, ttlMs: 5_000, nowMs: now })).toBe(found);
            } else {
              const found = model.delete(leaseId);
              expect(await store.release({ key: 'model', leaseId, nowMs: now })).toBe(found);
            }
          }
        }),
        { numRuns: 60 },
      );
    });
  });
}
