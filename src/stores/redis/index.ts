import type { LeaseStore, QuotaStore, RateLimitStore } from '../../contract/stores.js';
import { defaultCommandTimeoutMs, durationProblem } from '../../engine/deadline.js';
import { createScriptRunner, type RedisScriptClient } from './client.js';
import { createKeyNames } from './keys.js';
import { createRedisLeaseStore } from './leases.js';
import { createRedisQuotaStore } from './quota.js';
import { createRedisRateLimitStore } from './rate-limit.js';

/**
 * Options of {@link createRedisStores}.
 *
 * @example
 * ```ts
 * import type { RedisStoresOptions } from 'castgate/redis';
 * const options: RedisStoresOptions = { prefix: 'myapp:castgate:', commandTimeoutMs: 500 };
 * ```
 */
export interface RedisStoresOptions {
  /**
   * Put before every key, to share a Redis with other applications. Must not contain `{` or `}`
   * (castgate places its own Redis Cluster hash tag after it).
   * @defaultValue `'castgate:'`
   */
  readonly prefix?: string;
  /**
   * How long one store call may take, every round trip included, before it rejects with
   * `RedisStoreError` (`store_unavailable`). Keep it below the evaluator's `storeTimeoutMs`.
   * @defaultValue 1000
   */
  readonly commandTimeoutMs?: number;
  /**
   * How long a quota reservation can still be given back. A later give-back is ignored.
   * @defaultValue 3_600_000 (one hour)
   */
  readonly quotaReservationTtlMs?: number;
}

/**
 * The stores {@link createRedisStores} returns: a rate limit, a quota and live-session leases that
 * many processes share.
 *
 * @example
 * ```ts
 * import type { RedisStores } from 'castgate/redis';
 * const describeStores = (stores: RedisStores) => Object.keys(stores); // ['rateLimit', 'quota', 'leases']
 * ```
 */
export interface RedisStores {
  readonly rateLimit: RateLimitStore;
  readonly quota: QuotaStore;
  readonly leases: LeaseStore;
}

const defaultPrefix = 'castgate:';
const defaultQuotaReservationTtlMs = 3_600_000;

function checkDuration(name: string, value: number): number {
  const problem = durationProblem(name, value, true);
  if (problem !== undefined) throw new TypeError(`castgate/redis: ${problem}`);
  return value;
}

/**
 * Creates a `RateLimitStore`, a `QuotaStore` and a `LeaseStore` (SPEC §16) on Redis, shared by every
 * process that uses the same Redis and prefix. Takes an ioredis (v5) or node-redis (v4, v5) client as it is, single node or
 * cluster; the host connects and closes it. Every operation is one Lua script (EVALSHA, with EVAL
 * when Redis has not loaded it yet), atomic, one round trip. Each call rejects with `RedisStoreError`
 * (code `store_unavailable`) when it fails or takes longer than `commandTimeoutMs`, so the engine
 * answers 503 and never hangs; set the client to fail fast while disconnected (ioredis
 * `enableOfflineQueue: false` or `maxRetriesPerRequest: 1`; node-redis `disableOfflineQueue: true`).
 * A call that timed out may still run on Redis later: then a slot or unit is taken for no session
 * (castgate may under-serve, never over-serve); a slot frees with its window, such a quota unit stays
 * taken (an admin can `setRemaining`). Every key has a TTL except the quota counters; keys are
 * `prefix` + a Redis Cluster hash tag, so each script's keys share one slot. Throws a `TypeError` for
 * an unusable client or option.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { createMemoryStores, evaluateCast, parseCastConfig } from 'castgate';
 * import { createRedisStores } from 'castgate/redis';
 * const config = parseCastConfig({ name: 'Demo', key: 'demo-0123456789abcdef', imageId: 'chrome', allowAnonymous: true, sessionsRemaining: 100 });
 * const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { enableOfflineQueue: false });
 * const stores = { ...createMemoryStores(), ...createRedisStores(redis) };
 * const decision = await evaluateCast(config, { ip: '192.0.2.1' }, stores);
 * ```
 */
export function createRedisStores(client: RedisScriptClient, options: RedisStoresOptions = {}): RedisStores {
  const runner = createScriptRunner(client);
  const prefix = options.prefix ?? defaultPrefix;
  const keys = createKeyNames(prefix);
  const commandTimeoutMs = checkDuration('commandTimeoutMs', options.commandTimeoutMs ?? defaultCommandTimeoutMs);
  const reservationTtlMs = checkDuration('quotaReservationTtlMs', options.quotaReservationTtlMs ?? defaultQuotaReservationTtlMs);
  return {
    rateLimit: createRedisRateLimitStore(runner, { keys, commandTimeoutMs }),
    quota: createRedisQuotaStore(runner, { keys, commandTimeoutMs, reservationTtlMs }),
    leases: createRedisLeaseStore(runner, { prefix, commandTimeoutMs }),
  };
}

export { RedisStoreError, isRedisStoreError } from './errors.js';
export type { RedisStoreFailure } from './errors.js';
export type { IoredisScriptClient, NodeRedisScriptClient, RedisScriptClient } from './client.js';
