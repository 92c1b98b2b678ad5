import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStores } from '../../../src/stores/redis/index.js';
import type { LeaseWorkerJob, LeaseWorkerReport } from './lease-worker.js';
import { redisAvailability, redisSkipNote, startRedisServer, type RedisServer } from './redis-server.js';

const workerPath = fileURLToPath(new URL('./lease-worker.ts', import.meta.url));
const nowMs = Date.parse('2030-01-01T12:00:00Z');

/** Runs one worker process per job; each waits until all are connected, then acquires at once. */
async function runWorkers(port: number, prefix: string, jobs: readonly Omit<LeaseWorkerJob, 'type'>[]): Promise<LeaseWorkerReport[]> {
  const workers: ChildProcess[] = jobs.map((_, i) =>
    fork(workerPath, [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, CASTGATE_REDIS_PORT: String(port), CASTGATE_REDIS_PREFIX: prefix, CASTGATE_REDIS_CLIENT: i % 2 === 0 ? 'ioredis' : 'node-redis' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
  const message = (worker: ChildProcess, type: string) =>
    new Promise<unknown>((resolve, reject) => {
      const onMessage = (m: unknown) => {
        if (typeof m === 'object' && m !== null && (m as { type?: unknown }).type === type) {
          worker.off('message', onMessage);
          resolve(m);
        }
      };
      worker.on('message', onMessage);
      worker.once('exit', (code) => {
        reject(new Error(`worker exited (${code ?? 'signal'}) before sending ${type}`));
      });
    });
  try {
    await Promise.all(workers.map((worker) => message(worker, 'ready')));
    const reports = workers.map((worker) => message(worker, 'done'));
    workers.forEach((worker, i) => worker.send({ type: 'go', ...jobs[i] }));
    return (await Promise.all(reports)) as LeaseWorkerReport[];
  } finally {
    for (const worker of workers) if (worker.exitCode === null) worker.kill();
  }
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
