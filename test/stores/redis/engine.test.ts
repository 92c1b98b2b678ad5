import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCastConfig } from '../../../src/config/parse.js';
import { evaluateCast } from '../../../src/engine/evaluate.js';
import { createMemoryProvisioner } from '../../../src/stores/memory/provisioner.js';
import { createRedisStores } from '../../../src/stores/redis/index.js';
import { testClients } from './clients.js';
import { redisAvailability, redisSkipNote, startRedisServer, type RedisServer } from './redis-server.js';

const now = new Date('2030-01-01T00:00:00Z');

describe.skipIf(!redisAvailability.available)(`decisions on Redis: one script per anonymous decision${redisSkipNote}`, () => {
  let server: RedisServer;
  const clients = testClients(() => server.port);
  let admin: Redis;
  let prefixes = 0;
  const freshPrefix = () => `eng${++prefixes}:`;
  const linkOf = (key: string, sessionsRemaining: number, sessions = 5) =>
    parseCastConfig({ name: 'Link', key, imageId: 'img', allowAnonymous: true, sessionsRemaining, ipRateLimit: { sessions, withinSeconds: 60 } });

  beforeAll(async () => {
    server = await startRedisServer();
    admin = await clients.ioredis({ enableOfflineQueue: true });
  });

  afterAll(async () => {
    await clients.closeAll();
    await server.close();
  });

  it('sends Redis one command before provisioning for an anonymous decision with a rate limit and a quota (MONITOR)', async () => {
    const stores = { ...createRedisStores(await clients.ioredis(), { prefix: freshPrefix() }), sessions: createMemoryProvisioner() };
    const config = linkOf('counted-0123456789abcdef', 100);
    expect((await evaluateCast(config, { ip: '192.0.2.1', now }, stores)).allowed).toBe(true); // Redis learns the script
    const monitor = await admin.monitor();
    const sent: string[] = [];
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      if (source !== 'lua') sent.push(String(args[0]).toLowerCase());
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (let i = 2; i < 7; i++) expect((await evaluateCast(config, { ip: `192.0.2.${i}`, now }, stores)).allowed).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 100));
    monitor.disconnect();
    expect(sent).toEqual(['evalsha', 'evalsha', 'evalsha', 'evalsha', 'evalsha']);
  });

  it('answers rate_limited when the window and the quota are both exhausted, quota_exhausted when only the quota is', async () => {
    const stores = { ...createRedisStores(await clients.nodeRedis(), { prefix: freshPrefix() }), sessions: createMemoryProvisioner() };
    const config = linkOf('both-0123456789abcdef', 1, 1);
    expect((await evaluateCast(config, { ip: '192.0.2.1', now }, stores)).allowed).toBe(true);
    const both = await evaluateCast(config, { ip: '192.0.2.1', now }, stores);
    expect(both.allowed ? undefined : both.error).toMatchObject({ code: 'rate_limited', retryAfterSeconds: 60 });
    const quota = await evaluateCast(config, { ip: '192.0.2.2', now }, stores);
    expect(quota.allowed ? undefined : quota.error.code).toBe('quota_exhausted');
    expect(quota.trace.map((t) => [t.guard, t.verdict])).toContainEqual(['quota', 'deny']);
  });

  it('gives back the slot and the unit in one script when provisioning fails', async () => {
    const failing = { findRunning: () => Promise.resolve(null), provision: () => Promise.reject(new Error('no capacity')) };
    const redis = createRedisStores(await clients.ioredis(), { prefix: freshPrefix() });
    const config = linkOf('fails-0123456789abcdef', 2, 1);
    const denied = await evaluateCast(config, { ip: '192.0.2.1', now }, { ...redis, sessions: failing });
    expect(denied.allowed ? undefined : denied.error.code).toBe('provision_failed');
    expect(await redis.quota.remaining(config.key)).toBe(2);
    expect((await evaluateCast(config, { ip: '192.0.2.1', now }, { ...redis, sessions: createMemoryProvisioner() })).allowed).toBe(true);
  });

  it('still decides with take + take on stores without the ability', async () => {
    const { rateLimit, quota } = createRedisStores(await clients.ioredis(), { prefix: freshPrefix() });
    const stores = { rateLimit, quota, sessions: createMemoryProvisioner() };
    const config = linkOf('apart-0123456789abcdef', 1, 1);
    expect((await evaluateCast(config, { ip: '192.0.2.1', now }, stores)).allowed).toBe(true);
    const second = await evaluateCast(config, { ip: '192.0.2.2', now }, stores);
    expect(second.allowed ? undefined : second.error.code).toBe('quota_exhausted');
  });
});
