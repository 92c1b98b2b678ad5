// A worker process of multi-process.test.ts: decides its share of the requests with evaluateCast on
// Redis rate-limit and quota stores shared with the other workers, and reports every outcome.
import { Cluster, Redis } from 'ioredis';
import { createClient, createCluster } from 'redis';
import { createMemoryStores, evaluateCast, parseCastConfig } from '../../../src/index.js';
import { createRedisStores, type RedisScriptClient } from '../../../src/stores/redis/index.js';

/** What the parent sends once every worker is ready. */
export interface WorkerJob {
  readonly type: 'go';
  readonly config: unknown;
  readonly ips: readonly string[];
  readonly nowMs: number;
}

/** What a worker answers: one outcome per request, in order (`created` or the denial code). */
export interface WorkerReport {
  readonly type: 'done';
  readonly outcomes: readonly { ip: string; outcome: string }[];
}

const port = Number(process.env.CASTGATE_REDIS_PORT);
// With CASTGATE_REDIS_CLUSTER_PORTS (comma-separated), the masters of a Redis Cluster instead.
const clusterPorts = (process.env.CASTGATE_REDIS_CLUSTER_PORTS ?? '').split(',').filter((p) => p !== '').map(Number);
const prefix = process.env.CASTGATE_REDIS_PREFIX ?? 'castgate:';
const useNodeRedis = process.env.CASTGATE_REDIS_CLIENT === 'node-redis';

async function connectCluster(): Promise<{ client: RedisScriptClient; close: () => void }> {
  if (useNodeRedis) {
    const client = createCluster({ rootNodes: clusterPorts.map((p) => ({ socket: { port: p, host: '127.0.0.1' } })) });
    client.on('error', () => undefined);
    await client.connect();
    return {
      client,
      close: () => {
        void client.close();
      },
    };
  }
  const client = new Cluster(clusterPorts.map((p) => ({ port: p, host: '127.0.0.1' })));
  client.on('error', () => undefined);
  await new Promise((resolve) => client.once('ready', resolve));
  return {
    client,
    close: () => {
      client.disconnect();
    },
  };
}

async function connect(): Promise<{ client: RedisScriptClient; close: () => void }> {
  if (clusterPorts.length > 0) return connectCluster();
  if (useNodeRedis) {
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

const send = (message: unknown): void => {
  process.send?.(message);
};

const { client, close } = await connect();
// Generous deadlines: two shared cores run four workers; a timeout would under-serve, not test atomicity.
const stores = { ...createMemoryStores(), ...createRedisStores(client, { prefix, commandTimeoutMs: 15_000 }) };

process.once('message', (job: WorkerJob) => {
  const config = parseCastConfig(job.config);
  const now = new Date(job.nowMs);
  void Promise.all(
    job.ips.map(async (ip) => {
      const decision = await evaluateCast(config, { ip, now }, stores, { storeTimeoutMs: 20_000 });
      return { ip, outcome: decision.allowed ? decision.outcome : decision.error.code };
    }),
  ).then((outcomes) => {
    const report: WorkerReport = { type: 'done', outcomes };
    send(report);
    close();
    process.disconnect();
  });
});
send({ type: 'ready' });
