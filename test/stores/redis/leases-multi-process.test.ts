import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStores } from '../../../src/stores/redis/index.js';
import { runWorkerProcesses } from '../../helpers/worker-processes.js';
import type { LeaseWorkerJob, LeaseWorkerReport } from './lease-worker.js';
import { redisAvailability, redisSkipNote, startRedisServer, type RedisServer } from './redis-server.js';

const workerPath = fileURLToPath(new URL('./lease-worker.ts', import.meta.url));
const nowMs = Date.parse('2030-01-01T12:00:00Z');

/** Runs one worker process per job; each waits until all are connected, then acquires at once. */
function runWorkers(port: number, prefix: string, jobs: readonly Omit<LeaseWorkerJob, 'type'>[]): Promise<LeaseWorkerReport[]> {
  return runWorkerProcesses<LeaseWorkerReport>(workerPath, jobs, (i) => ({
    CASTGATE_REDIS_PORT: String(port),
    CASTGATE_REDIS_PREFIX: prefix,
    CASTGATE_REDIS_CLIENT: i % 2 === 0 ? 'ioredis' : 'node-redis',
  }));
}

describe.skipIf(!redisAvailability.available)(`many processes sharing a Redis lease store${redisSkipNote}`, () => {
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

  it('grants exactly 7 leases when 4 worker processes ask for 150 each at once under a limit of 7', { timeout: 120_000 }, async () => {
    const jobs = Array.from({ length: 4 }, () => ({ key: 'cast:demo:live', limit: 7, attempts: 150, nowMs }));
    const reports = await runWorkers(server.port, 'lease-test:', jobs);
    const granted = reports.flatMap((report) => report.granted);
    expect(granted).toHaveLength(7);
    expect(await admin.zcard('lease-test:{c:demo}:ls:cast:demo:live')).toBe(7);
    const { leases } = createRedisStores(admin, { prefix: 'lease-test:' });
    for (const leaseId of granted) expect(await leases.renew({ key: 'cast:demo:live', leaseId, ttlMs: 60_000, nowMs: nowMs + 1 })).toBe(true);
  });
});
