import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStores } from '../../../src/stores/redis/index.js';
import type { WorkerJob, WorkerReport } from './multi-process-worker.js';
import { redisAvailability, redisSkipNote, startRedisServer, type RedisServer } from './redis-server.js';

const workerPath = fileURLToPath(new URL('./multi-process-worker.ts', import.meta.url));
const nowMs = Date.parse('2030-01-01T12:00:00Z');

/** Runs `jobs.length` worker processes; each waits until all are connected, then decides its requests. */
async function runWorkers(port: number, prefix: string, jobs: readonly Omit<WorkerJob, 'type'>[]): Promise<WorkerReport[]> {
  const workers: ChildProcess[] = jobs.map((_, i) =>
    fork(workerPath, [], {
      execArgv: ['--import', 'tsx'],
      env: {
        ...process.env,
        CASTGATE_REDIS_PORT: String(port),
        CASTGATE_REDIS_PREFIX: prefix,
        CASTGATE_REDIS_CLIENT: i % 2 === 0 ? 'ioredis' : 'node-redis',
      },
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
    return (await Promise.all(reports)) as WorkerReport[];
  } finally {
    for (const worker of workers) if (worker.exitCode === null) worker.kill();
  }
}

function count(reports: readonly WorkerReport[], outcome: string): number {
  return reports.reduce((sum, report) => sum + report.outcomes.filter((o) => o.outcome === outcome).length, 0);
}

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
