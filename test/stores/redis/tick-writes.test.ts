import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdmissionInput } from '../../../src/contract/stores.js';
import { createRedisStores, isRedisStoreError } from '../../../src/stores/redis/index.js';
import { commandsPerWrite } from '../../../src/stores/redis/tick-writes.js';
import { testClients } from './clients.js';
import { redisAvailability, redisSkipNote, startRedisServer, type RedisServer } from './redis-server.js';

const t0 = 1_700_000_000_000;

function admissionOf(configKey: string, ip: string, initial: number): AdmissionInput {
  return { rateLimit: { key: `cast:${configKey}:v4:${ip}`, limit: 5, windowMs: 60_000, nowMs: t0 }, quota: { configKey, initial } };
}

type WriteMethod = (...args: unknown[]) => void;

/** Counts the writes an ioredis client's socket hands to the operating system (`_write`, `_writev`) while `work` runs. */
async function socketWritesDuring<T>(client: Redis, work: () => Promise<T>): Promise<{ writes: number; result: T }> {
  const socket = client.stream as unknown as Record<'_write' | '_writev', WriteMethod | undefined>;
  const original = { _write: socket._write, _writev: socket._writev };
  let writes = 0;
  for (const name of ['_write', '_writev'] as const) {
    const method = original[name];
    if (method === undefined) continue;
    socket[name] = (...args: unknown[]) => {
      writes++;
      Reflect.apply(method, socket, args);
    };
  }
  try {
    const result = await work();
    return { writes, result };
  } finally {
    Object.assign(socket, original);
  }
}

describe.skipIf(!redisAvailability.available)(`ioredis: the scripts of one tick go out together, at most ${commandsPerWrite} a write${redisSkipNote}`, () => {
  let server: RedisServer;
  const clients = testClients(() => server.port);
  let ioredis: Redis;
  let prefixes = 0;
  const freshPrefix = () => `tick${++prefixes}:`;

  beforeAll(async () => {
    server = await startRedisServer();
    ioredis = await clients.ioredis({ enableOfflineQueue: true });
    // Redis loads the scripts on their first call (EVALSHA, NOSCRIPT, EVAL): not what these tests count.
    await createRedisStores(ioredis, { prefix: 'tick0:' }).admission.take(admissionOf('warm', '192.0.2.1', 1));
  });

  afterAll(async () => {
    await clients.closeAll();
    await server.close();
  });

  it('sends 16 admissions started in one tick in one socket write, and each gets its own answer', async () => {
    const stores = createRedisStores(ioredis, { prefix: freshPrefix() });
    const { writes, result } = await socketWritesDuring(ioredis, () =>
      Promise.all(Array.from({ length: 16 }, (_, i) => stores.admission.take(admissionOf('tick', `192.0.2.${i}`, 10)))),
    );
    expect(writes).toBe(1);
    expect(result.filter((taken) => taken.ok)).toHaveLength(10);
    expect(result.filter((taken) => !taken.ok)).toEqual(Array.from({ length: 6 }, () => ({ ok: false, code: 'quota_exhausted' })));
    expect(await stores.quota.remaining('tick')).toBe(0);
  });

  it('splits a tick of 40 admissions into writes of at most 16, so Redis starts on the first while Node prepares the rest', async () => {
    expect(commandsPerWrite).toBe(16);
    const stores = createRedisStores(ioredis, { prefix: freshPrefix() });
    const { writes, result } = await socketWritesDuring(ioredis, () =>
      Promise.all(Array.from({ length: 40 }, (_, i) => stores.admission.take(admissionOf('split', `192.0.2.${i}`, 100)))),
    );
    expect(writes).toBe(3);
    expect(result.map((taken) => (taken.ok ? taken.quota.remaining : -1)).sort((a, b) => b - a)).toEqual(Array.from({ length: 40 }, (_, i) => 99 - i));
    expect(await stores.quota.remaining('split')).toBe(60);
  });

  it('answers the host\u2019s own commands sent in the same tick with their own replies, in order', async () => {
    const prefix = freshPrefix();
    const stores = createRedisStores(ioredis, { prefix });
    const [taken, set, got, remaining] = await Promise.all([
      stores.admission.take(admissionOf('mixed', '192.0.2.1', 3)),
      ioredis.set(`${prefix}host-key`, 'host-value'),
      ioredis.get(`${prefix}host-key`),
      stores.quota.remaining('mixed'),
    ]);
    expect(taken).toMatchObject({ ok: true, quota: { remaining: 2 } });
    expect([set, got, remaining]).toEqual(['OK', 'host-value', 2]);
  });

  it('writes a call made in a later tick too: nothing waits for a tick that already passed', async () => {
    const stores = createRedisStores(ioredis, { prefix: freshPrefix() });
    for (let i = 0; i < 3; i++) {
      const { writes, result } = await socketWritesDuring(ioredis, () => stores.admission.take(admissionOf('later', `192.0.2.${i}`, 5)));
      expect(writes).toBe(1);
      expect(result).toMatchObject({ ok: true, quota: { remaining: 4 - i } });
    }
  });

  it.each([
    ['ioredis sends them again once reconnected', true],
    ['ioredis fails them', false],
  ])('loses nothing when the socket is destroyed before the tick ends (%s): the quota counts exactly the units served', async (_case, autoResendUnfulfilledCommands) => {
    const client = await clients.ioredis({ enableOfflineQueue: true, autoResendUnfulfilledCommands });
    const stores = createRedisStores(client, { prefix: freshPrefix(), commandTimeoutMs: 500 });
    const calls = Array.from({ length: 4 }, (_, i) => stores.admission.take(admissionOf('cut', `192.0.2.${i}`, 5)));
    client.stream.destroy();
    const settled = await Promise.allSettled(calls);
    let served = 0;
    for (const outcome of settled) {
      if (outcome.status === 'fulfilled') served += outcome.value.ok ? 1 : 0;
      else expect(isRedisStoreError(outcome.reason)).toBe(true);
    }
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(served).toBe(autoResendUnfulfilledCommands ? 4 : 0);
    expect(await stores.quota.remaining('cut')).toBe(served === 0 ? undefined : 5 - served);
  });
});
