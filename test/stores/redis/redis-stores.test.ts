import { Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStores, isRedisStoreError, type RedisScriptClient, type RedisStores } from '../../../src/stores/redis/index.js';
import { createKeyNames } from '../../../src/stores/redis/keys.js';
import {
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
    ];

    it('pins the SHA1 of every Lua script (a change to a script is a deliberate change here)', () => {
      expect(Object.fromEntries(scripts.map((script) => [script.name, script.sha1]))).toEqual({
        rateLimitTake: '6f330eba7070b2f581b9a309ab606ea5dbb68325',
        rateLimitPeek: '325c424f47a0078313c6ee0753a19692346e4dc7',
        rateLimitGiveBack: '9c7c3d46039a2254cb0371dc0743caec513042fa',
        quotaTake: '27810269e9b9798fe8771210f625c5145130ad92',
        quotaGiveBack: 'c74a9589e9cee13c42d1f34a6ec2181c581624ea',
        quotaRemaining: 'f0e4c575f212a47f6a05898b785b6a9d46baaa55',
        quotaSetRemaining: 'f0ea61b6b84c8debb19481b87819bbc1aa160663',
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
    it('gives every key a TTL except the quota counters', async () => {
      const prefix = freshPrefix();
      const { rateLimit, quota } = createRedisStores(ioredis, { prefix });
      for (let i = 0; i < 5; i++) await rateLimit.take({ key: `cast:k:v4:192.0.2.${i}`, limit: 2, windowMs: minute, nowMs: t0 + i });
      await rateLimit.take({ key: 'cast:k:v4:192.0.2.0', limit: 2, windowMs: minute, nowMs: t0 + 10 });
      await rateLimit.take({ key: 'cast:k:v4:192.0.2.0', limit: 2, windowMs: minute, nowMs: t0 + 20 });
      await rateLimit.peek({ key: 'cast:k:v4:192.0.2.9', limit: 2, windowMs: minute, nowMs: t0 });
      const taken = await quota.take({ configKey: 'excel', initial: 3 });
      await quota.take({ configKey: 'excel', initial: 3 });
      if (taken.ok) await quota.giveBack({ configKey: 'excel', reservation: taken.reservation });
      await quota.setRemaining('word', 4);

      const keys = (await admin.keys(`${prefix}*`)).sort();
      // five windows, one reservation (the other was given back), two counters
      expect(keys).toHaveLength(5 + 1 + 2);
      for (const key of keys) {
        const ttl = await admin.pttl(key);
        if (/^test\d+:\{q:[^}]*\}$/.test(key)) expect({ key, ttl }).toEqual({ key, ttl: -1 });
        else expect({ key, ttl: ttl > 0 && ttl <= 3_600_000 }).toEqual({ key, ttl: true });
      }
    });

    it('keeps a window key alive until its newest slot frees (plus a grace second), no longer', async () => {
      const prefix = freshPrefix();
      const { rateLimit } = createRedisStores(ioredis, { prefix });
      await rateLimit.take({ key: 'k', limit: 3, windowMs: minute, nowMs: t0 + 5_000 });
      await rateLimit.take({ key: 'k', limit: 3, windowMs: minute, nowMs: t0 });
      const ttl = await admin.pttl(`${prefix}{rl:k}`);
      expect(ttl).toBeGreaterThan(minute + 5_000);
      expect(ttl).toBeLessThanOrEqual(minute + 5_000 + 1_000);
    });

    it('puts the keys each script touches in one Redis Cluster slot, and keeps namespaces apart', () => {
      const names = createKeyNames('castgate:');
      for (const configKey of ['excel', '', 'a}b', 'a{b', '{x}']) {
        expect(hashTagOf(names.quotaReservation(configKey, 'r1'))).toBe(hashTagOf(names.quotaCounter(configKey)));
        expect(hashTagOf(names.quotaCounter(configKey))).not.toBe(names.quotaCounter(configKey));
      }
      expect(names.rateLimit('x')).toBe('castgate:{rl:x}');
      expect(names.quotaCounter('excel')).toBe('castgate:{q:excel}');
      expect(names.quotaReservation('excel', 'r1')).toBe('castgate:{q:excel}:r:r1');
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

    it('may under-serve after a timeout whose command still ran, never over-serve', async () => {
      const stores = createRedisStores(nodeRedis, { prefix: freshPrefix(), commandTimeoutMs: 100 });
      const input = { key: 'ambiguous', limit: 1, windowMs: minute, nowMs: t0 };
      const result = await whileRedisPauses(400, () => stores.rateLimit.take(input));
      expect(result.status).toBe('rejected');
      expect(await stores.rateLimit.take(input)).toEqual({ ok: false, retryAfterMs: minute });
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
