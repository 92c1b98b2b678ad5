import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStores, isRedisStoreError } from '../../../src/stores/redis/index.js';
import { testClients } from './clients.js';
import { redisAvailability, redisSkipNote, startRedisServer, type RedisServer } from './redis-server.js';

describe.skipIf(!redisAvailability.available)(`no silent refill: the quota store refuses an evicting maxmemory-policy${redisSkipNote}`, () => {
  let server: RedisServer;
  const clients = testClients(() => server.port);
  let admin: Redis;
  let prefixes = 0;
  const freshPrefix = () => `ev${++prefixes}:`;

  beforeAll(async () => {
    server = await startRedisServer();
    admin = await clients.ioredis({ enableOfflineQueue: true });
  });

  afterEach(async () => {
    await admin.config('SET', 'maxmemory-policy', 'noeviction');
    await admin.config('SET', 'maxmemory', '0');
  });

  afterAll(async () => {
    await clients.closeAll();
    await server.close();
  });

  it('serves 2 sessions of a quota of 2, not 4, when allkeys-lru evicts the exhausted counter', async () => {
    const prefix = freshPrefix();
    const { quota } = createRedisStores(await clients.ioredis(), { prefix });
    expect((await quota.take({ configKey: 'two', initial: 2 })).ok).toBe(true);
    expect((await quota.take({ configKey: 'two', initial: 2 })).ok).toBe(true);
    expect(await quota.take({ configKey: 'two', initial: 2 })).toEqual({ ok: false });

    // An admin switches to allkeys-lru with a tight maxmemory, and other data pushes the counter out.
    const used = Number(/used_memory:(\d+)/u.exec(await admin.info('memory'))?.[1]);
    await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
    await admin.config('SET', 'maxmemory', String(used + 2_000_000));
    const filler = 'x'.repeat(10_000);
    for (let i = 0; i < 2_000 && (await admin.exists(`${prefix}{q:two}`)) === 1; i++) {
      await admin.set(`filler:${i}`, filler).catch(() => undefined);
    }
    expect(await admin.exists(`${prefix}{q:two}`)).toBe(0);

    const results = await Promise.allSettled([quota.take({ configKey: 'two', initial: 2 }), quota.take({ configKey: 'two', initial: 2 })]);
    for (const result of results) {
      expect(result.status).toBe('rejected');
      const reason: unknown = result.status === 'rejected' ? result.reason : undefined;
      expect(isRedisStoreError(reason)).toBe(true);
      expect(reason).toMatchObject({ code: 'store_unavailable', reason: 'unsafe_eviction_policy' });
      expect((reason as Error).message).toContain('allkeys-lru');
    }
  });

  it.each(['allkeys-lru', 'allkeys-lfu', 'allkeys-random'])('refuses to create a counter under %s, whatever maxmemory is (take, admission, setRemaining)', async (policy) => {
    await admin.config('SET', 'maxmemory-policy', policy);
    const { quota, admission } = createRedisStores(await clients.nodeRedis(), { prefix: freshPrefix() });
    const refused = { code: 'store_unavailable', reason: 'unsafe_eviction_policy', message: expect.stringContaining(policy) as string };
    await expect(quota.take({ configKey: 'fresh', initial: 5 })).rejects.toMatchObject(refused);
    await expect(quota.setRemaining('fresh', 5)).rejects.toMatchObject(refused);
    const input = { rateLimit: { key: 'cast:fresh:v4:192.0.2.1', limit: 1, windowMs: 60_000, nowMs: Date.now() }, quota: { configKey: 'fresh', initial: 5 } };
    await expect(admission.take(input)).rejects.toMatchObject(refused);
    // nothing was taken: the window is still free once the policy is safe again
    await admin.config('SET', 'maxmemory-policy', 'noeviction');
    expect(await admission.take(input)).toMatchObject({ ok: true, quota: { remaining: 4 } });
  });

  it.each(['noeviction', 'volatile-lru', 'volatile-ttl'])('serves under %s (counters have no TTL, so it never evicts them)', async (policy) => {
    await admin.config('SET', 'maxmemory-policy', policy);
    const { quota } = createRedisStores(await clients.ioredis(), { prefix: freshPrefix() });
    expect(await quota.take({ configKey: 'fine', initial: 2 })).toMatchObject({ ok: true, remaining: 1 });
  });
});
