import { Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStores, isRedisStoreError, type RedisScriptClient, type RedisStores } from '../../../src/stores/redis/index.js';
import { createKeyNames } from '../../../src/stores/redis/keys.js';
import {
  admissionGiveBackLeanScript,
  admissionGiveBackScript,
  admissionTakeLeanScript,
  admissionTakeScript,
  quotaCommitScript,
  quotaGiveBackScript,
  quotaRemainingScript,
  quotaSetRemainingScript,
  quotaTakeScript,
  rateLimitGiveBackScript,
  rateLimitPeekScript,
  rateLimitTakeScript,
} from '../../../src/stores/redis/scripts.js';
import { quotaStoreContract, rateLimitStoreContract, runContract } from '../../../src/testing/index.js';
import { redisAvailability, redisSkipNote, startRedisServer, type RedisServer } from './redis-server.js';

type NodeRedisClient = ReturnType<typeof createClient>;

const t0 = 1_700_000_000_000;
const minute = 60_000;

/** The hash tag Redis Cluster hashes a key by (the whole key when there is none). */
function hashTagOf(key: string): string {
  const open = key.indexOf('{');
  if (open === -1) return key;
  const close = key.indexOf('}', open + 1);
  if (close === -1 || close === open + 1) return key;
  return key.slice(open + 1, close);
}

describe.skipIf(!redisAvailability.available)(`Redis stores on a real redis-server${redisSkipNote}`, () => {
  let server: RedisServer;
  const ioredisClients: Redis[] = [];
  const nodeRedisClients: NodeRedisClient[] = [];
  let admin: Redis;
  let ioredis: Redis;
  let nodeRedis: NodeRedisClient;
  let prefixes = 0;
  const freshPrefix = () => `test${++prefixes}:`;

  async function connectIoredis(options: { failFast: boolean }): Promise<Redis> {
    const client = new Redis({
      port: server.port,
      host: '127.0.0.1',
      lazyConnect: true,
      retryStrategy: () => 50,
      ...(options.failFast ? { enableOfflineQueue: false, maxRetriesPerRequest: 1 } : {}),
    });
    client.on('error', () => undefined);
    ioredisClients.push(client);
    await client.connect();
    return client;
  }

  async function connectNodeRedis(options: { failFast: boolean }): Promise<NodeRedisClient> {
    const client = createClient({
      socket: { port: server.port, host: '127.0.0.1', reconnectStrategy: () => 50 },
      disableOfflineQueue: options.failFast,
    });
    client.on('error', () => undefined);
    nodeRedisClients.push(client);
    await client.connect();
    return client;
  }

  beforeAll(async () => {
    server = await startRedisServer();
    admin = await connectIoredis({ failFast: false });
    ioredis = await connectIoredis({ failFast: true });
    nodeRedis = await connectNodeRedis({ failFast: true });
  });

  afterAll(async () => {
    for (const client of ioredisClients) client.disconnect();
    for (const client of nodeRedisClients) client.destroy();
    await server.close();
  });

  describe('RateLimitStore contract: Redis (ioredis)', () => {
    runContract(rateLimitStoreContract, () => createRedisStores(ioredis, { prefix: freshPrefix() }).rateLimit, it);
  });
  describe('RateLimitStore contract: Redis (node-redis)', () => {
    runContract(rateLimitStoreContract, () => createRedisStores(nodeRedis, { prefix: freshPrefix() }).rateLimit, it);
  });
  describe('QuotaStore contract: Redis (ioredis)', () => {
    runContract(quotaStoreContract, () => createRedisStores(ioredis, { prefix: freshPrefix() }).quota, it);
  });
  describe('QuotaStore contract: Redis (node-redis)', () => {
    runContract(quotaStoreContract, () => createRedisStores(nodeRedis, { prefix: freshPrefix() }).quota, it);
  });

  describe('scripts', () => {
    const scripts = [
      rateLimitTakeScript,
      rateLimitPeekScript,
      rateLimitGiveBackScript,
      quotaTakeScript,
      quotaGiveBackScript,
      quotaRemainingScript,
      quotaSetRemainingScript,
      quotaCommitScript,
      admissionTakeScript,
      admissionGiveBackScript,
      admissionTakeLeanScript,
      admissionGiveBackLeanScript,
    ];

    it('pins the SHA1 of every Lua script (a change to a script is a deliberate change here)', () => {
      expect(Object.fromEntries(scripts.map((script) => [script.name, script.sha1]))).toEqual({
        admissionGiveBack: '3831fb38ca43a5afef4692ffefad68c343b8f207',
        admissionGiveBackLean: 'c26471e42691990cbb858a48dba6cb4c3a790ffb',
        admissionTake: '4dba41773d4c5a405d9e6efd2156015a6e768c00',
        admissionTakeLean: 'ff072417088dc954a8e08ee6e752beacc22a09a9',
        quotaCommit: 'c68c3ed87baeba0b4dec28bfb43c3a727a0fda44',
        quotaGiveBack: '456bfe424d76e44f6fbe8a93afb0b127773ddff6',
        quotaRemaining: '24a9744abd3a7b24b6badef57b9961f72184f7ab',
        quotaSetRemaining: '9d0ad2f11f563b7f01af4d5dbd91ea0c8649f11c',
        quotaTake: 'c481edbb47fb76cf772d5521ad416c786857f90d',
        rateLimitGiveBack: '9c7c3d46039a2254cb0371dc0743caec513042fa',
        rateLimitPeek: 'a6e304cd6f31450e5246ffd1dc3a122ff494219d',
        rateLimitTake: '3db2531707653fe35d604c6dff531139c2a86099',
      });
    });

    it('names each script by the SHA1 Redis computes for it', async () => {
      for (const script of scripts) expect(await admin.script('LOAD', script.source)).toBe(script.sha1);
    });

    it.each([
      ['ioredis', () => ioredis],
      ['node-redis', () => nodeRedis],
    ] as const)('runs a script Redis has forgotten (SCRIPT FLUSH, NOSCRIPT, then EVAL) with %s', async (_name, client) => {
      const stores = createRedisStores(client(), { prefix: freshPrefix() });
      await admin.script('FLUSH');
      expect(await admin.script('EXISTS', rateLimitTakeScript.sha1)).toEqual([0]);
      expect((await stores.rateLimit.take({ key: 'k', limit: 1, windowMs: minute, nowMs: t0 })).ok).toBe(true);
      expect((await stores.rateLimit.take({ key: 'k', limit: 1, windowMs: minute, nowMs: t0 })).ok).toBe(false);
      expect(await admin.script('EXISTS', rateLimitTakeScript.sha1)).toEqual([1]);
      await admin.script('FLUSH');
      expect(await stores.quota.take({ configKey: 'c', initial: 2 })).toMatchObject({ ok: true, remaining: 1 });
    });
  });

  describe('keys', () => {
    it('gives every key a TTL except a quota counter and its reservation sets', async () => {
      const prefix = freshPrefix();
      const { rateLimit, quota, admission } = createRedisStores(ioredis, { prefix });
      for (let i = 0; i < 5; i++) await rateLimit.take({ key: `cast:k:v4:192.0.2.${i}`, limit: 2, windowMs: minute, nowMs: t0 + i });
      await rateLimit.peek({ key: 'cast:k:v4:192.0.2.9', limit: 2, windowMs: minute, nowMs: t0 });
      await rateLimit.take({ key: 'other', limit: 2, windowMs: minute, nowMs: t0 });
      const taken = await quota.take({ configKey: 'excel', initial: 3 });
      if (taken.ok) await quota.giveBack({ configKey: 'excel', reservation: taken.reservation });
      await admission.take({ rateLimit: { key: 'cast:word:v4:192.0.2.1', limit: 1, windowMs: minute, nowMs: t0 }, quota: { configKey: 'word', initial: 4 } });

      const keys = (await admin.keys(`${prefix}*`)).sort();
      // seven windows, two counters (excel's reservation set emptied and went away; word's combined
      // take keeps none: its slot is the unit's record)
      expect(keys).toHaveLength(7 + 2);
      for (const key of keys) {
        const ttl = await admin.pttl(key);
        if (/^test\d+:\{q:[^}]*\}(:h)?$/u.test(key)) expect({ key, ttl }).toEqual({ key, ttl: -1 });
        else expect({ key, ttl: ttl > 0 && ttl <= minute + 1_000 }).toEqual({ key, ttl: true });
      }
    });

    it('keeps a window key alive a grace second past its window, never shortening it', async () => {
      const prefix = freshPrefix();
      const { rateLimit } = createRedisStores(ioredis, { prefix });
      await rateLimit.take({ key: 'k', limit: 3, windowMs: 2 * minute, nowMs: t0 });
      await rateLimit.take({ key: 'k', limit: 3, windowMs: minute, nowMs: t0 });
      const ttl = await admin.pttl(`${prefix}{rl:k}`);
      expect(ttl).toBeGreaterThan(2 * minute);
      expect(ttl).toBeLessThanOrEqual(2 * minute + 1_000);
    });

    it("puts every key of one config in one Redis Cluster slot (the engine's windows too), and keeps namespaces apart", () => {
      const names = createKeyNames('castgate:');
      for (const configKey of ['excel', '', 'a}b', 'a{b', '{x}', '50%']) {
        const tag = hashTagOf(names.counter(configKey));
        expect(tag).not.toBe(names.counter(configKey));
        expect(hashTagOf(names.honoured(configKey))).toBe(tag);
        expect(hashTagOf(names.pending(configKey))).toBe(tag);
        expect(hashTagOf(names.window(`cast:${configKey}:v4:192.0.2.1`))).toBe(tag);
        expect(names.configOfWindow(`cast:${configKey}:v6:2001:db8::/64`)).toBe(configKey);
      }
      expect(names.counter('excel')).toBe('castgate:{q:excel}');
      expect(names.window('cast:excel:v4:192.0.2.1')).toBe('castgate:{q:excel}:w:cast:v4:192.0.2.1');
      expect(names.window('x')).toBe('castgate:{rl:x}');
      expect(names.configOfWindow('x')).toBeUndefined();
      const all = ['a:b', 'a', 'b:x', '{a}', '{a}:b', 'a}b{', '%7B', '{', 'cast:a:b', 'cast:a:b:c', 'x:a:b', 'cast::b'];
      const spelled = new Set([...all.map((k) => names.window(k)), ...all.flatMap((c) => [names.counter(c), names.honoured(c), names.pending(c)])]);
      expect(spelled.size).toBe(all.length * 4);
    });

    it('uses the prefix it is given, castgate: by default', async () => {
      await createRedisStores(ioredis).quota.setRemaining('default-prefix', 1);
      expect(await admin.get('castgate:{q:default-prefix}')).toBe('1');
      await createRedisStores(nodeRedis, { prefix: 'app:' }).quota.setRemaining('custom', 2);
      expect(await admin.get('app:{q:custom}')).toBe('2');
    });
  });

  describe('options', () => {
    it('refuses what it cannot use: not a client, a brace in the prefix, a timeout that is not a positive whole number', () => {
      expect(() => createRedisStores({} as RedisScriptClient)).toThrow(TypeError);
      expect(() => createRedisStores(null as unknown as RedisScriptClient)).toThrow(TypeError);
      expect(() => createRedisStores(ioredis, { prefix: 'app{1}:' })).toThrow(TypeError);
      expect(() => createRedisStores(ioredis, { commandTimeoutMs: 0 })).toThrow(TypeError);
      expect(() => createRedisStores(ioredis, { commandTimeoutMs: Number.NaN })).toThrow(TypeError);
      expect(() => createRedisStores(ioredis, { quotaReservationTtlMs: -1 })).toThrow(TypeError);
    });

    it('lets a quota reservation be given back only within quotaReservationTtlMs', async () => {
      const { quota } = createRedisStores(ioredis, { prefix: freshPrefix(), quotaReservationTtlMs: 50 });
      const taken = await quota.take({ configKey: 'c', initial: 1 });
      if (!taken.ok) throw new Error('expected a unit');
      await sleep(120);
      await quota.giveBack({ configKey: 'c', reservation: taken.reservation });
      expect(await quota.remaining('c')).toBe(0);
    });
  });

  describe('slow or aborted calls (Redis paused with CLIENT PAUSE)', () => {
    /** Runs `call` while Redis holds every client's commands (CLIENT PAUSE), then waits for the pause to end. */
    async function whileRedisPauses<T>(pauseMs: number, call: () => Promise<T>): Promise<PromiseSettledResult<T>> {
      await admin.call('CLIENT', 'PAUSE', String(pauseMs), 'ALL');
      const [result] = await Promise.allSettled([call()]);
      await admin.ping(); // held until the pause ends
      return result;
    }

    it('rejects with store_unavailable (timeout) when Redis answers later than commandTimeoutMs', async () => {
      const stores = createRedisStores(ioredis, { prefix: freshPrefix(), commandTimeoutMs: 100 });
      const result = await whileRedisPauses(400, () => stores.quota.take({ configKey: 'slow', initial: 5 }));
      expect(result.status).toBe('rejected');
      const reason: unknown = result.status === 'rejected' ? result.reason : undefined;
      expect(isRedisStoreError(reason)).toBe(true);
      expect(reason).toMatchObject({ code: 'store_unavailable', reason: 'timeout' });
    });

    it('gives back the slot of a take whose answer came after commandTimeoutMs, once Redis answers', async () => {
      const stores = createRedisStores(nodeRedis, { prefix: freshPrefix(), commandTimeoutMs: 100 });
      const input = { key: 'ambiguous', limit: 1, windowMs: minute, nowMs: t0 };
      const result = await whileRedisPauses(400, () => stores.rateLimit.take(input));
      expect(result.status).toBe('rejected');
      await sleep(50); // the give-back follows the late answer
      expect((await stores.rateLimit.take(input)).ok).toBe(true);
    });

    it('rejects with store_unavailable (aborted) when the caller aborts, before or during the call', async () => {
      const stores = createRedisStores(ioredis, { prefix: freshPrefix() });
      const aborted = AbortSignal.abort(new Error('gave up'));
      await expect(stores.rateLimit.take({ key: 'k', limit: 1, windowMs: minute, nowMs: t0, signal: aborted })).rejects.toMatchObject({
        code: 'store_unavailable',
        reason: 'aborted',
      });
      const controller = new AbortController();
      const result = await whileRedisPauses(300, () => {
        const call = stores.quota.take({ configKey: 'c', initial: 1, signal: controller.signal });
        controller.abort();
        return call;
      });
      expect(result).toMatchObject({ status: 'rejected', reason: { code: 'store_unavailable', reason: 'aborted' } });
    });
  });

  describe('outage: redis-server stopped mid-burst, then restarted', () => {
    const commandTimeoutMs = 300;
    const clients = [
      ['ioredis, enableOfflineQueue: false', () => connectIoredis({ failFast: true })],
      ['ioredis, default settings (offline queue)', () => connectIoredis({ failFast: false })],
      ['node-redis, disableOfflineQueue: true', () => connectNodeRedis({ failFast: true })],
      ['node-redis, default settings (offline queue)', () => connectNodeRedis({ failFast: false })],
    ] as const;

    it.each(clients)('settles every call in bounded time, rejects only with store_unavailable, then recovers (%s)', async (_name, connect) => {
      const client = await connect();
      const stores: RedisStores = createRedisStores(client, { prefix: freshPrefix(), commandTimeoutMs });
      const unhandled: unknown[] = [];
      const onUnhandled = (reason: unknown) => unhandled.push(reason);
      process.on('unhandledRejection', onUnhandled);
      try {
        type Outcome = { kind: 'answered' } | { kind: 'rejected'; error: unknown; settledAfterMs: number } | { kind: 'slow'; settledAfterMs: number };
        const track = (call: Promise<unknown>): Promise<Outcome> => {
          const started = performance.now();
          return call.then(
            (): Outcome => {
              const settledAfterMs = performance.now() - started;
              return settledAfterMs > commandTimeoutMs + 1_000 ? { kind: 'slow', settledAfterMs } : { kind: 'answered' };
            },
            (error: unknown): Outcome => ({ kind: 'rejected', error, settledAfterMs: performance.now() - started }),
          );
        };
        const calls: Promise<Outcome>[] = [];
        let stopping: Promise<void> | undefined;
        for (let i = 0; i < 90; i++) {
          if (i === 30) stopping = server.stop();
          const nowMs = t0 + i;
          calls.push(track(stores.rateLimit.take({ key: `burst-${i % 4}`, limit: 10, windowMs: minute, nowMs })));
          calls.push(track(stores.quota.take({ configKey: 'burst', initial: 1_000 })));
          calls.push(track(stores.rateLimit.peek({ key: 'burst-0', limit: 10, windowMs: minute, nowMs })));
          await sleep(i < 30 ? 1 : 5);
        }
        await stopping;
        for (let i = 0; i < 10; i++) calls.push(track(stores.quota.remaining('burst')));
        const outcomes = await Promise.all(calls);

        const rejected = outcomes.filter((o) => o.kind === 'rejected');
        expect(outcomes.filter((o) => o.kind === 'slow')).toEqual([]);
        expect(rejected.length).toBeGreaterThanOrEqual(10);
        for (const outcome of rejected) {
          expect(isRedisStoreError(outcome.error)).toBe(true);
          expect(outcome.error).toMatchObject({ code: 'store_unavailable' });
          expect(outcome.settledAfterMs).toBeLessThanOrEqual(commandTimeoutMs + 1_000);
        }

        await server.start();
        let recovered = false;
        for (let attempt = 0; attempt < 100 && !recovered; attempt++) {
          recovered = await stores.quota.take({ configKey: 'after', initial: 3 }).then(
            (taken) => taken.ok,
            () => false,
          );
          if (!recovered) await sleep(50);
        }
        expect(recovered).toBe(true);
        expect((await stores.rateLimit.take({ key: 'after', limit: 1, windowMs: minute, nowMs: t0 })).ok).toBe(true);
        await sleep(commandTimeoutMs);
        expect(unhandled).toEqual([]);
      } finally {
        process.removeListener('unhandledRejection', onUnhandled);
      }
    });
  });
});
