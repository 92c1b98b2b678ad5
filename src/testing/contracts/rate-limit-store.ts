import { deepStrictEqual, ok, rejects, strictEqual } from 'node:assert/strict';
import type { RateLimitInput, RateLimitStore } from '../../contract/stores.js';
import type { ContractCase } from './contract.js';
import { forEachSeed } from './random.js';

const t0 = 1_700_000_000_000;
const minute = 60_000;

type TakeResult = Awaited<ReturnType<RateLimitStore['take']>>;

/** The reservation of a take that must have succeeded. */
function reservationOf(result: TakeResult): string {
  if (!result.ok) throw new Error(`expected a slot, got retryAfterMs ${result.retryAfterMs}`);
  ok(typeof result.reservation === 'string' && result.reservation !== '', 'a reservation is a non-empty string');
  return result.reservation;
}

const served = (results: readonly TakeResult[]): number => results.filter((r) => r.ok).length;

/** A plain model of the exact sliding window: the live slots of one key. */
class WindowModel {
  readonly slots: { at: number; reservation: string }[] = [];

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  expected(nowMs: number): { full: false } | { full: true; retryAfterMs: number } {
    const live = this.slots
      .map((slot) => slot.at)
      .filter((at) => at > nowMs - this.windowMs)
      .sort((a, b) => a - b);
    if (live.length < this.limit) return { full: false };
    const freeing = live[live.length - this.limit] ?? nowMs;
    return { full: true, retryAfterMs: Math.max(1, Math.ceil(freeing + this.windowMs - nowMs)) };
  }

  giveBack(reservation: string): void {
    const at = this.slots.findIndex((slot) => slot.reservation === reservation);
    if (at !== -1) this.slots.splice(at, 1);
  }
}

type Case = ContractCase<RateLimitStore>;

const cases: Case[] = [
  {
    name: 'serves exactly `limit` slots, then answers how long until one frees',
    async run(make) {
      const store = await make();
      const input = { key: 'k', limit: 3, windowMs: minute, nowMs: t0 };
      const results = [await store.take(input), await store.take(input), await store.take(input), await store.take(input)];
      deepStrictEqual(results.map((r) => r.ok), [true, true, true, false]);
      deepStrictEqual(results[3], { ok: false, retryAfterMs: minute });
    },
  },
  {
    name: 'serves exactly 7 of 200 concurrent takes on one key (limit 7): a read-then-write store oversells here',
    async run(make) {
      const store = await make();
      const input = { key: 'burst', limit: 7, windowMs: minute, nowMs: t0 };
      const results = await Promise.all(Array.from({ length: 200 }, () => store.take(input)));
      strictEqual(served(results), 7);
      for (const refused of results.filter((r) => !r.ok)) deepStrictEqual(refused, { ok: false, retryAfterMs: minute });
      deepStrictEqual(await store.peek(input), { full: true, retryAfterMs: minute });
    },
  },
  {
    name: 'serves exactly 2 of 40 concurrent takes from one address (limit 2 per 60 s)',
    async run(make) {
      const store = await make();
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) => store.take({ key: 'cast:trial:v4:192.0.2.1', limit: 2, windowMs: minute, nowMs: t0 + (i % 3) })),
      );
      strictEqual(served(results), 2);
    },
  },
  {
    name: 'frees every slot given back concurrently: 20 give-backs at once leave 20 free slots',
    async run(make) {
      const store = await make();
      const input = { key: 'mass-refund', limit: 20, windowMs: minute, nowMs: t0 };
      const reservations = (await Promise.all(Array.from({ length: 20 }, () => store.take(input)))).map(reservationOf);
      await Promise.all(reservations.map((reservation) => store.giveBack({ key: 'mass-refund', reservation })));
      const again = await Promise.all(Array.from({ length: 25 }, () => store.take(input)));
      strictEqual(served(again), 20);
    },
  },
  {
    name: 'never oversells while give-backs and takes interleave concurrently',
    async run(make) {
      const store = await make();
      const input = { key: 'churn', limit: 5, windowMs: minute, nowMs: t0 };
      const first = (await Promise.all(Array.from({ length: 5 }, () => store.take(input)))).map(reservationOf);
      // Two slots come back while 30 takes race for them: exactly two of the takes win.
      const [, , ...results] = await Promise.all([
        store.giveBack({ key: 'churn', reservation: first[0] ?? '' }),
        store.giveBack({ key: 'churn', reservation: first[1] ?? '' }),
        ...Array.from({ length: 30 }, () => store.take(input)),
      ]);
      ok(served(results) <= 2, `served ${served(results)} with 2 slots given back`);
      const after = await Promise.all(Array.from({ length: 10 }, () => store.take(input)));
      strictEqual(served(results) + served(after), 2);
    },
  },
  {
    name: 'frees a slot taken at t at t + window exactly: t + window - 1 is denied, t + window is allowed',
    async run(make) {
      const store = await make();
      const at = (nowMs: number) => ({ key: 'edge', limit: 1, windowMs: minute, nowMs });
      strictEqual((await store.take(at(t0))).ok, true);
      deepStrictEqual(await store.take(at(t0 + minute - 1)), { ok: false, retryAfterMs: 1 });
      deepStrictEqual(await store.peek(at(t0 + minute - 1)), { full: true, retryAfterMs: 1 });
      deepStrictEqual(await store.peek(at(t0 + minute)), { full: false, retryAfterMs: 0 });
      strictEqual((await store.take(at(t0 + minute))).ok, true);
    },
  },
  {
    name: 'answers retryAfterMs as the time until the oldest counted slot frees (1 ≤ n ≤ window)',
    async run(make) {
      const store = await make();
      const at = (nowMs: number) => ({ key: 'retry', limit: 2, windowMs: minute, nowMs });
      await store.take(at(t0));
      await store.take(at(t0 + 10_000));
      deepStrictEqual(await store.take(at(t0 + 30_000)), { ok: false, retryAfterMs: 30_000 });
      strictEqual((await store.take(at(t0 + minute))).ok, true);
      deepStrictEqual(await store.take(at(t0 + minute + 1)), { ok: false, retryAfterMs: 9_999 });
    },
  },
  {
    name: 'never opens a slot for an earlier instant than one already taken (out-of-order clocks)',
    async run(make) {
      const store = await make();
      const at = (nowMs: number) => ({ key: 'skew', limit: 1, windowMs: minute, nowMs });
      strictEqual((await store.take(at(t0 + 1_000))).ok, true);
      deepStrictEqual(await store.take(at(t0)), { ok: false, retryAfterMs: minute + 1_000 });
      deepStrictEqual(await store.peek(at(t0)), { full: true, retryAfterMs: minute + 1_000 });
    },
  },
  {
    name: 'peeks without taking: ten peeks leave every slot free',
    async run(make) {
      const store = await make();
      const input = { key: 'peek', limit: 1, windowMs: minute, nowMs: t0 };
      for (let i = 0; i < 10; i++) deepStrictEqual(await store.peek(input), { full: false, retryAfterMs: 0 });
      strictEqual((await store.take(input)).ok, true);
    },
  },
  {
    name: 'peeks a full window with the same retryAfterMs a take would answer, and still takes nothing',
    async run(make) {
      const store = await make();
      const at = (nowMs: number) => ({ key: 'peek-full', limit: 2, windowMs: minute, nowMs });
      await store.take(at(t0));
      deepStrictEqual(await store.peek(at(t0 + 1)), { full: false, retryAfterMs: 0 });
      await store.take(at(t0 + 5_000));
      deepStrictEqual(await store.peek(at(t0 + 20_000)), { full: true, retryAfterMs: 40_000 });
      deepStrictEqual(await store.take(at(t0 + 20_000)), { ok: false, retryAfterMs: 40_000 });
      deepStrictEqual(await store.peek(at(t0 + minute)), { full: false, retryAfterMs: 0 });
      strictEqual((await store.take(at(t0 + minute))).ok, true);
    },
  },
  {
    name: 'gives back exactly the slot of the reservation, not another one',
    async run(make) {
      const store = await make();
      const at = (nowMs: number) => ({ key: 'give', limit: 2, windowMs: minute, nowMs });
      const first = reservationOf(await store.take(at(t0)));
      reservationOf(await store.take(at(t0 + 10_000)));
      await store.giveBack({ key: 'give', reservation: first });
      strictEqual((await store.take(at(t0 + 20_000))).ok, true, 'the slot given back is free again');
      // The slot of t0 + 10 s is still counted: it frees at t0 + 70 s.
      deepStrictEqual(await store.take(at(t0 + 20_001)), { ok: false, retryAfterMs: minute - 10_001 });
    },
  },
  {
    name: 'gives back idempotently: twice frees one slot, not two',
    async run(make) {
      const store = await make();
      const at = (nowMs: number) => ({ key: 'twice', limit: 2, windowMs: minute, nowMs });
      const first = reservationOf(await store.take(at(t0)));
      reservationOf(await store.take(at(t0)));
      await store.giveBack({ key: 'twice', reservation: first });
      await store.giveBack({ key: 'twice', reservation: first });
      await Promise.all([store.giveBack({ key: 'twice', reservation: first }), store.giveBack({ key: 'twice', reservation: first })]);
      strictEqual((await store.take(at(t0 + 1))).ok, true);
      strictEqual((await store.take(at(t0 + 2))).ok, false);
    },
  },
  {
    name: 'ignores an unknown reservation, a reservation of another key, and a key never used',
    async run(make) {
      const store = await make();
      const at = (key: string) => ({ key, limit: 1, windowMs: minute, nowMs: t0 });
      const ofA = reservationOf(await store.take(at('a')));
      reservationOf(await store.take(at('b')));
      await store.giveBack({ key: 'a', reservation: 'not-a-reservation' });
      await store.giveBack({ key: 'b', reservation: ofA });
      await store.giveBack({ key: 'never-used', reservation: ofA });
      strictEqual((await store.take(at('a'))).ok, false);
      strictEqual((await store.take(at('b'))).ok, false);
    },
  },
  {
    name: 'hands out a distinct reservation for every slot',
    async run(make) {
      const store = await make();
      const results = await Promise.all(Array.from({ length: 60 }, (_, i) => store.take({ key: `unique-${i % 3}`, limit: 20, windowMs: minute, nowMs: t0 })));
      strictEqual(new Set(results.map(reservationOf)).size, 60);
    },
  },
  {
    name: 'keeps distinct keys apart, whatever characters they hold',
    async run(make) {
      const store = await make();
      const keys = ['cast:a:b|x', 'cast:a|b:x', 'cast:a:b|x ', 'CAST:a:b|x', '{a}', '{a}:b', 'a{b}c', 'a}b{', 'é', 'e\u0301', '*', ''];
      for (const key of keys) strictEqual((await store.take({ key, limit: 1, windowMs: minute, nowMs: t0 })).ok, true, `first take of ${JSON.stringify(key)}`);
      for (const key of keys) strictEqual((await store.take({ key, limit: 1, windowMs: minute, nowMs: t0 })).ok, false, `second take of ${JSON.stringify(key)}`);
    },
  },
  {
    name: 'rejects numbers it cannot count with (TypeError): limit 0 or fractional, a window of 0, NaN or infinite time',
    async run(make) {
      const store = await make();
      const good: RateLimitInput = { key: 'bad-input', limit: 1, windowMs: minute, nowMs: t0 };
      const bad: RateLimitInput[] = [
        { ...good, limit: 0 },
        { ...good, limit: 1.5 },
        { ...good, windowMs: 0 },
        { ...good, windowMs: Number.NaN },
        { ...good, nowMs: Number.NaN },
        { ...good, nowMs: Number.POSITIVE_INFINITY },
      ];
      for (const input of bad) {
        await rejects(store.take(input), TypeError);
        await rejects(store.peek(input), TypeError);
      }
      strictEqual((await store.take(good)).ok, true);
    },
  },
  {
    name: 'matches the exact sliding-window model for seeded sequences of takes, peeks, give-backs and time steps',
    async run(make) {
      await forEachSeed(60, async (random, log) => {
        // Windows of seconds or more: a Redis key's TTL runs on real time, which must not overtake the test's time.
        const windowMs = random.pick([10_000, 60_000, 86_400_000]);
        const limit = random.int(1, 5);
        log.push(`limit ${limit}, window ${windowMs}`);
        const store = await make();
        const model = new WindowModel(limit, windowMs);
        const given: string[] = [];
        let nowMs = t0;
        const advance = (): number =>
          random.int(0, 1) === 0 ? random.pick([0, 1, windowMs - 1, windowMs]) : random.int(0, Math.floor(windowMs * 1.5));
        for (let step = random.int(0, 40); step > 0; step--) {
          const kind = random.pick(['take', 'peek', 'giveBack'] as const);
          if (kind === 'giveBack') {
            const reservation = given[random.int(0, given.length)] ?? 'unknown';
            log.push(`giveBack ${given.indexOf(reservation)}`);
            await store.giveBack({ key: 'model', reservation });
            model.giveBack(reservation);
            continue;
          }
          nowMs += kind === 'take' && random.int(0, 1) === 0 ? 0 : advance();
          log.push(`${kind} @${nowMs - t0}`);
          const input = { key: 'model', limit, windowMs, nowMs };
          const expected = model.expected(nowMs);
          if (kind === 'peek') {
            deepStrictEqual(await store.peek(input), expected.full ? expected : { full: false, retryAfterMs: 0 });
            continue;
          }
          const result = await store.take(input);
          if (expected.full) {
            deepStrictEqual(result, { ok: false, retryAfterMs: expected.retryAfterMs });
          } else {
            const reservation = reservationOf(result);
            model.slots.push({ at: nowMs, reservation });
            given.push(reservation);
          }
          // Served and kept within the window that ends now: never more than the limit.
          ok(model.slots.filter((slot) => slot.at > nowMs - windowMs && slot.at <= nowMs).length <= limit);
        }
      });
    },
  },
];

/**
 * The contract every {@link RateLimitStore} keeps (SPEC §2, §6, §12), as runner-neutral cases: an
 * exact sliding window per key, `(nowMs - windowMs, nowMs]`, that concurrency cannot oversell (a
 * store that reads, then writes without atomicity fails), a read-only `peek`, and give-backs that
 * free exactly their slot, once. Run them with {@link runContract}; each case makes fresh stores.
 *
 * @example
 * ```ts
 * import { it } from 'vitest';
 * import { createMemoryRateLimitStore } from 'castgate';
 * import { rateLimitStoreContract, runContract } from 'castgate/testing';
 * runContract(rateLimitStoreContract, () => createMemoryRateLimitStore(), it);
 * ```
 */
export const rateLimitStoreContract: readonly ContractCase<RateLimitStore>[] = Object.freeze(cases);
