// A host process of crash-safe.test.ts: decides one anonymous request on Redis stores with
// `reservationTtlMs`, with a provisioner that tells the parent it started and then either finishes
// (CASTGATE_PROVISION=finish) or never does (the parent SIGKILLs the process mid-provisioning).
import { Redis } from 'ioredis';
import { evaluateCast, parseCastConfig, type SessionProvisioner } from '../../../src/index.js';
import { createRedisStores } from '../../../src/stores/redis/index.js';

const port = Number(process.env.CASTGATE_REDIS_PORT);
const finish = process.env.CASTGATE_PROVISION === 'finish';
const client = new Redis({ port, host: '127.0.0.1', enableOfflineQueue: false });
client.on('error', () => undefined);
await new Promise((resolve) => client.once('ready', resolve));

const sessions: SessionProvisioner = {
  findRunning: () => Promise.resolve(null),
  provision: () => {
    process.send?.({ type: 'provisioning' });
    return finish ? Promise.resolve({ id: 'session-1', userId: 'anonymous-1' }) : new Promise<never>(() => undefined);
  },
};
const config = parseCastConfig(JSON.parse(process.env.CASTGATE_CONFIG ?? '{}'));
const stores = { ...createRedisStores(client, { prefix: process.env.CASTGATE_REDIS_PREFIX ?? 'castgate:', reservationTtlMs: Number(process.env.CASTGATE_RESERVATION_TTL_MS) }), sessions };
const decision = await evaluateCast(config, { ip: '192.0.2.7' }, stores, { storeTimeoutMs: 60_000 });
process.send?.({ type: 'decided', allowed: decision.allowed, code: decision.allowed ? undefined : decision.error.code });
client.disconnect();
process.disconnect();
