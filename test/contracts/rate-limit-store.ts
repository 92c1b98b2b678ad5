import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RateLimitStore } from '../../src/contract/stores.js';

/** Makes a fresh store that shares nothing with any store made before. */
export type MakeRateLimitStore = () => RateLimitStore | Promise<RateLimitStore>;

const t0 = 1_700_000_000_000;
const minute = 60_000;

type TakeResult = Awaited<ReturnType<RateLimitStore['take']>>;

/** The reservation of a take that must have succeeded. */
function reservationOf(result: TakeResult): string {
  if (!result.ok) throw new Error(`expected a slot, got retryAfterMs ${result.retryAfterMs}`);
  return result.reservation;
}

/** A plain model of the exact sliding window: the live slots of one key. */
class WindowModel {
  readonly slots: { at: number; reservation: string }[] = [];

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  live(nowMs: number): number[] {
    return this.slots
      .map((slot) => slot.at)
      .filter((at) => at > nowMs - this.windowMs)
      .sort((a, b) => a - b);
  }

  expected(nowMs: number): { full: false } | { full: true; retryAfterMs: number } {
    const live = this.live(nowMs);
    if (live.length < this.limit) return { full: false };
    const freeing = live[live.length - this.limit]!;
    return { full: true, retryAfterMs: Math.max(1, Math.ceil(freeing + this.windowMs - nowMs)) };
  }

  giveBack(reservation: string): void {
    const at = this.slots.findIndex((slot) => slot.reservation === reservation);
    if (at !== -1) this.slots.splice(at, 1);
  }
}

type Step = { kind: 'take'; advanceMs: number } | { kind: 'peek'; advanceMs: number } | { kind: 'giveBack'; pick: number };

/**
 * The contract every {@link RateLimitStore} keeps (SPEC §2, §6; THREATS §4): an exact sliding
 * window per key, `(nowMs - windowMs, nowMs]`, that concurrency cannot oversell, a read-only peek,
 * and idempotent give-backs keyed by reservation.
 */
export function describeRateLimitStore(name: string, make: MakeRateLimitStore): void {
  describe(`RateLimitStore contract: ${name}`, () => {
    it('serves exactly `limit` slots, then answers how long until one frees', async () => {
      const store = await make();
      const input = { key: 'k', limit: 3, windowMs: minute, nowMs: t0 };
      const results = [await store.take(input), await store.take(input), await store.take(input), await store.take(input)];
      expect(results.map((r) => r.ok)).toEqual([true, true, true, false]);
      expect(results[3]).toEqual({ ok: false, retryAfterMs: minute });
    });

    it('serves exactly 7 of 200 concurrent takes on one key (limit 7)', async () => {
      const store = await make();
      const input = { key: 'burst', limit: 7, windowMs: minute, nowMs: t0 };
      const results = await Promise.all(Array.from({ length: 200 }, () => store.take(input)));
      expect(results.filter((r) => r.ok)).toHaveLength(7);
      expect(results.filter((r) => !r.ok)).toEqual(Array.from({ length: 193 }, () => ({ ok: false, retryAfterMs: minute })));
    });

    it('serves exactly 2 of 40 concurrent takes from one address (limit 2 per 60 s)', async () => {
      const store = await make();
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) => store.take({ key: 'cast:trial:v4:192.0.2.1', limit: 2, windowMs: minute, nowMs: t0 + (i % 3) })),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(2);
    });

    it('frees a slot taken at t at t + window exactly: t + window - 1 is denied, t + window is allowed', async () => {
      const store = await make();
      const at = (nowMs: number) => ({ key: 'edge', limit: 1, windowMs: minute, nowMs });
      expect((await store.take(at(t0))).ok).toBe(true);
      expect(await store.take(at(t0 + minute - 1))).toEqual({ ok: false, retryAfterMs: 1 });
      expect(await store.peek(at(t0 + minute - 1))).toEqual({ full: true, retryAfterMs: 1 });
      expect(await store.peek(at(t0 + minute))).toEqual({ full: false, retryAfterMs: 0 });
      expect((await store.take(at(t0 + minute))).ok).toBe(true);
    });

    it('answers retryAfterMs as the time until the oldest counted slot frees (1 ≤ n ≤ window)', async () => {
      const store = await make();
      const at = (nowMs: number) => ({ key: 'retry', limit: 2, windowMs: minute, nowMs });
      await store.take(at(t0));
      await store.take(at(t0 + 10_000));
      expect(await store.take(at(t0 + 30_000))).toEqual({ ok: false, retryAfterMs: 30_000 });
      expect((await store.take(at(t0 + minute))).ok).toBe(true);
      expect(await store.take(at(t0 + minute + 1))).toEqual({ ok: false, retryAfterMs: 9_999 });
    });

    it('never opens a slot for an earlier instant than one already taken (out-of-order clocks)', async () => {
      const store = await make();
      const at = (nowMs: number) => ({ key: 'skew', limit: 1, windowMs: minute, nowMs });
      expect((await store.take(at(t0 + 1_000))).ok).toBe(true);
      expect(await store.take(at(t0))).toEqual({ ok: false, retryAfterMs: minute + 1_000 });
      expect(await store.peek(at(t0))).toEqual({ full: true, retryAfterMs: minute + 1_000 });
    });

    it('peeks without taking: ten peeks leave every slot free', async () => {
      const store = await make();
      const input = { key: 'peek', limit: 1, windowMs: minute, nowMs: t0 };
      for (let i = 0; i < 10; i++) expect(await store.peek(input)).toEqual({ full: false, retryAfterMs: 0 });
      expect((await store.take(input)).ok).toBe(true);
    });

    it('peeks a full window with the same retryAfterMs a take would answer, and still takes nothing', async () => {
      const store = await make();
      const at = (nowMs: number) => ({ key: 'peek-full', limit: 2, windowMs: minute, nowMs });
      await store.take(at(t0));
      expect(await store.peek(at(t0 + 1))).toEqual({ full: false, retryAfterMs: 0 });
      await store.take(at(t0 + 5_000));
      expect(await store.peek(at(t0 + 20_000))).toEqual({ full: true, retryAfterMs: 40_000 });
      expect(await store.take(at(t0 + 20_000))).toEqual({ ok: false, retryAfterMs: 40_000 });
      expect(await store.peek(at(t0 + minute))).toEqual({ full: false, retryAfterMs: 0 });
      expect((await store.take(at(t0 + minute))).ok).toBe(true);
    });

    it('gives back exactly the slot of the reservation, not another one', async () => {
      const store = await make();
      const at = (nowMs: number) => ({ key: 'give', limit: 2, windowMs: minute, nowMs });
      const first = reservationOf(await store.take(at(t0)));
      reservationOf(await store.take(at(t0 + 10_000)));
      await store.giveBack({ key: 'give', reservation: first });
      expect((await store.take(at(t0 + 20_000))).ok).toBe(true);
      // The slot of t0 + 10 s is still counted: it frees at t0 + 70 s.
      expect(await store.take(at(t0 + 20_001))).toEqual({ ok: false, retryAfterMs: minute - 10_001 });
    });

    it('gives back idempotently: twice frees one slot, not two', async () => {
      const store = await make();
      const at = (nowMs: number) => ({ key: 'twice', limit: 2, windowMs: minute, nowMs });
      const first = reservationOf(await store.take(at(t0)));
      reservationOf(await store.take(at(t0)));
      await store.giveBack({ key: 'twice', reservation: first });
      await store.giveBack({ key: 'twice', reservation: first });
      await Promise.all([store.giveBack({ key: 'twice', reservation: first }), store.giveBack({ key: 'twice', reservation: first })]);
      expect((await store.take(at(t0 + 1))).ok).toBe(true);
      expect((await store.take(at(t0 + 2))).ok).toBe(false);
    });

    it('ignores an unknown reservation, a reservation of another key, and a key never used', async () => {
      const store = await make();
      const at = (key: string) => ({ key, limit: 1, windowMs: minute, nowMs: t0 });
      const ofA = reservationOf(await store.take(at('a')));
      reservationOf(await store.take(at('b')));
      await store.giveBack({ key: 'a', reservation: 'not-a-reservation' });
      await store.giveBack({ key: 'b', reservation: ofA });
      await expect(store.giveBack({ key: 'never-used', reservation: ofA })).resolves.toBeUndefined();
      expect((await store.take(at('a'))).ok).toBe(false);
      expect((await store.take(at('b'))).ok).toBe(false);
    });

    it('hands out a distinct reservation for every slot', async () => {
      const store = await make();
      const results = await Promise.all(
        Array.from({ length: 60 }, (_, i) => store.take({ key: `unique-${i % 3}`, limit: 20, windowMs: minute, nowMs: t0 })),
      );
      const reservations = results.map(reservationOf);
      expect(new Set(reservations).size).toBe(60);
    });

    it('keeps distinct keys apart, whatever characters they hold', async () => {
      const store = await make();
      const keys = ['cast:a:b|x', 'cast:a|b:x', 'cast:a:b|x ', 'CAST:a:b|x', '{a}', '{a}:b', 'a{b}c', 'a}b{', 'é', 'e\u0301', '*', ''];
      for (const key of keys) expect((await store.take({ key, limit: 1, windowMs: minute, nowMs: t0 })).ok).toBe(true);
      for (const key of keys) expect((await store.take({ key, limit: 1, windowMs: minute, nowMs: t0 })).ok).toBe(false);
    });

    it('rejects numbers it cannot count with: limit 0 or fractional, a window of 0, NaN or infinite time', async () => {
      const store = await make();
      const good = { key: 'bad-input', limit: 1, windowMs: minute, nowMs: t0 };
      const bad = [
        { ...good, limit: 0 },
        { ...good, limit: 1.5 },
        { ...good, windowMs: 0 },
        { ...good, windowMs: Number.NaN },
        { ...good, nowMs: Number.NaN },
        { ...good, nowMs: Number.POSITIVE_INFINITY },
      ];
      for (const input of bad) {
        await expect(store.take(input)).rejects.toThrow(TypeError);
        await expect(store.peek(input)).rejects.toThrow(TypeError);
      }
      expect((await store.take(good)).ok).toBe(true);
    });

    it('matches the exact sliding-window model for any sequence of takes, peeks, give-backs and time steps', async () => {
      // Windows of seconds or more: a Redis key's TTL runs on real time, which must not overtake the test's time.
      const stepsFor = (windowMs: number): fc.Arbitrary<Step[]> => {
        const advanceMs = fc.oneof(fc.constantFrom(0, 1, windowMs - 1, windowMs), fc.integer({ min: 0, max: windowMs * 1.5 }));
        const step: fc.Arbitrary<Step> = fc.oneof(
          fc.record({ kind: fc.constant('take' as const), advanceMs: fc.oneof(fc.constant(0), advanceMs) }),
          fc.record({ kind: fc.constant('peek' as const), advanceMs }),
          fc.record({ kind: fc.constant('giveBack' as const), pick: fc.nat() }),
        );
        return fc.array(step, { maxLength: 40 });
      };
      const windowAndSteps = fc.constantFrom(10_000, 60_000, 86_400_000).chain((windowMs) => fc.tuple(fc.constant(windowMs), stepsFor(windowMs)));
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: 5 }), windowAndSteps, async (limit, [windowMs, steps]) => {
          const store = await make();
          const model = new WindowModel(limit, windowMs);
          const given: string[] = [];
          const served: { at: number; reservation: string }[] = [];
          let nowMs = t0;
          for (const s of steps) {
            if (s.kind === 'giveBack') {
              const reservation = given[s.pick % (given.length + 1)] ?? 'unknown';
              await store.giveBack({ key: 'model', reservation });
              model.giveBack(reservation);
              const at = served.findIndex((slot) => slot.reservation === reservation);
              if (at !== -1) served.splice(at, 1);
              continue;
            }
            nowMs += s.advanceMs;
            const input = { key: 'model', limit, windowMs, nowMs };
            const expected = model.expected(nowMs);
            if (s.kind === 'peek') {
              expect(await store.peek(input)).toEqual(expected.full ? expected : { full: false, retryAfterMs: 0 });
              continue;
            }
            const result = await store.take(input);
            if (expected.full) {
              expect(result).toEqual({ ok: false, retryAfterMs: expected.retryAfterMs });
            } else {
              const reservation = reservationOf(result);
              model.slots.push({ at: nowMs, reservation });
              served.push({ at: nowMs, reservation });
              given.push(reservation);
            }
            // Served and kept within the window that ends now: never more than the limit.
            expect(served.filter((slot) => slot.at > nowMs - windowMs && slot.at <= nowMs).length).toBeLessThanOrEqual(limit);
          }
        }),
        { numRuns: 60 },
      );
    });
  });
}
