import { Cluster } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { createCluster } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCastConfig } from '../../../src/config/parse.js';
import type { CastDecision } from '../../../src/contract/decision.js';
import { evaluateCast } from '../../../src/engine/evaluate.js';
import { createMemoryProvisioner } from '../../../src/stores/memory/provisioner.js';
import { createRedisStores, type RedisScriptClient } from '../../../src/stores/redis/index.js';
import { quotaStoreContract, rateLimitStoreContract, runContract } from '../../../src/testing/index.js';
import { count, runWorkers } from './multi-process-run.js';
import { startRedisCluster, type RedisCluster } from './redis-cluster.js';
import { redisAvailability, redisSkipNote } from './redis-server.js';

type NodeRedisCluster = ReturnType<typeof createCluster>;

const nowMs = Date.parse('2030-01-01T12:00:00Z');

describe.skipIf(!redisAvailability.available)(`Redis stores on a real 3-master Redis Cluster${redisSkipNote}`, () => {
  let cluster: RedisCluster;
  let ioredis: Cluster;
  let nodeRedis: NodeRedisCluster;
  let prefixes = 0;
  const freshPrefix = () => `cl${++prefixes}:`;

  beforeAll(async () => {
    cluster = await startRedisCluster();
    ioredis = new Cluster(cluster.ports.map((port) => ({ host: '127.0.0.1', port })), {
      enableOfflineQueue: false,
      clusterRetryStrategy: () => 100,
      redisOptions: { maxRetriesPerRequest: 1 },
    });
    ioredis.on('error', () => undefined);
    await new Promise((resolve) => ioredis.once('ready', resolve));
    nodeRedis = createCluster({ rootNodes: cluster.ports.map((port) => ({ socket: { host: '127.0.0.1', port } })) });
    nodeRedis.on('error', () => undefined);
    await nodeRedis.connect();
  }, 60_000);

  afterAll(async () => {
    ioredis.disconnect();
    nodeRedis.destroy();
    await cluster.close();
  });

  // The shared contract cases, through each client's Cluster object as it is.
  describe('RateLimitStore contract: ioredis Cluster', () => {
    runContract(rateLimitStoreContract, () => createRedisStores(ioredis, { prefix: freshPrefix() }).rateLimit, it);
  });
  describe('RateLimitStore contract: node-redis createCluster', () => {
    runContract(rateLimitStoreContract, () => createRedisStores(nodeRedis, { prefix: freshPrefix() }).rateLimit, it);
  });
  describe('QuotaStore contract: ioredis Cluster', () => {
    runContract(quotaStoreContract, () => createRedisStores(ioredis, { prefix: freshPrefix() }).quota, it);
  });
  describe('QuotaStore contract: node-redis createCluster', () => {
    runContract(quotaStoreContract, () => createRedisStores(nodeRedis, { prefix: freshPrefix() }).quota, it);
  });

  it('spreads configs over the masters, each config in one slot, and admits with one script on any of them', async () => {
    const prefix = freshPrefix();
    const stores = createRedisStores(ioredis, { prefix });
    const masters = new Set<number>();
    for (let i = 0; i < 12; i++) {
      const configKey = `link-${i}`;
      const input = { rateLimit: { key: `cast:${configKey}:v4:192.0.2.1`, limit: 1, windowMs: 60_000, nowMs }, quota: { configKey, initial: 2 } };
      expect(await stores.admission.take(input)).toMatchObject({ ok: true, quota: { remaining: 1 } });
      expect(await stores.admission.take(input)).toMatchObject({ ok: false, code: 'rate_limited' });
      masters.add(await cluster.masterOf(`${prefix}{q:${configKey}}`));
    }
    expect(masters.size).toBeGreaterThanOrEqual(2);
  });

  it('serves exactly the quota, and the limit per address, when 4 processes (ioredis and node-redis Clusters) decide 1000 requests', { timeout: 120_000 }, async () => {
    const config = {
      name: 'Cluster day', key: 'cluster-day-0123456789', imageId: 'desktop', allowAnonymous: true,
      sessionsRemaining: 60, ipRateLimit: { sessions: 3, withinSeconds: 60 },
    };
    const jobs = Array.from({ length: 4 }, (_, w) => ({ config, nowMs, ips: Array.from({ length: 250 }, (_, i) => `10.${w}.0.${i % 40}`) }));
    const reports = await runWorkers(cluster.ports, 'cluster-exact:', jobs);
    expect(count(reports, 'created')).toBe(60);
    const perAddress = new Map<string, number>();
    for (const report of reports) for (const { ip, outcome } of report.outcomes) if (outcome === 'created') perAddress.set(ip, (perAddress.get(ip) ?? 0) + 1);
    expect(Math.max(...perAddress.values())).toBeLessThanOrEqual(3);
    expect(await createRedisStores(ioredis, { prefix: 'cluster-exact:' }).quota.remaining(config.key)).toBe(0);
  });

  // Last: it leaves the cluster without one of its masters.
  it('fails closed and oversells nothing when a master is killed mid-burst', { timeout: 60_000 }, async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const prefix = freshPrefix();
      const config = parseCastConfig({
        name: 'Killed', key: 'killed-0123456789abcdef', imageId: 'img', allowAnonymous: true,
        sessionsRemaining: 40, ipRateLimit: { sessions: 2, withinSeconds: 60 },
      });
      const victim = await cluster.masterOf(`${prefix}{q:${config.key}}`);
      const stores = [ioredis, nodeRedis as RedisScriptClient].map((client) => ({
        ...createRedisStores(client, { prefix, commandTimeoutMs: 300 }),
        sessions: createMemoryProvisioner(),
      }));
      const now = new Date(nowMs);
      const decisions: Promise<CastDecision>[] = [];
      let killing: Promise<void> | undefined;
      for (let i = 0; i < 160; i++) {
        if (i === 40) killing = cluster.kill(victim);
        decisions.push(evaluateCast(config, { ip: `198.51.100.${i % 30}`, now }, stores[i % 2] as (typeof stores)[number], { storeTimeoutMs: 1_000 }));
        await sleep(i < 40 ? 2 : 10);
      }
      await killing;
      const settled = await Promise.all(decisions);
      const allowed = settled.filter((d) => d.allowed);
      const codes = new Set(settled.flatMap((d) => (d.allowed ? [] : [d.error.code])));
      expect(allowed.length).toBeGreaterThan(0);
      expect(allowed.length).toBeLessThanOrEqual(40);
      expect([...codes].every((code) => code === 'store_unavailable' || code === 'rate_limited')).toBe(true);
      // after the kill, nothing is served: every decision from the 60th on fails closed
      expect(settled.slice(60).every((d) => !d.allowed && d.error.code === 'store_unavailable' && d.error.status === 503)).toBe(true);
      const perAddress = new Map<number, number>();
      settled.forEach((d, i) => {
        if (d.allowed) perAddress.set(i % 30, (perAddress.get(i % 30) ?? 0) + 1);
      });
      expect(Math.max(...perAddress.values())).toBeLessThanOrEqual(2);
      await sleep(500);
      expect(unhandled).toEqual([]);
    } finally {
      process.removeListener('unhandledRejection', onUnhandled);
    }
  });
});
