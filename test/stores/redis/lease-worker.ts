// A worker process of leases-multi-process.test.ts: acquires leases on a Redis lease store shared
// with the other workers, all at once, and reports how many it was granted.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { createRedisStores, type RedisScriptClient } from '../../../src/stores/redis/index.js';

/** What the parent sends once every worker is ready. */
export interface LeaseWorkerJob {
  readonly type: 'go';
  readonly key: string;
  readonly limit: number;
  readonly attempts: number;
  readonly nowMs: number;
}

/** What a worker answers: the lease ids it was granted. */
export interface LeaseWorkerReport {
  readonly type: 'done';
  readonly granted: readonly string[];
}

const port = Number(process.env.CASTGATE_REDIS_PORT);
const prefix = process.env.CASTGATE_REDIS_PREFIX ?? 'castgate:';

async function connect(): Promise<{ client: RedisScriptClient; close: () => void }> {
  if (process.env.CASTGATE_REDIS_CLIENT === 'node-redis') {
    const client = createClient({ socket: { port, host: '127.0.0.1' }, disableOfflineQueue: true });
    client.on('error', () => undefined);
    await client.connect();
    return {
      client,
      close: () => {
        client.destroy();
      },
    };
  }
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, enableOfflineQueue: false });
  client.on('error', () => undefined);
  await client.connect();
  return {
    client,
    close: () => {
      client.disconnect();
    },
  };
}

const { client, close } = await connect();
// A generous deadline: two shared cores run four workers; a timeout would under-grant, not test atomicity.
const { leases } = createRedisStores(client, { prefix, commandTimeoutMs: 15_000 });

process.once('message', (job: LeaseWorkerJob) => {
  void Promise.all(
    Array.from({ length: job.attempts }, async () => {
      const leaseId = randomUUID();
      const held = await leases.acquire({ key: job.key, limit: job.limit, leaseId, ttlMs: 60_000, nowMs: job.nowMs });
      return held.ok ? leaseId : null;
    }),
  ).then((ids) => {
    const report: LeaseWorkerReport = { type: 'done', granted: ids.filter((id) => id !== null) };
    process.send?.(report);
    close();
    process.disconnect();
  });
});
process.send?.({ type: 'ready' });
