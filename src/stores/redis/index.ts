import type { AdmissionStore, LeaseStore, QuotaStore, RateLimitStore } from '../../contract/stores.js';
import { defaultCommandTimeoutMs, durationProblem } from '../../engine/deadline.js';
import { createRedisAdmissionStore } from './admission.js';
import { createScriptRunner, type RedisScriptClient } from './client.js';
import { ScriptCalls } from './script-calls.js';
import { createKeyNames } from './keys.js';
import { createRedisLeaseStore } from './leases.js';
import { createRedisQuotaStore } from './quota.js';
import { createRedisRateLimitStore } from './rate-limit.js';
import type { RedisStoreSettings } from './settings.js';

/**
 * Options of {@link createRedisStores}.
 *
 * @example
 * ```ts
 * import type { RedisStoresOptions } from 'castgate/redis';
 * const options: RedisStoresOptions = { prefix: 'myapp:castgate:', commandTimeoutMs: 500, clock: 'redis', reservationTtlMs: 120_000 };
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
   * How long one store call may take before it rejects with `RedisStoreError` (`store_unavailable`).
   * Keep it below the evaluator's `storeTimeoutMs`. What a late call took is given back when its
   * answer arrives.
   * @defaultValue 1000
   */
  readonly commandTimeoutMs?: number;
  /**
   * How long a quota reservation can still be given back. A later give-back is ignored.
   * @defaultValue 3_600_000 (one hour)
   */
  readonly quotaReservationTtlMs?: number;
  /**
   * Crash-safe quota (off by default): a taken unit stays pending until `quota.commit` (the engine
   * sends it after provisioning) and comes back by itself when it is not committed within this many
   * milliseconds, on Redis's clock. Costs one more call per allowed decision.
   */
  readonly reservationTtlMs?: number;
  /**
   * Whose clock rate-limit windows, peeks and retry times use: `'host'`, the decision's one instant
   * (`nowMs`); or `'redis'`, Redis's `TIME`, so hosts with skewed clocks cannot skew windows.
   * @defaultValue `'host'`
   */
  readonly clock?: 'host' | 'redis';
}

/**
 * The stores {@link createRedisStores} returns: a rate limit, a quota and live-session leases that
 * many processes share, and `admission`, which takes a slot and a unit in one round trip (spread it
 * into the stores object: `{ ...createRedisStores(client), sessions }`).
 *
 * @example
 * ```ts
 * import type { RedisStores } from 'castgate/redis';
 * const describeStores = (stores: RedisStores) => Object.keys(stores); // ['rateLimit', 'quota', 'admission', 'leases']
 * ```
 */
export interface RedisStores {
  readonly rateLimit: RateLimitStore;
  readonly quota: QuotaStore;
  readonly admission: AdmissionStore;
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
 * Creates a `RateLimitStore`, a `QuotaStore`, an `AdmissionStore` and a `LeaseStore` (SPEC §16) on
 * Redis (7 or later), shared by
 * every process that uses the same Redis and prefix. Takes an ioredis (v5) or node-redis (v4, v5)
 * client as it is, single node or Cluster (ioredis `Cluster`, node-redis `createCluster`); the host
 * connects and closes it. Every operation is one Lua script (EVALSHA, with EVAL when Redis has not
 * loaded it yet), atomic, one round trip; an anonymous decision with a rate limit and a quota sends
 * one. All keys of one config share a Cluster slot. Each call rejects with `RedisStoreError` (code
 * `store_unavailable`) when it fails or takes longer than `commandTimeoutMs`, so the engine answers
 * 503 and never hangs; what such a call took is given back once Redis answers. Set the client to fail
 * fast while disconnected (ioredis `enableOfflineQueue: false`; node-redis `disableOfflineQueue:
 * true`). Quota counters have no TTL and are never created under an `allkeys-*` eviction policy;
 * every other key has a TTL. Throws a `TypeError` for an unusable client or option.
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
  const honourTtlMs = checkDuration('quotaReservationTtlMs', options.quotaReservationTtlMs ?? defaultQuotaReservationTtlMs);
  const pendingTtlMs = options.reservationTtlMs === undefined ? undefined : checkDuration('reservationTtlMs', options.reservationTtlMs);
  const clock: unknown = options.clock ?? 'host';
  if (clock !== 'host' && clock !== 'redis') throw new TypeError("castgate/redis: `clock` must be 'host' or 'redis'");
  const settings: RedisStoreSettings = {
    keys,
    calls: new ScriptCalls(runner, commandTimeoutMs),
    clock,
    honourTtl: String(honourTtlMs),
    pendingTtl: pendingTtlMs === undefined ? undefined : String(pendingTtlMs),
  };
  const rateLimit = createRedisRateLimitStore(settings);
  const quota = createRedisQuotaStore(settings);
  return {
    rateLimit,
    quota,
    admission: createRedisAdmissionStore(settings, rateLimit, quota),
    leases: createRedisLeaseStore(runner, { prefix, commandTimeoutMs }),
  };
}

export { RedisStoreError, isRedisStoreError } from './errors.js';
export type { RedisStoreFailure } from './errors.js';
export type { IoredisScriptClient, NodeRedisScriptClient, RedisScriptClient } from './client.js';
