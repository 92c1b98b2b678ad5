import type { Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdmissionInput } from '../../../src/contract/stores.js';
import { createRedisStores, type RedisScriptClient } from '../../../src/stores/redis/index.js';
import { testClients, type NodeRedisClient } from './clients.js';
import { redisAvailability, redisSkipNote, startRedisServer, type RedisServer } from './redis-server.js';

const t0 = 1_700_000_000_000;
const minute = 60_000;

/** An admission for config `configKey` from `ip`, in the engine's key shape. */
function admissionOf(configKey: string, ip: string, limit: number, initial: number, nowMs = t0): AdmissionInput {
  return { rateLimit: { key: `cast:${configKey}:v4:${ip}`, limit, windowMs: minute, nowMs }, quota: { configKey, initial } };
}

/** The commands clients sent to Redis while `work` ran (MONITOR; those scripts ran inside them are not counted). */
async function commandsSentDuring(admin: Redis, work: () => Promise<unknown>): Promise<string[][]> {
  const monitor = await admin.monitor();
  const seen: string[][] = [];
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    if (source !== 'lua') seen.push(args);
  });
  await new Promise((resolve) => setTimeout(resolve, 50));
  await work();
  await new Promise((resolve) => setTimeout(resolve, 100));
  monitor.disconnect();
  return seen;
}

describe.skipIf(!redisAvailability.available)(`AdmissionStore on Redis: a slot and a unit in one script${redisSkipNote}`, () => {
  let server: RedisServer;
  const clients = testClients(() => server.port);
  let admin: Redis;
  let ioredis: Redis;
  let nodeRedis: NodeRedisClient;
  let prefixes = 0;
  const freshPrefix = () => `adm${++prefixes}:`;

  beforeAll(async () => {
    server = await startRedisServer();
    admin = await clients.ioredis({ enableOfflineQueue: true });
    ioredis = await clients.ioredis();
    nodeRedis = await clients.nodeRedis();
  });

  afterAll(async () => {
    await clients.closeAll();
    await server.close();
  });

  describe.each([
    ['ioredis', () => ioredis as RedisScriptClient],
    ['node-redis', () => nodeRedis as RedisScriptClient],
  ] as const)('with %s', (_name, client) => {
    it('takes the slot and the unit together, with one reservation for both', async () => {
      const stores = createRedisStores(client(), { prefix: freshPrefix() });
      const taken = await stores.admission.take(admissionOf('excel', '192.0.2.1', 2, 5));
      expect(taken).toMatchObject({ ok: true, quota: { remaining: 4 } });
      expect(await stores.quota.remaining('excel')).toBe(4);
      expect((await stores.rateLimit.peek({ key: 'cast:excel:v4:192.0.2.1', limit: 1, windowMs: minute, nowMs: t0 })).full).toBe(true);
    });

    it('takes neither when the quota is exhausted: the slot stays free', async () => {
      const stores = createRedisStores(client(), { prefix: freshPrefix() });
      expect(await stores.admission.take(admissionOf('none', '192.0.2.1', 1, 0))).toEqual({ ok: false, code: 'quota_exhausted' });
      expect((await stores.rateLimit.peek({ key: 'cast:none:v4:192.0.2.1', limit: 1, windowMs: minute, nowMs: t0 })).full).toBe(false);
    });

    it('takes neither when the window is full, and answers rate_limited even when the quota is also exhausted (the guard order)', async () => {
      const stores = createRedisStores(client(), { prefix: freshPrefix() });
      expect((await stores.admission.take(admissionOf('both', '192.0.2.1', 1, 1))).ok).toBe(true);
      expect(await stores.admission.take(admissionOf('both', '192.0.2.1', 1, 1, t0 + 1_000))).toEqual({ ok: false, code: 'rate_limited', retryAfterMs: minute - 1_000 });
      expect(await stores.admission.take(admissionOf('both', '192.0.2.2', 1, 1))).toEqual({ ok: false, code: 'quota_exhausted' });
      expect(await stores.quota.remaining('both')).toBe(0);
    });

    it('gives back the slot and the unit in one call, once however often it is called', async () => {
      const stores = createRedisStores(client(), { prefix: freshPrefix() });
      const input = admissionOf('back', '192.0.2.1', 1, 3);
      const taken = await stores.admission.take(input);
      if (!taken.ok) throw new Error('expected both');
      const back = { rateLimit: { key: input.rateLimit.key, reservation: taken.rateLimit.reservation }, quota: { configKey: 'back', reservation: taken.quota.reservation } };
      await stores.admission.giveBack(back);
      await stores.admission.giveBack(back);
      expect(await stores.quota.remaining('back')).toBe(3);
      expect((await stores.admission.take(input)).ok).toBe(true);
    });

    it('lets the rate-limit and quota stores give back (or commit) what it took, one by one', async () => {
      const stores = createRedisStores(client(), { prefix: freshPrefix(), reservationTtlMs: minute });
      const input = admissionOf('apart', '192.0.2.1', 1, 3);
      const taken = await stores.admission.take(input);
      if (!taken.ok) throw new Error('expected both');
      await stores.quota.giveBack({ configKey: 'apart', reservation: taken.quota.reservation });
      expect(await stores.quota.remaining('apart')).toBe(3);
      expect((await stores.rateLimit.peek({ ...input.rateLimit })).full).toBe(true);
      await stores.rateLimit.giveBack({ key: input.rateLimit.key, reservation: taken.rateLimit.reservation });
      const again = await stores.admission.take(input);
      if (!again.ok) throw new Error('expected both again');
      await stores.quota.commit?.({ configKey: 'apart', reservation: again.quota.reservation });
      await stores.quota.giveBack({ configKey: 'apart', reservation: again.quota.reservation });
      expect(await stores.quota.remaining('apart')).toBe(2);
    });

    it('serves exactly min(limit, quota) of 120 concurrent admissions, and never a unit without a slot', async () => {
      const stores = createRedisStores(client(), { prefix: freshPrefix() });
      const results = await Promise.all(
        Array.from({ length: 120 }, (_, i) => stores.admission.take(admissionOf('burst', `192.0.2.${i % 3}`, 10, 25))),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(25);
      expect(await stores.quota.remaining('burst')).toBe(0);
      let slots = 0;
      for (let ip = 0; ip < 3; ip++) {
        const key = `cast:burst:v4:192.0.2.${ip}`;
        for (let n = 1; n <= 10; n++) if ((await stores.rateLimit.peek({ key, limit: n, windowMs: minute, nowMs: t0 })).full) slots++;
      }
      // a peek with limit n is full when n or more slots are taken: summing over n counts the slots
      expect(slots).toBe(25);
    });

    it('takes through the two stores, both or neither, when the rate-limit key is not in the config\u2019s slot', async () => {
      const stores = createRedisStores(client(), { prefix: freshPrefix() });
      const foreign = { rateLimit: { key: 'custom-bucket', limit: 1, windowMs: minute, nowMs: t0 }, quota: { configKey: 'elsewhere', initial: 1 } };
      const taken = await stores.admission.take(foreign);
      if (!taken.ok) throw new Error('expected both');
      expect(await stores.admission.take({ ...foreign, rateLimit: { ...foreign.rateLimit, key: 'custom-2' } })).toEqual({ ok: false, code: 'quota_exhausted' });
      expect((await stores.rateLimit.peek({ key: 'custom-2', limit: 1, windowMs: minute, nowMs: t0 })).full).toBe(false);
      await stores.admission.giveBack({ rateLimit: { key: 'custom-bucket', reservation: taken.rateLimit.reservation }, quota: { configKey: 'elsewhere', reservation: taken.quota.reservation } });
      expect(await stores.quota.remaining('elsewhere')).toBe(1);
      expect((await stores.rateLimit.peek({ key: 'custom-bucket', limit: 1, windowMs: minute, nowMs: t0 })).full).toBe(false);
    });
  });

  describe('the default take keeps no record of the unit: its slot is the record', () => {
    it('keeps no reservation set: only the window and the counter', async () => {
      const prefix = freshPrefix();
      const stores = createRedisStores(ioredis, { prefix });
      expect((await stores.admission.take(admissionOf('lean', '192.0.2.1', 2, 5))).ok).toBe(true);
      expect((await admin.keys(`${prefix}*`)).sort()).toEqual([`${prefix}{q:lean}`, `${prefix}{q:lean}:w:cast:v4:192.0.2.1`]);
    });

    it('honours a give-back after the slot left its window, within quotaReservationTtlMs, once', async () => {
      const prefix = freshPrefix();
      const stores = createRedisStores(ioredis, { prefix });
      const input = { rateLimit: { key: 'cast:gone:v4:192.0.2.1', limit: 1, windowMs: 100, nowMs: t0 }, quota: { configKey: 'gone', initial: 2 } };
      const taken = await stores.admission.take(input);
      if (!taken.ok) throw new Error('expected both');
      await sleep(1_300); // the window key lives a grace second past its window
      expect(await admin.exists(`${prefix}{q:gone}:w:cast:v4:192.0.2.1`)).toBe(0);
      const back = { rateLimit: { key: input.rateLimit.key, reservation: taken.rateLimit.reservation }, quota: { configKey: 'gone', reservation: taken.quota.reservation } };
      await stores.admission.giveBack(back);
      await stores.admission.giveBack(back);
      expect(await stores.quota.remaining('gone')).toBe(2);
      const marker = await admin.pttl(`${prefix}{q:gone}:g:${taken.quota.reservation}`);
      expect(marker).toBeGreaterThan(3_000_000); // lives as long as the give-back is honoured (1 h)
    });

    it('ignores a give-back after quotaReservationTtlMs, even with the slot still in its window (which it frees)', async () => {
      const stores = createRedisStores(ioredis, { prefix: freshPrefix(), quotaReservationTtlMs: 50 });
      const input = admissionOf('late', '192.0.2.1', 1, 2);
      const taken = await stores.admission.take(input);
      if (!taken.ok) throw new Error('expected both');
      await sleep(120);
      await stores.admission.giveBack({ rateLimit: { key: input.rateLimit.key, reservation: taken.rateLimit.reservation }, quota: { configKey: 'late', reservation: taken.quota.reservation } });
      expect(await stores.quota.remaining('late')).toBe(1);
      expect((await stores.rateLimit.peek(input.rateLimit)).full).toBe(false);
    });

    it('gives nothing for a reservation it never handed out, or one whose slot is gone while its window lasts', async () => {
      const stores = createRedisStores(ioredis, { prefix: freshPrefix() });
      const input = admissionOf('forged', '192.0.2.1', 3, 2);
      const taken = await stores.admission.take(input);
      if (!taken.ok) throw new Error('expected both');
      const soon = (Date.now() + minute).toString(36);
      for (const reservation of [`${soon}.${soon}.nothing`, 'no-instants', `${taken.quota.reservation}x`]) {
        await stores.admission.giveBack({ rateLimit: { key: input.rateLimit.key, reservation }, quota: { configKey: 'forged', reservation } });
      }
      expect(await stores.quota.remaining('forged')).toBe(1);
      // the slot given back on its own: the unit cannot be proven while the window lasts (it stays taken)
      await stores.rateLimit.giveBack({ key: input.rateLimit.key, reservation: taken.rateLimit.reservation });
      await stores.admission.giveBack({ rateLimit: { key: input.rateLimit.key, reservation: taken.rateLimit.reservation }, quota: { configKey: 'forged', reservation: taken.quota.reservation } });
      expect(await stores.quota.remaining('forged')).toBe(1);
    });
  });

  it('sends Redis one command per admission (MONITOR): the script, nothing else', async () => {
    const stores = createRedisStores(ioredis, { prefix: freshPrefix() });
    await stores.admission.take(admissionOf('warm', '192.0.2.1', 5, 5)); // Redis learns the script
    const sent = await commandsSentDuring(admin, async () => {
      for (let i = 0; i < 5; i++) await stores.admission.take(admissionOf('counted', `192.0.2.${i}`, 5, 100));
    });
    expect(sent.map((args) => args[0]?.toLowerCase())).toEqual(['evalsha', 'evalsha', 'evalsha', 'evalsha', 'evalsha']);
  });

  it('rejects numbers it cannot count with, sending nothing', async () => {
    const stores = createRedisStores(ioredis, { prefix: freshPrefix() });
    await expect(stores.admission.take(admissionOf('bad', '192.0.2.1', 0, 1))).rejects.toThrow(TypeError);
    await expect(stores.admission.take(admissionOf('bad', '192.0.2.1', 1, -1))).rejects.toThrow(TypeError);
    await expect(stores.admission.take(admissionOf('bad', '192.0.2.1', 1, 1, Number.NaN))).rejects.toThrow(TypeError);
  });
});
