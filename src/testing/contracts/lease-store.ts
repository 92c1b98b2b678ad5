import { deepStrictEqual, ok, rejects, strictEqual } from 'node:assert/strict';
import type { LeaseRef, LeaseStore } from '../../contract/stores.js';
import type { ContractCase } from './contract.js';
import { forEachSeed } from './random.js';

const t0 = 1_700_000_000_000;
const ttl = 60_000;

type Case = ContractCase<LeaseStore>;

type AcquireInput = Parameters<LeaseStore['acquire']>[0];
type RenewInput = Parameters<LeaseStore['renew']>[0];
type ReleaseInput = Parameters<LeaseStore['release']>[0];
type BindInput = Parameters<LeaseStore['bind']>[0];

/** A plain model of one store: per key, lease id → the instant it expires; per session, its last binding. */
class LeaseModel {
  readonly keys = new Map<string, Map<string, number>>();
  readonly bindings = new Map<string, { leases: LeaseRef[]; ttlMs: number; expiresAtMs: number }>();

  live(key: string, nowMs: number): Map<string, number> {
    const holders = this.keys.get(key) ?? new Map<string, number>();
    for (const [leaseId, expiresAt] of holders) if (expiresAt <= nowMs) holders.delete(leaseId);
    this.keys.set(key, holders);
    return holders;
  }

  acquire({ key, limit, leaseId, ttlMs, nowMs }: AcquireInput): { ok: true } | { ok: false; retryAfterMs: number } {
    const holders = this.live(key, nowMs);
    if (!holders.has(leaseId) && holders.size >= limit) return { ok: false, retryAfterMs: Math.min(...holders.values()) - nowMs };
    holders.set(leaseId, nowMs + ttlMs);
    return { ok: true };
  }

  renew({ key, leaseId, ttlMs, nowMs }: RenewInput): boolean {
    const holders = this.live(key, nowMs);
    if (!holders.has(leaseId)) return false;
    holders.set(leaseId, nowMs + ttlMs);
    return true;
  }

  release({ key, leaseId, nowMs }: ReleaseInput): boolean {
    return this.live(key, nowMs ?? Number.NEGATIVE_INFINITY).delete(leaseId);
  }
}

/** The leases of a binding as plain `{ key, leaseId }`, in a stable order. */
const refsOf = (leases: readonly LeaseRef[]): LeaseRef[] => leases.map(({ key, leaseId }) => ({ key, leaseId })).sort(byKeyAndId);

const byKeyAndId = (a: { key: string; leaseId: string }, b: { key: string; leaseId: string }): number =>
  a.key === b.key ? a.leaseId.localeCompare(b.leaseId) : a.key.localeCompare(b.key);

const cases: Case[] = [
  {
    name: 'acquires up to `limit` leases under a key, then refuses with the time until the soonest one expires',
    async run(make) {
      const leases = await make();
      const acquire = (leaseId: string, nowMs: number) => leases.acquire({ key: 'live:a', limit: 2, leaseId, ttlMs: ttl, nowMs });
      deepStrictEqual(await acquire('l-1', t0), { ok: true });
      deepStrictEqual(await acquire('l-2', t0 + 1_000), { ok: true });
      deepStrictEqual(await acquire('l-3', t0 + 5_000), { ok: false, retryAfterMs: ttl - 5_000 });
    },
  },
  {
    name: 'grants exactly 3 of 30 concurrent acquires (limit 3): a read-then-write store over-grants here',
    async run(make) {
      const leases = await make();
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) => leases.acquire({ key: 'live:burst', limit: 3, leaseId: `l-${i}`, ttlMs: ttl, nowMs: t0 })),
      );
      strictEqual(results.filter((r) => r.ok).length, 3);
      for (const refused of results.filter((r) => !r.ok)) deepStrictEqual(refused, { ok: false, retryAfterMs: ttl });
    },
  },
  {
    name: 'expires a lease when nowMs >= last renewal + ttlMs: one millisecond before it still counts',
    async run(make) {
      const leases = await make();
      const acquire = (leaseId: string, nowMs: number) => leases.acquire({ key: 'live:edge', limit: 1, leaseId, ttlMs: ttl, nowMs });
      deepStrictEqual(await acquire('l-1', t0), { ok: true });
      deepStrictEqual(await acquire('l-2', t0 + ttl - 1), { ok: false, retryAfterMs: 1 });
      deepStrictEqual(await acquire('l-2', t0 + ttl), { ok: true });
    },
  },
  {
    name: 'renews a live lease from the renewal instant, with the ttl given to renew',
    async run(make) {
      const leases = await make();
      const acquire = (leaseId: string, nowMs: number) => leases.acquire({ key: 'live:renew', limit: 1, leaseId, ttlMs: ttl, nowMs });
      deepStrictEqual(await acquire('l-1', t0), { ok: true });
      strictEqual(await leases.renew({ key: 'live:renew', leaseId: 'l-1', ttlMs: ttl, nowMs: t0 + 50_000 }), true);
      deepStrictEqual(await acquire('l-2', t0 + ttl), { ok: false, retryAfterMs: 50_000 });
      strictEqual(await leases.renew({ key: 'live:renew', leaseId: 'l-1', ttlMs: 10_000, nowMs: t0 + 100_000 }), true);
      deepStrictEqual(await acquire('l-2', t0 + 109_999), { ok: false, retryAfterMs: 1 });
      deepStrictEqual(await acquire('l-2', t0 + 110_000), { ok: true });
    },
  },
  {
    name: 'never revives an expired lease: renew answers false and the slot stays free',
    async run(make) {
      const leases = await make();
      deepStrictEqual(await leases.acquire({ key: 'live:dead', limit: 1, leaseId: 'l-1', ttlMs: ttl, nowMs: t0 }), { ok: true });
      strictEqual(await leases.renew({ key: 'live:dead', leaseId: 'l-1', ttlMs: ttl, nowMs: t0 + ttl }), false);
      deepStrictEqual(await leases.acquire({ key: 'live:dead', limit: 1, leaseId: 'l-2', ttlMs: ttl, nowMs: t0 + ttl }), { ok: true });
      strictEqual(await leases.renew({ key: 'live:dead', leaseId: 'l-1', ttlMs: ttl, nowMs: t0 + ttl + 1 }), false);
    },
  },
  {
    name: 'answers false when renewing a lease it never granted, or one under another key',
    async run(make) {
      const leases = await make();
      deepStrictEqual(await leases.acquire({ key: 'live:x', limit: 1, leaseId: 'l-1', ttlMs: ttl, nowMs: t0 }), { ok: true });
      strictEqual(await leases.renew({ key: 'live:x', leaseId: 'unknown', ttlMs: ttl, nowMs: t0 + 1 }), false);
      strictEqual(await leases.renew({ key: 'live:y', leaseId: 'l-1', ttlMs: ttl, nowMs: t0 + 1 }), false);
    },
  },
  {
    name: 'releases a live lease once: the slot frees, a second release, an unknown lease and another key answer false',
    async run(make) {
      const leases = await make();
      const acquire = (leaseId: string) => leases.acquire({ key: 'live:release', limit: 1, leaseId, ttlMs: ttl, nowMs: t0 });
      deepStrictEqual(await acquire('l-1'), { ok: true });
      strictEqual(await leases.release({ key: 'live:other', leaseId: 'l-1', nowMs: t0 }), false);
      strictEqual(await leases.release({ key: 'live:release', leaseId: 'unknown', nowMs: t0 }), false);
      deepStrictEqual(await acquire('l-2'), { ok: false, retryAfterMs: ttl }, 'the lease is still held');
      strictEqual(await leases.release({ key: 'live:release', leaseId: 'l-1', nowMs: t0 }), true);
      strictEqual(await leases.release({ key: 'live:release', leaseId: 'l-1', nowMs: t0 }), false);
      deepStrictEqual(await acquire('l-2'), { ok: true });
    },
  },
  {
    name: 'answers false when releasing a lease that expired by the instant given, and true without an instant for one still held',
    async run(make) {
      const leases = await make();
      deepStrictEqual(await leases.acquire({ key: 'live:late', limit: 2, leaseId: 'l-1', ttlMs: ttl, nowMs: t0 }), { ok: true });
      strictEqual(await leases.release({ key: 'live:late', leaseId: 'l-1', nowMs: t0 + ttl }), false);
      deepStrictEqual(await leases.acquire({ key: 'live:late', limit: 2, leaseId: 'l-2', ttlMs: ttl, nowMs: t0 }), { ok: true });
      strictEqual(await leases.release({ key: 'live:late', leaseId: 'l-2' }), true);
      strictEqual(await leases.release({ key: 'live:late', leaseId: 'l-2' }), false);
    },
  },
  {
    name: 'renews a lease id that is acquired again while live, taking no second slot',
    async run(make) {
      const leases = await make();
      const acquire = (leaseId: string, nowMs: number) => leases.acquire({ key: 'live:again', limit: 2, leaseId, ttlMs: ttl, nowMs });
      deepStrictEqual(await acquire('l-1', t0), { ok: true });
      deepStrictEqual(await acquire('l-1', t0 + 30_000), { ok: true });
      deepStrictEqual(await acquire('l-2', t0 + 40_000), { ok: true });
      // l-1 now lives until t0 + 90 s (renewed at 30 s), l-2 until t0 + 100 s.
      deepStrictEqual(await acquire('l-3', t0 + 60_000), { ok: false, retryAfterMs: 30_000 });
    },
  },
  {
    name: 'frees every lease released concurrently: 10 releases at once leave 10 free slots',
    async run(make) {
      const leases = await make();
      const acquire = (leaseId: string) => leases.acquire({ key: 'live:mass', limit: 10, leaseId, ttlMs: ttl, nowMs: t0 });
      for (let i = 0; i < 10; i++) deepStrictEqual(await acquire(`l-${i}`), { ok: true });
      const released = await Promise.all(Array.from({ length: 10 }, (_, i) => leases.release({ key: 'live:mass', leaseId: `l-${i}`, nowMs: t0 })));
      deepStrictEqual(released, Array.from({ length: 10 }, () => true));
      const again = await Promise.all(Array.from({ length: 12 }, (_, i) => acquire(`m-${i}`)));
      strictEqual(again.filter((r) => r.ok).length, 10);
    },
  },
  {
    name: 'keeps keys apart, whatever characters they hold',
    async run(make) {
      const leases = await make();
      const keys = ['live:a|b', 'live:a:b', '{a}', '{a}:b', 'A', 'é', ' '];
      for (const key of keys) deepStrictEqual(await leases.acquire({ key, limit: 1, leaseId: 'l', ttlMs: ttl, nowMs: t0 }), { ok: true }, `first acquire of ${JSON.stringify(key)}`);
      for (const key of keys) strictEqual((await leases.acquire({ key, limit: 1, leaseId: 'm', ttlMs: ttl, nowMs: t0 })).ok, false, `second acquire of ${JSON.stringify(key)}`);
    },
  },
  {
    name: 'answers the leases bound to a session with the ttl they were bound with, and null for another session or config',
    async run(make) {
      const leases = await make();
      strictEqual(await leases.boundTo({ configKey: 'cfg', sessionId: 's-1' }), null);
      const held = [
        { key: 'live:cfg', leaseId: 'l-1' },
        { key: 'live:cfg:v4:192.0.2.1', leaseId: 'l-1' },
      ];
      for (const lease of held) deepStrictEqual(await leases.acquire({ ...lease, limit: 5, ttlMs: ttl, nowMs: t0 }), { ok: true });
      await leases.bind({ configKey: 'cfg', sessionId: 's-1', leases: held, ttlMs: ttl, nowMs: t0 });
      const binding = await leases.boundTo({ configKey: 'cfg', sessionId: 's-1' });
      ok(binding !== null, 'the binding is found');
      strictEqual(binding.ttlMs, ttl);
      deepStrictEqual(binding.leases.map((l) => ({ key: l.key, leaseId: l.leaseId })).sort(byKeyAndId), [...held].sort(byKeyAndId));
      strictEqual(await leases.boundTo({ configKey: 'cfg', sessionId: 's-2' }), null);
      strictEqual(await leases.boundTo({ configKey: 'other', sessionId: 's-1' }), null);
    },
  },
  {
    name: 'keeps bindings apart when config keys and session ids share characters',
    async run(make) {
      const leases = await make();
      await leases.bind({ configKey: 'a:b', sessionId: 'c', leases: [{ key: 'k1', leaseId: 'l1' }], ttlMs: ttl, nowMs: t0 });
      await leases.bind({ configKey: 'a', sessionId: 'b:c', leases: [{ key: 'k2', leaseId: 'l2' }], ttlMs: 2 * ttl, nowMs: t0 });
      const first = await leases.boundTo({ configKey: 'a:b', sessionId: 'c' });
      const second = await leases.boundTo({ configKey: 'a', sessionId: 'b:c' });
      deepStrictEqual(first?.leases.map((l) => ({ key: l.key, leaseId: l.leaseId })), [{ key: 'k1', leaseId: 'l1' }]);
      deepStrictEqual(second?.leases.map((l) => ({ key: l.key, leaseId: l.leaseId })), [{ key: 'k2', leaseId: 'l2' }]);
      strictEqual(second.ttlMs, 2 * ttl);
    },
  },
  {
    name: 'counts one release of a lease released 10 times at once: exactly one answers true, one slot frees',
    async run(make) {
      const leases = await make();
      const acquire = (leaseId: string) => leases.acquire({ key: 'live:twice', limit: 2, leaseId, ttlMs: ttl, nowMs: t0 });
      deepStrictEqual(await acquire('kept'), { ok: true });
      deepStrictEqual(await acquire('released'), { ok: true });
      const answers = await Promise.all(Array.from({ length: 10 }, () => leases.release({ key: 'live:twice', leaseId: 'released', nowMs: t0 + 1 })));
      strictEqual(answers.filter((answer) => answer).length, 1, 'one release finds the lease');
      const again = await Promise.all(Array.from({ length: 5 }, (_, i) => acquire(`new-${i}`)));
      strictEqual(again.filter((r) => r.ok).length, 1, 'the kept lease still counts: one slot, not two or more, came free');
    },
  },
  {
    name: 'rejects input it cannot use (TypeError), taking nothing: a limit of 0 or 1.5, an empty key or lease id, a ttl of 0, NaN or infinite time',
    async run(make) {
      const leases = await make();
      const good = { key: 'live:bad-input', limit: 1, leaseId: 'l-1', ttlMs: ttl, nowMs: t0 };
      const badAcquires: AcquireInput[] = [
        { ...good, limit: 0 },
        { ...good, limit: 1.5 },
        { ...good, limit: Number.NaN },
        { ...good, key: '' },
        { ...good, leaseId: '' },
        { ...good, ttlMs: 0 },
        { ...good, ttlMs: -1 },
        { ...good, ttlMs: Number.NaN },
        { ...good, ttlMs: Number.POSITIVE_INFINITY },
        { ...good, nowMs: Number.NaN },
        { ...good, nowMs: Number.POSITIVE_INFINITY },
      ];
      for (const input of badAcquires) await rejects(leases.acquire(input), TypeError, `acquire ${JSON.stringify(input)}`);
      deepStrictEqual(await leases.acquire(good), { ok: true }, 'no refused acquire took the one slot');
      const renewal: RenewInput = { key: good.key, leaseId: good.leaseId, ttlMs: good.ttlMs, nowMs: good.nowMs };
      for (const input of [{ ...renewal, key: '' }, { ...renewal, leaseId: '' }, { ...renewal, ttlMs: 0 }, { ...renewal, nowMs: Number.NaN }]) {
        await rejects(leases.renew(input), TypeError, `renew ${JSON.stringify(input)}`);
      }
      for (const input of [{ key: '', leaseId: 'l-1', nowMs: t0 }, { key: good.key, leaseId: '', nowMs: t0 }, { key: good.key, leaseId: 'l-1', nowMs: Number.NaN }]) {
        await rejects(leases.release(input), TypeError, `release ${JSON.stringify(input)}`);
      }
      deepStrictEqual(await leases.acquire({ ...good, leaseId: 'l-2' }), { ok: false, retryAfterMs: ttl }, 'no refused release freed the lease');
      const binding: BindInput = { configKey: 'cfg', sessionId: 's-1', leases: [{ key: good.key, leaseId: 'l-1' }], ttlMs: ttl, nowMs: t0 };
      const badBindings: BindInput[] = [
        { ...binding, configKey: '' },
        { ...binding, sessionId: '' },
        { ...binding, ttlMs: 0 },
        { ...binding, nowMs: Number.NaN },
        { ...binding, leases: [{ key: '', leaseId: 'l-1' }] },
        { ...binding, leases: 'l-1' as unknown as LeaseRef[] },
      ];
      for (const input of badBindings) await rejects(leases.bind(input), TypeError, `bind ${JSON.stringify(input)}`);
      strictEqual(await leases.boundTo({ configKey: 'cfg', sessionId: 's-1' }), null, 'no refused bind was recorded');
      await rejects(leases.boundTo({ configKey: '', sessionId: 's-1' }), TypeError, 'boundTo with an empty configKey');
      await rejects(leases.boundTo({ configKey: 'cfg', sessionId: '' }), TypeError, 'boundTo with an empty sessionId');
    },
  },
  {
    name: 'matches a plain lease model for seeded sequences of acquires, renewals, releases, bindings and time steps',
    async run(make) {
      await forEachSeed(40, async (random, log) => {
        const store = await make();
        const model = new LeaseModel();
        // Times to live of seconds or more: a Redis key's TTL runs on real time, which must not overtake the test's time.
        const ttls = [10_000, 60_000, 120_000];
        const keys = ['live:m', 'live:m:v4:192.0.2.1'];
        const limits = new Map(keys.map((key) => [key, random.int(1, 3)]));
        const ids = ['a', 'b', 'c', 'd', 'e'];
        const sessions = ['s-1', 's-2'];
        let nowMs = t0;
        for (let step = random.int(5, 40); step > 0; step--) {
          nowMs += random.pick([0, 0, 1, 999, 10_000, 59_999, 60_000, 121_000]);
          const key = random.pick(keys);
          const leaseId = random.pick(ids);
          const ttlMs = random.pick(ttls);
          const kind = random.pick(['acquire', 'acquire', 'renew', 'release', 'bind', 'boundTo'] as const);
          log.push(`${kind} ${key} ${leaseId} ttl ${ttlMs} @${nowMs - t0}`);
          switch (kind) {
            case 'acquire': {
              const input = { key, limit: limits.get(key) ?? 1, leaseId, ttlMs, nowMs };
              deepStrictEqual(await store.acquire(input), model.acquire(input));
              break;
            }
            case 'renew': {
              const input = { key, leaseId, ttlMs, nowMs };
              strictEqual(await store.renew(input), model.renew(input));
              break;
            }
            case 'release': {
              const input = { key, leaseId, nowMs };
              strictEqual(await store.release(input), model.release(input));
              break;
            }
            case 'bind': {
              const sessionId = random.pick(sessions);
              const bound = ids.filter(() => random.int(0, 1) === 1).map((id) => ({ key, leaseId: id }));
              await store.bind({ configKey: 'cfg', sessionId, leases: bound, ttlMs, nowMs });
              model.bindings.set(sessionId, { leases: bound, ttlMs, expiresAtMs: nowMs + ttlMs });
              break;
            }
            case 'boundTo': {
              const sessionId = random.pick(sessions);
              const expected = model.bindings.get(sessionId);
              const answer = await store.boundTo({ configKey: 'cfg', sessionId });
              // A binding is kept at least until its nowMs + ttlMs; after that a store may still answer it.
              if (expected === undefined) strictEqual(answer, null);
              else if (nowMs < expected.expiresAtMs) deepStrictEqual(answer === null ? null : { leases: refsOf(answer.leases), ttlMs: answer.ttlMs }, { leases: refsOf(expected.leases), ttlMs: expected.ttlMs });
              break;
            }
          }
        }
      });
    },
  },
];

/**
 * The contract every {@link LeaseStore} keeps (SPEC §16), as runner-neutral cases: at most `limit`
 * live leases per key even under concurrency, a refusal answering the time until the soonest lease
 * expires, expiry at `nowMs >= last renewal + ttlMs` (acquiring is the first renewal; acquiring a
 * live lease id again renews it), `renew` and `release` answering whether a live lease was found
 * (an expired lease is never revived), and `bind`/`boundTo` finding a session's leases and their
 * ttl by `{ configKey, sessionId }` (`null` when none is known).
 *
 * @example
 * ```ts
 * import { it } from 'vitest';
 * import type { LeaseStore } from 'castgate';
 * import { leaseStoreContract, runContract } from 'castgate/testing';
 * declare function createMyLeaseStore(): LeaseStore;
 * runContract(leaseStoreContract, () => createMyLeaseStore(), it);
 * ```
 */
export const leaseStoreContract: readonly ContractCase<LeaseStore>[] = Object.freeze(cases);
