import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStores } from '../../../src/stores/redis/index.js';
import { leaseAcquireScript, leaseBindScript, leaseBoundToScript, leaseReleaseScript, leaseRenewScript } from '../../../src/stores/redis/lease-scripts.js';
import { leaseStoreContract, runContract } from '../../../src/testing/index.js';
import { redisAvailability, redisSkipNote, startRedisServer, type RedisServer } from './redis-server.js';

type NodeRedisClient = ReturnType<typeof createClient>;

const t0 = 1_700_000_000_000;

/** The hash tag Redis Cluster hashes a key by (the whole key when there is none). */
function hashTagOf(key: string): string {
  const open = key.indexOf('{');
  if (open === -1) return key;
  const close = key.indexOf('}', open + 1);
  if (close === -1 || close === open + 1) return key;
  return key.slice(open + 1, close);
}

describe.skipIf(!redisAvailability.available)(`Redis lease store on a real redis-server${redisSkipNote}`, () => {
  let server: RedisServer;
  let admin: Redis;
  let ioredis: Redis;
  let stringNumbers: Redis;
  let nodeRedis: NodeRedisClient;
  let prefixes = 0;
  const freshPrefix = () => `lease${++prefixes}:`;

  beforeAll(async () => {
    server = await startRedisServer();
    admin = new Redis({ port: server.port, host: '127.0.0.1' });
    ioredis = new Redis({ port: server.port, host: '127.0.0.1', enableOfflineQueue: false, lazyConnect: true });
    await ioredis.connect();
    stringNumbers = new Redis({ port: server.port, host: '127.0.0.1', stringNumbers: true });
    nodeRedis = createClient({ socket: { port: server.port, host: '127.0.0.1' }, disableOfflineQueue: true });
    nodeRedis.on('error', () => undefined);
    await nodeRedis.connect();
  });

  afterAll(async () => {
    admin.disconnect();
    ioredis.disconnect();
    stringNumbers.disconnect();
    nodeRedis.destroy();
    await server.close();
  });

  for (const [name, client] of [['ioredis', () => ioredis], ['node-redis', () => nodeRedis], ['ioredis with stringNumbers', () => stringNumbers]] as const) {
    describe(`leaseStoreContract (castgate/testing): Redis (${name})`, () => {
      runContract(leaseStoreContract, () => createRedisStores(client(), { prefix: freshPrefix() }).leases, it);
    });
  }

  it('names each lease script by the SHA1 Redis computes for it', async () => {
    for (const script of [leaseAcquireScript, leaseRenewScript, leaseReleaseScript, leaseBindScript, leaseBoundToScript]) {
      expect(await admin.script('LOAD', script.source)).toBe(script.sha1);
    }
  });

  it('gives every key a TTL that outlives its latest lease by a second, no more', async () => {
    const prefix = freshPrefix();
    const { leases } = createRedisStores(ioredis, { prefix });
    await leases.acquire({ key: 'cast:demo:live', limit: 5, leaseId: 'a', ttlMs: 30_000, nowMs: t0 });
    await leases.acquire({ key: 'cast:demo:live', limit: 5, leaseId: 'b', ttlMs: 60_000, nowMs: t0 });
    await leases.acquire({ key: 'cast:demo:link:jti-1', limit: 1, leaseId: 'c', ttlMs: 5_000, nowMs: t0 });
    await leases.acquire({ key: 'some other key', limit: 1, leaseId: 'd', ttlMs: 5_000, nowMs: t0 });
    await leases.bind({ configKey: 'demo', sessionId: 's-1', leases: [{ key: 'cast:demo:live', leaseId: 'a' }], ttlMs: 30_000, nowMs: t0 });
    const keys = await admin.keys(`${prefix}*`);
    expect(keys).toHaveLength(4);
    for (const key of keys) {
      const ttl = await admin.pttl(key);
      expect(ttl, key).toBeGreaterThan(0);
      expect(ttl, key).toBeLessThanOrEqual(61_000);
    }
    expect(await admin.pttl(`${prefix}{c:demo}:ls:cast:demo:live`)).toBeGreaterThan(59_000);
  });

  it('puts every key of one config in one Redis Cluster slot: its live sessions, its clients, its tokens and its bindings', async () => {
    const prefix = freshPrefix();
    const { leases } = createRedisStores(ioredis, { prefix });
    for (const key of ['cast:demo:live', 'cast:demo:live:v4:192.0.2.1', 'cast:demo:live:v6:2001:db8::/64', 'cast:demo:link:0b5c']) {
      await leases.acquire({ key, limit: 1, leaseId: 'a', ttlMs: 5_000, nowMs: t0 });
    }
    await leases.bind({ configKey: 'demo', sessionId: 's-1', leases: [], ttlMs: 5_000, nowMs: t0 });
    await leases.acquire({ key: 'cast:other:live', limit: 1, leaseId: 'a', ttlMs: 5_000, nowMs: t0 });
    const keys = await admin.keys(`${prefix}*`);
    expect(new Set(keys.filter((k) => !k.includes('other')).map(hashTagOf))).toEqual(new Set(['c:demo']));
    expect(keys.filter((k) => k.includes('other')).map(hashTagOf)).toEqual(['c:other']);
  });

  it('keeps bindings of look-alike config keys and session ids apart', async () => {
    const { leases } = createRedisStores(ioredis, { prefix: freshPrefix() });
    const one = [{ key: 'cast:x:live', leaseId: '1' }];
    const two = [{ key: 'cast:x:live', leaseId: '2' }];
    await leases.bind({ configKey: 'x}:lb:y', sessionId: 'z', leases: one, ttlMs: 5_000, nowMs: t0 });
    await leases.bind({ configKey: 'x', sessionId: 'y}:lb:z', leases: two, ttlMs: 5_000, nowMs: t0 });
    expect(await leases.boundTo({ configKey: 'x}:lb:y', sessionId: 'z' })).toEqual({ leases: one, ttlMs: 5_000 });
    expect(await leases.boundTo({ configKey: 'x', sessionId: 'y}:lb:z' })).toEqual({ leases: two, ttlMs: 5_000 });
  });

  it('answers store_unavailable (unexpected_reply) for a binding it cannot read, never a half-read one', async () => {
    const prefix = freshPrefix();
    const { leases } = createRedisStores(ioredis, { prefix });
    for (const bad of ['not json', '{"l":[["k"]],"t":5}', '{"l":[],"t":-1}', 'null']) {
      await admin.set(`${prefix}{c:demo}:lb:s-1`, bad, 'PX', 5_000);
      await expect(leases.boundTo({ configKey: 'demo', sessionId: 's-1' })).rejects.toMatchObject({ code: 'store_unavailable', reason: 'unexpected_reply' });
    }
  });

  it('rejects with store_unavailable when Redis is paused past commandTimeoutMs, a lease its late script still took frees when it expires', async () => {
    const prefix = freshPrefix();
    const { leases } = createRedisStores(ioredis, { prefix, commandTimeoutMs: 100 });
    await admin.client('PAUSE', 400, 'ALL');
    await expect(leases.acquire({ key: 'cast:demo:live', limit: 1, leaseId: 'late', ttlMs: 5_000, nowMs: t0 })).rejects.toMatchObject({
      code: 'store_unavailable',
      reason: 'timeout',
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await leases.acquire({ key: 'cast:demo:live', limit: 1, leaseId: 'next', ttlMs: 5_000, nowMs: t0 + 5_000 })).ok).toBe(true);
  });
});
