import { Redis, type RedisOptions } from 'ioredis';
import { createClient } from 'redis';

/** A node-redis client as `createClient` makes it. */
export type NodeRedisClient = ReturnType<typeof createClient>;

/** Clients a suite opens on one server, closed together. */
export interface TestClients {
  ioredis(options?: RedisOptions): Promise<Redis>;
  nodeRedis(options?: { disableOfflineQueue?: boolean; RESP?: 2 | 3 }): Promise<NodeRedisClient>;
  closeAll(): Promise<void>;
}

/** Opens ioredis and node-redis clients on 127.0.0.1:`port` that fail fast and never log connection errors. */
export function testClients(port: () => number): TestClients {
  const opened: { close(): Promise<void> | void }[] = [];
  return {
    async ioredis(options = {}) {
      const client = new Redis({ port: port(), host: '127.0.0.1', lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => 50, ...options });
      client.on('error', () => undefined);
      opened.push({ close: () => { client.disconnect(); } });
      await client.connect();
      return client;
    },
    async nodeRedis(options = {}) {
      const client = createClient({ socket: { port: port(), host: '127.0.0.1', reconnectStrategy: () => 50 }, disableOfflineQueue: true, ...options });
      client.on('error', () => undefined);
      opened.push({ close: () => { client.destroy(); } });
      await client.connect();
      return client;
    },
    async closeAll() {
      for (const client of opened.splice(0)) await client.close();
    },
  };
}
