import { deepStrictEqual, ok, rejects, strictEqual } from 'node:assert/strict';
import type { QuotaStore } from '../../contract/stores.js';
import type { ContractCase } from './contract.js';
import { forEachSeed } from './random.js';

type TakeResult = Awaited<ReturnType<QuotaStore['take']>>;

/** The reservation of a take that must have succeeded. */
function reservationOf(result: TakeResult): string {
  if (!result.ok) throw new Error('expected a unit, the quota was exhausted');
  ok(typeof result.reservation === 'string' && result.reservation !== '', 'a reservation is a non-empty string');
  return result.reservation;
}

/** Checks a successful take and its `remaining` count. */
function assertServed(result: TakeResult, remaining: number): void {
  ok(result.ok, `expected a unit with ${remaining} remaining, the quota was exhausted`);
  strictEqual(result.remaining, remaining);
}

type Case = ContractCase<QuotaStore>;

const cases: Case[] = [
  {
    name: 'knows nothing of a key before its first use: remaining is undefined',
    async run(make) {
      const store = await make();
      strictEqual(await store.remaining('fresh'), undefined);
    },
  },
  {
    name: 'starts the counter at `initial` on first use and ignores `initial` afterwards',
    async run(make) {
      const store = await make();
      const first = await store.take({ configKey: 'excel', initial: 3 });
      assertServed(first, 2);
      reservationOf(first);
      assertServed(await store.take({ configKey: 'excel', initial: 100 }), 1);
      strictEqual(await store.remaining('excel'), 1);
    },
  },
  {
    name: 'is exhausted from the start when `initial` is 0',
    async run(make) {
      const store = await make();
      deepStrictEqual(await store.take({ configKey: 'none-left', initial: 0 }), { ok: false });
      strictEqual(await store.remaining('none-left'), 0);
    },
  },
  {
    name: 'serves exactly 50 of 200 concurrent takes when the quota is 50, each with its own remaining count: a read-then-write store oversells here',
    async run(make) {
      const store = await make();
      const results = await Promise.all(Array.from({ length: 200 }, () => store.take({ configKey: 'launch', initial: 50 })));
      const served = results.filter((r) => r.ok);
      strictEqual(served.length, 50);
      deepStrictEqual(
        served.map((r) => r.remaining).sort((a, b) => a - b),
        Array.from({ length: 50 }, (_, i) => i),
      );
      strictEqual(new Set(served.map((r) => r.reservation)).size, 50);
      strictEqual(await store.remaining('launch'), 0);
    },
  },
  {
    name: 'gives back every unit of 30 concurrent give-backs: none is lost to a race',
    async run(make) {
      const store = await make();
      const reservations = (await Promise.all(Array.from({ length: 30 }, () => store.take({ configKey: 'mass-refund', initial: 30 })))).map(reservationOf);
      strictEqual(await store.remaining('mass-refund'), 0);
      await Promise.all(reservations.map((reservation) => store.giveBack({ configKey: 'mass-refund', reservation })));
      strictEqual(await store.remaining('mass-refund'), 30);
    },
  },
  {
    name: 'never oversells while give-backs and takes interleave concurrently',
    async run(make) {
      const store = await make();
      const reservations = (await Promise.all(Array.from({ length: 3 }, () => store.take({ configKey: 'churn', initial: 3 })))).map(reservationOf);
      const [, , ...results] = await Promise.all([
        store.giveBack({ configKey: 'churn', reservation: reservations[0] ?? '' }),
        store.giveBack({ configKey: 'churn', reservation: reservations[1] ?? '' }),
        ...Array.from({ length: 20 }, () => store.take({ configKey: 'churn', initial: 3 })),
      ]);
      const servedNow = results.filter((r) => r.ok).length;
      const remaining = await store.remaining('churn');
      ok(remaining !== undefined && remaining >= 0, `remaining ${String(remaining)}`);
      strictEqual(servedNow + remaining, 2, `served ${servedNow} with ${remaining} left of the 2 given back`);
    },
  },
  {
    name: 'never goes below zero, however many takes follow',
    async run(make) {
      const store = await make();
      await store.take({ configKey: 'floor', initial: 1 });
      for (let i = 0; i < 5; i++) deepStrictEqual(await store.take({ configKey: 'floor', initial: 1 }), { ok: false });
      strictEqual(await store.remaining('floor'), 0);
    },
  },
  {
    name: 'gives a unit back once per reservation: twice is once, and never above where it started',
    async run(make) {
      const store = await make();
      const reservation = reservationOf(await store.take({ configKey: 'refund', initial: 2 }));
      strictEqual(await store.remaining('refund'), 1);
      await store.giveBack({ configKey: 'refund', reservation });
      strictEqual(await store.remaining('refund'), 2, 'the unit given back is counted again');
      await store.giveBack({ configKey: 'refund', reservation });
      await Promise.all(Array.from({ length: 10 }, () => store.giveBack({ configKey: 'refund', reservation })));
      strictEqual(await store.remaining('refund'), 2);
    },
  },
  {
    name: 'lets a given-back unit be served again',
    async run(make) {
      const store = await make();
      const reservation = reservationOf(await store.take({ configKey: 'again', initial: 1 }));
      deepStrictEqual(await store.take({ configKey: 'again', initial: 1 }), { ok: false });
      await store.giveBack({ configKey: 'again', reservation });
      assertServed(await store.take({ configKey: 'again', initial: 1 }), 0);
    },
  },
  {
    name: 'ignores an unknown reservation, a reservation of another key, and a key never used',
    async run(make) {
      const store = await make();
      const ofA = reservationOf(await store.take({ configKey: 'a', initial: 5 }));
      reservationOf(await store.take({ configKey: 'b', initial: 5 }));
      await store.giveBack({ configKey: 'a', reservation: 'not-a-reservation' });
      await store.giveBack({ configKey: 'b', reservation: ofA });
      await store.giveBack({ configKey: 'never-used', reservation: ofA });
      strictEqual(await store.remaining('a'), 4);
      strictEqual(await store.remaining('b'), 4);
      strictEqual(await store.remaining('never-used'), undefined);
    },
  },
  {
    name: 'keeps config keys apart, whatever characters they hold',
    async run(make) {
      const store = await make();
      const keys = ['a:b', 'a', 'b:x', '{a}', '{a}:b', 'a}b{', 'A', 'é', ''];
      for (const configKey of keys) assertServed(await store.take({ configKey, initial: 1 }), 0);
      for (const configKey of keys) strictEqual(await store.remaining(configKey), 0, `remaining of ${JSON.stringify(configKey)}`);
    },
  },
  {
    name: 'sets the remaining count for admins, on a used key and on a fresh one',
    async run(make) {
      const store = await make();
      await store.take({ configKey: 'used', initial: 1 });
      await store.setRemaining('used', 10);
      strictEqual(await store.remaining('used'), 10);
      assertServed(await store.take({ configKey: 'used', initial: 1 }), 9);
      await store.setRemaining('preset', 2);
      assertServed(await store.take({ configKey: 'preset', initial: 100 }), 1);
      await store.setRemaining('preset', 0);
      deepStrictEqual(await store.take({ configKey: 'preset', initial: 100 }), { ok: false });
    },
  },
  {
    name: 'still gives back a unit reserved before setRemaining (the admin set what is left; that session did not use it)',
    async run(make) {
      const store = await make();
      const reservation = reservationOf(await store.take({ configKey: 'topped-up', initial: 5 }));
      await store.setRemaining('topped-up', 3);
      await store.giveBack({ configKey: 'topped-up', reservation });
      await store.giveBack({ configKey: 'topped-up', reservation });
      strictEqual(await store.remaining('topped-up'), 4);
    },
  },
  {
    name: 'rejects a count that is negative, fractional, not finite or past the safe integers (TypeError)',
    async run(make) {
      const store = await make();
      for (const n of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 1]) {
        await rejects(store.setRemaining('bad', n), TypeError);
        await rejects(store.take({ configKey: 'bad', initial: n }), TypeError);
      }
      strictEqual(await store.remaining('bad'), undefined);
    },
  },
  {
    name: 'matches a plain counter model for seeded sequences of takes, give-backs and admin settings',
    async run(make) {
      await forEachSeed(60, async (random, log) => {
        const initial = random.int(0, 5);
        log.push(`initial ${initial}`);
        const store = await make();
        let remaining: number | undefined;
        const outstanding = new Set<string>();
        const taken: string[] = [];
        for (let step = random.int(0, 40); step > 0; step--) {
          const roll = random.int(1, 7);
          if (roll <= 4) {
            log.push('take');
            remaining ??= initial;
            const result = await store.take({ configKey: 'model', initial });
            if (remaining > 0) {
              remaining--;
              assertServed(result, remaining);
              const reservation = reservationOf(result);
              outstanding.add(reservation);
              taken.push(reservation);
            } else {
              deepStrictEqual(result, { ok: false });
            }
          } else if (roll <= 6) {
            const reservation = taken[random.int(0, taken.length)] ?? 'unknown';
            log.push(`giveBack ${taken.indexOf(reservation)}`);
            await store.giveBack({ configKey: 'model', reservation });
            if (outstanding.delete(reservation) && remaining !== undefined) remaining++;
          } else {
            const n = random.int(0, 4);
            log.push(`setRemaining ${n}`);
            await store.setRemaining('model', n);
            remaining = n;
          }
          strictEqual(await store.remaining('model'), remaining);
        }
      });
    },
  },
];

/**
 * The contract every {@link QuotaStore} keeps (SPEC §2, §6, §12), as runner-neutral cases: a
 * counter per config key, started at `initial` on first use, taken atomically while above zero
 * (a store that reads, then writes without atomicity oversells and fails), never negative, and
 * give-backs that return their unit once (a store whose `giveBack` gives nothing back fails).
 *
 * @example
 * ```ts
 * import { test } from 'node:test';
 * import { createMemoryQuotaStore } from 'castgate';
 * import { quotaStoreContract, runContract } from 'castgate/testing';
 * runContract(quotaStoreContract, () => createMemoryQuotaStore(), test);
 * ```
 */
export const quotaStoreContract: readonly ContractCase<QuotaStore>[] = Object.freeze(cases);
