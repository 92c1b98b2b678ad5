import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStores } from '../../../src/stores/redis/index.js';
import { count, runWorkers } from './multi-process-run.js';
import { redisAvailability, redisSkipNote, startRedisServer, type RedisServer } from './redis-server.js';

const nowMs = Date.parse('2030-01-01T12:00:00Z');

describe.skipIf(!redisAvailability.available)(`many processes sharing Redis stores${redisSkipNote}`, () => {
  let server: RedisServer;
  let admin: Redis;

  beforeAll(async () => {
    server = await startRedisServer();
    admin = new Redis({ port: server.port, host: '127.0.0.1' });
  });

  afterAll(async () => {
    admin.disconnect();
    await server.close();
  });

  it('serves exactly 100 sessions when 4 worker processes send 250 requests each to a link with 100 left', { timeout: 120_000 }, async () => {
    const config = { name: 'Launch day', key: 'launch-day-0123456789', imageId: 'desktop', allowAnonymous: true, sessionsRemaining: 100 };
    const jobs = Array.from({ length: 4 }, (_, w) => ({
      config,
      nowMs,
      ips: Array.from({ length: 250 }, (_, i) => `10.${w}.${i >> 8}.${i & 255}`),
    }));
    const reports = await runWorkers(server.port, 'quota-test:', jobs);

    expect(count(reports, 'created')).toBe(100);
    expect(count(reports, 'quota_exhausted')).toBe(900);
    expect(await createRedisStores(admin, { prefix: 'quota-test:' }).quota.remaining(config.key)).toBe(0);
  });

  it('serves exactly the limit per address when 4 worker processes send 250 requests each over 10 addresses', { timeout: 120_000 }, async () => {
    const config = {
      name: 'Trial',
      key: 'trial-0123456789abcdef',
      imageId: 'desktop',
      allowAnonymous: true,
      ipRateLimit: { sessions: 3, withinSeconds: 60 },
    };
    const addresses = Array.from({ length: 10 }, (_, i) => `192.0.2.${i + 1}`);
    const jobs = Array.from({ length: 4 }, () => ({ config, nowMs, ips: Array.from({ length: 250 }, (_, i) => addresses[i % 10]!) }));
    const reports = await runWorkers(server.port, 'rate-test:', jobs);

    const servedPerAddress = new Map(addresses.map((ip) => [ip, 0]));
    for (const report of reports) {
      for (const { ip, outcome } of report.outcomes) if (outcome === 'created') servedPerAddress.set(ip, (servedPerAddress.get(ip) ?? 0) + 1);
    }
    expect([...servedPerAddress.values()]).toEqual(addresses.map(() => 3));
    expect(count(reports, 'rate_limited')).toBe(1000 - 30);
  });
});
