import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { QuotaStore } from '../../src/contract/stores.js';

/** Makes a fresh store that shares nothing with any store made before. */
export type MakeQuotaStore = () => QuotaStore | Promise<QuotaStore>;

type TakeResult = Awaited<ReturnType<QuotaStore['take']>>;

/** The reservation of a take that must have succeeded. */
function reservationOf(result: TakeResult): string {
  if (!result.ok) throw new Error('expected a unit, the quota was exhausted');
  return result.reservation;
}

type Step = { kind: 'take' } | { kind: 'giveBack'; pick: number } | { kind: 'setRemaining'; n: number };

/**
 * The contract every {@link QuotaStore} keeps (SPEC §2, §6; THREATS §4): a counter per config key,
 * started at `initial` on first use, taken atomically while above zero, never negative, never
 * oversold, with give-backs that are idempotent per reservation.
 */
export function describeQuotaStore(name: string, make: MakeQuotaStore): void {
  describe(`QuotaStore contract: ${name}`, () => {
    it('knows nothing of a key before its first use: remaining is undefined', async () => {
      const store = await make();
      expect(await store.remaining('fresh')).toBeUndefined();
    });

    it('starts the counter at `initial` on first use and ignores `initial` afterwards', async () => {
      const store = await make();
      const first = await store.take({ configKey: 'excel', initial: 3 });
      expect(first).toMatchObject({ ok: true, remaining: 2 });
      expect(typeof reservationOf(first)).toBe('string');
      expect(await store.take({ configKey: 'excel', initial: 100 })).toMatchObject({ ok: true, remaining: 1 });
      expect(await store.remaining('excel')).toBe(1);
    });

    it('is exhausted from the start when `initial` is 0', async () => {
      const store = await make();
      expect(await store.take({ configKey: 'none-left', initial: 0 })).toEqual({ ok: false });
      expect(await store.remaining('none-left')).toBe(0);
    });

    it('serves exactly 50 of 200 concurrent takes when the quota is 50, each with its own remaining count', async () => {
      const store = await make();
      const results = await Promise.all(Array.from({ length: 200 }, () => store.take({ configKey: 'launch', initial: 50 })));
      const served = results.filter((r) => r.ok);
      expect(served).toHaveLength(50);
      expect(served.map((r) => r.remaining).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
      expect(new Set(served.map((r) => r.reservation)).size).toBe(50);
      expect(await store.remaining('launch')).toBe(0);
    });

    it('never goes below zero, however many takes follow', async () => {
      const store = await make();
      await store.take({ configKey: 'floor', initial: 1 });
      for (let i = 0; i < 5; i++) expect(await store.take({ configKey: 'floor', initial: 1 })).toEqual({ ok: false });
      expect(await store.remaining('floor')).toBe(0);
    });

    it('gives a unit back once per reservation: twice is once, and never above where it started', async () => {
      const store = await make();
      const reservation = reservationOf(await store.take({ configKey: 'refund', initial: 2 }));
      expect(await store.remaining('refund')).toBe(1);
      await store.giveBack({ configKey: 'refund', reservation });
      await store.giveBack({ configKey: 'refund', reservation });
      await Promise.all(Array.from({ length: 10 }, () => store.giveBack({ configKey: 'refund', reservation })));
      expect(await store.remaining('refund')).toBe(2);
    });

    it('lets a given-back unit be served again', async () => {
      const store = await make();
      const reservation = reservationOf(await store.take({ configKey: 'again', initial: 1 }));
      expect(await store.take({ configKey: 'again', initial: 1 })).toEqual({ ok: false });
      await store.giveBack({ configKey: 'again', reservation });
      expect(await store.take({ configKey: 'again', initial: 1 })).toMatchObject({ ok: true, remaining: 0 });
    });

    it('ignores an unknown reservation, a reservation of another key, and a key never used', async () => {
      const store = await make();
      const ofA = reservationOf(await store.take({ configKey: 'a', initial: 5 }));
      reservationOf(await store.take({ configKey: 'b', initial: 5 }));
      await store.giveBack({ configKey: 'a', reservation: 'not-a-reservation' });
      await store.giveBack({ configKey: 'b', reservation: ofA });
      await store.giveBack({ configKey: 'never-used', reservation: ofA });
      expect(await store.remaining('a')).toBe(4);
      expect(await store.remaining('b')).toBe(4);
      expect(await store.remaining('never-used')).toBeUndefined();
    });

    it('keeps config keys apart, whatever characters they hold', async () => {
      const store = await make();
      const keys = ['a:b', 'a', 'b:x', '{a}', '{a}:b', 'a}b{', 'A', 'é', ''];
      for (const configKey of keys) expect(await store.take({ configKey, initial: 1 })).toMatchObject({ ok: true, remaining: 0 });
      for (const configKey of keys) expect(await store.remaining(configKey)).toBe(0);
    });

    it('sets the remaining count for admins, on a used key and on a fresh one', async () => {
      const store = await make();
      await store.take({ configKey: 'used', initial: 1 });
      await store.setRemaining('used', 10);
      expect(await store.remaining('used')).toBe(10);
      expect(await store.take({ configKey: 'used', initial: 1 })).toMatchObject({ ok: true, remaining: 9 });
      await store.setRemaining('preset', 2);
      expect(await store.take({ configKey: 'preset', initial: 100 })).toMatchObject({ ok: true, remaining: 1 });
      await store.setRemaining('preset', 0);
      expect(await store.take({ configKey: 'preset', initial: 100 })).toEqual({ ok: false });
    });

    it('still gives back a unit reserved before setRemaining (the admin set what is left; that session did not use it)', async () => {
      const store = await make();
      const reservation = reservationOf(await store.take({ configKey: 'topped-up', initial: 5 }));
      await store.setRemaining('topped-up', 3);
      await store.giveBack({ configKey: 'topped-up', reservation });
      await store.giveBack({ configKey: 'topped-up', reservation });
      expect(await store.remaining('topped-up')).toBe(4);
    });

    it('rejects a count that is negative, fractional, not finite or past the safe integers', async () => {
      const store = await make();
      for (const n of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 1]) {
        await expect(store.setRemaining('bad', n)).rejects.toThrow(TypeError);
        await expect(store.take({ configKey: 'bad', initial: n })).rejects.toThrow(TypeError);
      }
      expect(await store.remaining('bad')).toBeUndefined();
    });

    it('matches a plain counter model for any sequence of takes, give-backs and admin settings', async () => {
      const step: fc.Arbitrary<Step> = fc.oneof(
        { weight: 4, arbitrary: fc.constant({ kind: 'take' as const }) },
        { weight: 2, arbitrary: fc.record({ kind: fc.constant('giveBack' as const), pick: fc.nat() }) },
        { weight: 1, arbitrary: fc.record({ kind: fc.constant('setRemaining' as const), n: fc.integer({ min: 0, max: 4 }) }) },
      );
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 0, max: 5 }), fc.array(step, { maxLength: 40 }), async (initial, steps) => {
          const store = await make();
          let remaining: number | undefined;
          const outstanding = new Set<string>();
          const taken: string[] = [];
          for (const s of steps) {
            if (s.kind === 'take') {
              remaining ??= initial;
              const result = await store.take({ configKey: 'model', initial });
              if (remaining > 0) {
                remaining--;
                expect(result).toMatchObject({ ok: true, remaining });
                const reservation = reservationOf(result);
                outstanding.add(reservation);
                taken.push(reservation);
              } else {
                expect(result).toEqual({ ok: false });
              }
            } else if (s.kind === 'giveBack') {
              const reservation = taken[s.pick % (taken.length + 1)] ?? 'unknown';
              await store.giveBack({ configKey: 'model', reservation });
              if (outstanding.delete(reservation) && remaining !== undefined) remaining++;
            } else {
              await store.setRemaining('model', s.n);
              remaining = s.n;
            }
            expect(await store.remaining('model')).toBe(remaining);
            if (remaining !== undefined) expect(remaining).toBeGreaterThanOrEqual(0);
          }
        }),
        { numRuns: 60 },
      );
    });
  });
}
