import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStores } from '../../../src/stores/redis/index.js';
import { testClients } from './clients.js';
import { redisAvailability, redisSkipNote, startRedisServer, type RedisServer } from './redis-server.js';

const year = 365 * 86_400_000;

describe.skipIf(!redisAvailability.available)(`clock: 'redis' (windows on Redis's TIME)${redisSkipNote}`, () => {
  let server: RedisServer;
  const clients = testClients(() => server.port);
  let prefixes = 0;
  const freshPrefix = () => `clock${++prefixes}:`;

  beforeAll(async () => {
    server = await startRedisServer();
  });

  afterAll(async () => {
    await clients.closeAll();
    await server.close();
  });

  it('ignores the hosts\u2019 skewed instants: a slot counts for its window of Redis time, whatever nowMs says', async () => {
    const { rateLimit } = createRedisStores(await clients.ioredis(), { prefix: freshPrefix(), clock: 'redis' });
    const at = (nowMs: number) => ({ key: 'cast:skew:v4:192.0.2.1', limit: 1, windowMs: 60_000, nowMs });
    expect((await rateLimit.take(at(Date.now() - year))).ok).toBe(true);
    const later = await rateLimit.take(at(Date.now() + year));
    expect(later.ok).toBe(false);
    expect(later.ok ? 0 : later.retryAfterMs).toBeGreaterThan(50_000);
    expect(later.ok ? 0 : later.retryAfterMs).toBeLessThanOrEqual(60_000);
    expect((await rateLimit.peek(at(0))).full).toBe(true);
  });

  it('frees a slot when its window of Redis time has passed, for peeks, takes and admissions alike', async () => {
    const { rateLimit, admission } = createRedisStores(await clients.nodeRedis(), { prefix: freshPrefix(), clock: 'redis' });
    const input = { rateLimit: { key: 'cast:short:v4:192.0.2.1', limit: 1, windowMs: 300, nowMs: 0 }, quota: { configKey: 'short', initial: 5 } };
    expect((await admission.take(input)).ok).toBe(true);
    expect(await admission.take(input)).toMatchObject({ ok: false, code: 'rate_limited' });
    await sleep(400);
    expect((await rateLimit.peek(input.rateLimit)).full).toBe(false);
    expect(await admission.take(input)).toMatchObject({ ok: true, quota: { remaining: 3 } });
  });

  it("keeps the host's instant by default (the decision's one instant)", async () => {
    const { rateLimit } = createRedisStores(await clients.ioredis(), { prefix: freshPrefix() });
    const at = (nowMs: number) => ({ key: 'host', limit: 1, windowMs: 60_000, nowMs });
    expect((await rateLimit.take(at(1_000_000))).ok).toBe(true);
    expect((await rateLimit.take(at(1_060_000))).ok).toBe(true);
  });

  it('refuses a clock it does not know', async () => {
    const client = await clients.ioredis();
    expect(() => createRedisStores(client, { clock: 'ntp' as 'host' })).toThrow(TypeError);
  });
});
