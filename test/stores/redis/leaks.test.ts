import type { Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStores, type IoredisScriptClient } from '../../../src/stores/redis/index.js';
import { testClients } from './clients.js';
import { redisAvailability, redisSkipNote, startRedisServer, type RedisServer } from './redis-server.js';

const t0 = 1_700_000_000_000;
const minute = 60_000;

describe.skipIf(!redisAvailability.available)(`Redis stores leak nothing: late and unreadable replies give back${redisSkipNote}`, () => {
  let server: RedisServer;
  const clients = testClients(() => server.port);
  let admin: Redis;
  let prefixes = 0;
  const freshPrefix = () => `leak${++prefixes}:`;

  beforeAll(async () => {
    server = await startRedisServer();
    admin = await clients.ioredis({ enableOfflineQueue: true });
  });

  afterAll(async () => {
    await clients.closeAll();
    await server.close();
  });

  /** Holds every client's commands for `pauseMs` (CLIENT PAUSE) while `calls` start, then waits for the pause to end. */
  async function duringPause<T>(pauseMs: number, calls: () => Promise<T>[]): Promise<PromiseSettledResult<T>[]> {
    await admin.call('CLIENT', 'PAUSE', String(pauseMs), 'ALL');
    const settled = await Promise.allSettled(calls());
    await admin.ping(); // held until the pause ends
    await sleep(100); // the late replies arrive, then their give-backs run
    return settled;
  }

  it('gives back all 10 quota units whose replies came after commandTimeoutMs (a 1.5 s stall)', async () => {
    const stores = createRedisStores(await clients.ioredis(), { prefix: freshPrefix(), commandTimeoutMs: 200 });
    await stores.quota.setRemaining('stall', 10);
    await stores.quota.take({ configKey: 'warm', initial: 1 }); // Redis learns the script: the late takes run
    const settled = await duringPause(1_500, () => Array.from({ length: 10 }, () => stores.quota.take({ configKey: 'stall', initial: 10 })));
    expect(settled.map((s) => s.status)).toEqual(Array.from({ length: 10 }, () => 'rejected'));
    expect(settled[0]).toMatchObject({ reason: { code: 'store_unavailable', reason: 'timeout' } });
    expect(await stores.quota.remaining('stall')).toBe(10);
  });

  it('gives back the slot and the unit of late admissions, with node-redis too', async () => {
    const stores = createRedisStores(await clients.nodeRedis(), { prefix: freshPrefix(), commandTimeoutMs: 200 });
    const input = { rateLimit: { key: 'cast:late:v4:192.0.2.1', limit: 3, windowMs: minute, nowMs: t0 }, quota: { configKey: 'late', initial: 3 } };
    await stores.admission.take({ ...input, quota: { configKey: 'warm', initial: 1 }, rateLimit: { ...input.rateLimit, key: 'cast:warm:v4:192.0.2.1' } });
    const settled = await duringPause(800, () => [stores.admission.take(input), stores.admission.take(input)]);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    expect(await stores.quota.remaining('late')).toBe(3);
    expect((await stores.rateLimit.peek({ ...input.rateLimit, limit: 1 })).full).toBe(false);
  });

  it('gives back a late rate-limit take once Redis answers', async () => {
    const stores = createRedisStores(await clients.ioredis(), { prefix: freshPrefix(), commandTimeoutMs: 100 });
    const input = { key: 'late-slot', limit: 1, windowMs: minute, nowMs: t0 };
    const [settled] = await duringPause(400, () => [stores.rateLimit.take(input)]);
    expect(settled?.status).toBe('rejected');
    expect((await stores.rateLimit.take(input)).ok).toBe(true);
  });

  it('gives back what an aborted call took once Redis answers', async () => {
    const stores = createRedisStores(await clients.ioredis(), { prefix: freshPrefix() });
    await stores.quota.take({ configKey: 'warm', initial: 1 }); // Redis learns the script: the aborted take runs
    const controller = new AbortController();
    const [settled] = await duringPause(300, () => {
      const call = stores.quota.take({ configKey: 'aborted', initial: 1, signal: controller.signal });
      controller.abort();
      return [call];
    });
    expect(settled).toMatchObject({ status: 'rejected', reason: { code: 'store_unavailable', reason: 'aborted' } });
    expect(await stores.quota.remaining('aborted')).toBe(1);
  });

  it('reads the replies of ioredis with stringNumbers: true, and serves exactly the quota', async () => {
    const stores = createRedisStores(await clients.ioredis({ stringNumbers: true }), { prefix: freshPrefix() });
    const takes = await Promise.all(Array.from({ length: 4 }, () => stores.quota.take({ configKey: 'strings', initial: 2 })));
    expect(takes.filter((t) => t.ok)).toHaveLength(2);
    expect(takes.find((t) => t.ok)).toMatchObject({ remaining: expect.any(Number) as number });
    const input = { rateLimit: { key: 'cast:strings2:v4:192.0.2.1', limit: 1, windowMs: minute, nowMs: t0 }, quota: { configKey: 'strings2', initial: 5 } };
    expect(await stores.admission.take(input)).toMatchObject({ ok: true, quota: { remaining: 4 } });
    expect(await stores.admission.take(input)).toEqual({ ok: false, code: 'rate_limited', retryAfterMs: minute });
    expect(await stores.rateLimit.peek(input.rateLimit)).toEqual({ full: true, retryAfterMs: minute });
    expect(await stores.quota.remaining('strings2')).toBe(4);
  });

  it('reads the replies of node-redis on RESP3', async () => {
    const stores = createRedisStores(await clients.nodeRedis({ RESP: 3 }), { prefix: freshPrefix() });
    const input = { rateLimit: { key: 'cast:resp3:v4:192.0.2.1', limit: 1, windowMs: minute, nowMs: t0 }, quota: { configKey: 'resp3', initial: 5 } };
    expect(await stores.admission.take(input)).toMatchObject({ ok: true, quota: { remaining: 4 } });
    expect(await stores.admission.take(input)).toEqual({ ok: false, code: 'rate_limited', retryAfterMs: minute });
    expect(await stores.quota.remaining('resp3')).toBe(4);
    expect(await stores.quota.remaining('never-used')).toBeUndefined();
  });

  it('gives back what a take took when the client hands over a reply the store cannot read', async () => {
    const real = await clients.ioredis();
    // A client whose replies to takes come back mangled (as a client-side reply transform might do).
    const mangling: IoredisScriptClient = {
      evalsha: async (sha1, numKeys, ...rest) => {
        const reply = await real.evalsha(sha1, numKeys, ...rest);
        return numKeys >= 2 && rest.length > 4 ? { mangled: reply } : reply;
      },
      eval: (script, numKeys, ...rest) => real.eval(script, numKeys, ...rest),
    };
    const prefix = freshPrefix();
    const stores = createRedisStores(mangling, { prefix });
    const input = { rateLimit: { key: 'cast:mangled:v4:192.0.2.1', limit: 1, windowMs: minute, nowMs: t0 }, quota: { configKey: 'mangled', initial: 2 } };
    await expect(stores.admission.take(input)).rejects.toMatchObject({ code: 'store_unavailable', reason: 'unexpected_reply' });
    await sleep(50);
    const honest = createRedisStores(real, { prefix });
    expect(await honest.quota.remaining('mangled')).toBe(2);
    expect((await honest.rateLimit.peek(input.rateLimit)).full).toBe(false);
  });
});
