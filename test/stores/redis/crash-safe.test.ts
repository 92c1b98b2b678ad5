import { fork } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStores } from '../../../src/stores/redis/index.js';
import { testClients } from './clients.js';
import { redisAvailability, redisSkipNote, startRedisServer, type RedisServer } from './redis-server.js';

const workerPath = fileURLToPath(new URL('./crash-worker.ts', import.meta.url));
const t0 = 1_700_000_000_000;

describe.skipIf(!redisAvailability.available)(`crash-safe quota (reservationTtlMs, then commit)${redisSkipNote}`, () => {
  let server: RedisServer;
  const clients = testClients(() => server.port);
  let prefixes = 0;
  const freshPrefix = () => `crash${++prefixes}:`;

  beforeAll(async () => {
    server = await startRedisServer();
  });

  afterAll(async () => {
    await clients.closeAll();
    await server.close();
  });

  /** Runs crash-worker.ts; `kill` SIGKILLs it once its provisioner has started. Resolves with its last message. */
  function runHost(prefix: string, provision: 'hang' | 'finish', reservationTtlMs: number): Promise<{ type: string; allowed?: boolean; killed?: boolean }> {
    const config = { name: 'Crash', key: 'crash-0123456789abcdef', imageId: 'img', allowAnonymous: true, sessionsRemaining: 3, ipRateLimit: { sessions: 5, withinSeconds: 60 } };
    const child = fork(workerPath, [], {
      execArgv: ['--import', 'tsx'],
      env: {
        ...process.env,
        CASTGATE_REDIS_PORT: String(server.port),
        CASTGATE_REDIS_PREFIX: prefix,
        CASTGATE_PROVISION: provision,
        CASTGATE_RESERVATION_TTL_MS: String(reservationTtlMs),
        CASTGATE_CONFIG: JSON.stringify(config),
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new Promise((resolve, reject) => {
      let last: { type: string; allowed?: boolean } = { type: 'none' };
      child.on('message', (message: { type: string; allowed?: boolean }) => {
        last = message;
        if (message.type === 'provisioning' && provision === 'hang') child.kill('SIGKILL');
      });
      child.once('error', reject);
      child.once('exit', (_code, signal) => {
        resolve({ ...last, killed: signal === 'SIGKILL' });
      });
    });
  }

  it('gives back, within reservationTtlMs, the unit of a host SIGKILLed mid-provisioning: remaining() sees it', { timeout: 60_000 }, async () => {
    const prefix = freshPrefix();
    const reservationTtlMs = 1_500;
    const { quota } = createRedisStores(await clients.ioredis(), { prefix, reservationTtlMs });
    const host = await runHost(prefix, 'hang', reservationTtlMs);
    expect(host).toMatchObject({ type: 'provisioning', killed: true });
    expect(await quota.remaining('crash-0123456789abcdef')).toBe(2);
    await sleep(reservationTtlMs + 300);
    // no other take ran: remaining() applies the deadline itself
    expect(await quota.remaining('crash-0123456789abcdef')).toBe(3);
    expect(await quota.take({ configKey: 'crash-0123456789abcdef', initial: 3 })).toMatchObject({ ok: true, remaining: 2 });
  });

  it('never gives back the unit of a host that provisioned its session (the engine commits it)', { timeout: 60_000 }, async () => {
    const prefix = freshPrefix();
    const reservationTtlMs = 800;
    const { quota } = createRedisStores(await clients.ioredis(), { prefix, reservationTtlMs });
    const host = await runHost(prefix, 'finish', reservationTtlMs);
    expect(host).toMatchObject({ type: 'decided', allowed: true, killed: false });
    await sleep(reservationTtlMs + 300);
    expect(await quota.remaining('crash-0123456789abcdef')).toBe(2);
  });

  it('keeps a unit taken without the option (a take is final)', async () => {
    const prefix = freshPrefix();
    const plain = createRedisStores(await clients.ioredis(), { prefix, quotaReservationTtlMs: 100 });
    expect('commit' in plain.quota).toBe(false);
    expect((await plain.quota.take({ configKey: 'final', initial: 2 })).ok).toBe(true);
    await sleep(200);
    expect(await plain.quota.remaining('final')).toBe(1);
  });

  it('never gives back a committed unit, and brings back the one never committed', async () => {
    const { quota } = createRedisStores(await clients.nodeRedis(), { prefix: freshPrefix(), reservationTtlMs: 300 });
    const committed = await quota.take({ configKey: 'c', initial: 3 });
    const forgotten = await quota.take({ configKey: 'c', initial: 3 });
    if (!committed.ok || !forgotten.ok) throw new Error('expected two units');
    await quota.commit?.({ configKey: 'c', reservation: committed.reservation });
    await quota.commit?.({ configKey: 'c', reservation: committed.reservation });
    expect(await quota.remaining('c')).toBe(1);
    await sleep(400);
    expect(await quota.remaining('c')).toBe(2);
    // a give-back after the unit came back adds nothing
    await quota.giveBack({ configKey: 'c', reservation: forgotten.reservation });
    await quota.giveBack({ configKey: 'c', reservation: committed.reservation });
    expect(await quota.remaining('c')).toBe(2);
    expect(await quota.take({ configKey: 'c', initial: 3 })).toMatchObject({ ok: true, remaining: 1 });
  });

  it('takes nothing for a commit that comes after its unit came back, and gives a pending unit back once', async () => {
    const { quota, admission } = createRedisStores(await clients.ioredis(), { prefix: freshPrefix(), reservationTtlMs: 200 });
    const late = await quota.take({ configKey: 'late', initial: 2 });
    if (!late.ok) throw new Error('expected a unit');
    await sleep(300);
    expect(await quota.remaining('late')).toBe(2);
    await quota.commit?.({ configKey: 'late', reservation: late.reservation });
    expect(await quota.remaining('late')).toBe(2);
    const again = await quota.take({ configKey: 'late', initial: 2 });
    if (!again.ok) throw new Error('expected a unit');
    await quota.commit?.({ configKey: 'late', reservation: again.reservation });
    const input = { rateLimit: { key: 'cast:late:v4:192.0.2.1', limit: 2, windowMs: 60_000, nowMs: t0 }, quota: { configKey: 'late', initial: 2 } };
    const both = await admission.take(input);
    if (!both.ok) throw new Error('expected both');
    expect(await quota.remaining('late')).toBe(0);
    const back = { rateLimit: { key: input.rateLimit.key, reservation: both.rateLimit.reservation }, quota: { configKey: 'late', reservation: both.quota.reservation } };
    await admission.giveBack(back);
    await admission.giveBack(back);
    expect(await quota.remaining('late')).toBe(1);
    await sleep(300);
    expect(await quota.remaining('late')).toBe(1);
  });
});
