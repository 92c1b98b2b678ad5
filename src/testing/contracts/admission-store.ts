import { deepStrictEqual, ok, strictEqual } from 'node:assert/strict';
import type { AdmissionInput, AdmissionResult, AdmissionStore, QuotaStore, RateLimitStore } from '../../contract/stores.js';
import type { ContractCase } from './contract.js';

const t0 = 1_700_000_000_000;
const minute = 60_000;

/**
 * What {@link admissionStoreContract} runs on: a stores object whose `admission` shares its state
 * with its `rateLimit` and `quota` (as `createRedisStores` returns it), so the cases can see what a
 * combined take took.
 *
 * @example
 * ```ts
 * import type { AdmissionStores } from 'castgate/testing';
 * declare const stores: AdmissionStores;
 * const remaining = await stores.quota.remaining('excel');
 * ```
 */
export interface AdmissionStores {
  readonly admission: AdmissionStore;
  readonly rateLimit: RateLimitStore;
  readonly quota: QuotaStore;
}

function input(limit: number, initial: number, nowMs = t0, key = 'cast:adm:v4:192.0.2.1', configKey = 'adm'): AdmissionInput {
  return { rateLimit: { key, limit, windowMs: minute, nowMs }, quota: { configKey, initial } };
}

type Taken = Extract<AdmissionResult, { ok: true }>;

function takenOf(result: AdmissionResult): Taken {
  if (!result.ok) throw new Error(`expected both taken, got ${result.code}`);
  ok(typeof result.rateLimit.reservation === 'string' && result.rateLimit.reservation !== '', 'a rate-limit reservation');
  ok(typeof result.quota.reservation === 'string' && result.quota.reservation !== '', 'a quota reservation');
  return result;
}

type Case = ContractCase<AdmissionStores>;

const cases: Case[] = [
  {
    name: 'takes the slot and the unit together, seen by the rate-limit and quota stores',
    async run(make) {
      const stores = await make();
      const taken = takenOf(await stores.admission.take(input(1, 3)));
      strictEqual(taken.quota.remaining, 2);
      strictEqual(await stores.quota.remaining('adm'), 2);
      deepStrictEqual(await stores.rateLimit.peek(input(1, 3).rateLimit), { full: true, retryAfterMs: minute });
    },
  },
  {
    name: 'answers rate_limited with retryAfterMs when the window is full, and takes no unit',
    async run(make) {
      const stores = await make();
      takenOf(await stores.admission.take(input(1, 5)));
      deepStrictEqual(await stores.admission.take(input(1, 5, t0 + 20_000)), { ok: false, code: 'rate_limited', retryAfterMs: 40_000 });
      strictEqual(await stores.quota.remaining('adm'), 4);
    },
  },
  {
    name: 'answers quota_exhausted when no unit is left, and takes no slot',
    async run(make) {
      const stores = await make();
      deepStrictEqual(await stores.admission.take(input(1, 0)), { ok: false, code: 'quota_exhausted' });
      deepStrictEqual(await stores.rateLimit.peek(input(1, 0).rateLimit), { full: false, retryAfterMs: 0 });
    },
  },
  {
    name: 'answers rate_limited when both are exhausted (the guard order)',
    async run(make) {
      const stores = await make();
      takenOf(await stores.admission.take(input(1, 1)));
      deepStrictEqual(await stores.admission.take(input(1, 1, t0 + 1)), { ok: false, code: 'rate_limited', retryAfterMs: minute - 1 });
    },
  },
  {
    name: 'gives both back together, once: twice is once',
    async run(make) {
      const stores = await make();
      const taken = takenOf(await stores.admission.take(input(1, 2)));
      const back = {
        rateLimit: { key: input(1, 2).rateLimit.key, reservation: taken.rateLimit.reservation },
        quota: { configKey: 'adm', reservation: taken.quota.reservation },
      };
      await stores.admission.giveBack(back);
      await stores.admission.giveBack(back);
      await Promise.all([stores.admission.giveBack(back), stores.admission.giveBack(back)]);
      strictEqual(await stores.quota.remaining('adm'), 2);
      deepStrictEqual(await stores.rateLimit.peek(input(1, 2).rateLimit), { full: false, retryAfterMs: 0 });
    },
  },
  {
    name: 'serves exactly 7 of 50 concurrent takes when the quota (7) binds, and keeps no extra slot',
    async run(make) {
      const stores = await make();
      const results = await Promise.all(Array.from({ length: 50 }, () => stores.admission.take(input(100, 7))));
      strictEqual(results.filter((r) => r.ok).length, 7);
      for (const refused of results.filter((r) => !r.ok)) deepStrictEqual(refused, { ok: false, code: 'quota_exhausted' });
      strictEqual(await stores.quota.remaining('adm'), 0);
      const slotsLeft = await Promise.all(Array.from({ length: 100 }, () => stores.rateLimit.take(input(100, 7).rateLimit)));
      strictEqual(slotsLeft.filter((r) => r.ok).length, 93);
    },
  },
  {
    name: 'serves exactly 5 of 50 concurrent takes when the rate limit (5) binds, and keeps no extra unit',
    async run(make) {
      const stores = await make();
      const results = await Promise.all(Array.from({ length: 50 }, () => stores.admission.take(input(5, 100))));
      strictEqual(results.filter((r) => r.ok).length, 5);
      for (const refused of results.filter((r) => !r.ok)) deepStrictEqual(refused, { ok: false, code: 'rate_limited', retryAfterMs: minute });
      strictEqual(await stores.quota.remaining('adm'), 95);
    },
  },
];

/**
 * The contract of the optional {@link AdmissionStore} ability (SPEC §13), as runner-neutral cases:
 * one combined take takes a rate-limit slot and a quota unit together or neither (`rate_limited`
 * first when both are exhausted), exactly under concurrency, and gives both back once. Its factory
 * makes {@link AdmissionStores}.
 *
 * @example
 * ```ts
 * import { it } from 'vitest';
 * import { admissionStoreContract, runContract, type AdmissionStores } from 'castgate/testing';
 * declare function createMyStores(): AdmissionStores;
 * runContract(admissionStoreContract, () => createMyStores(), it);
 * ```
 */
export const admissionStoreContract: readonly ContractCase<AdmissionStores>[] = Object.freeze(cases);
