/**
 * Why a Redis store could not answer: the command took longer than `commandTimeoutMs`, the caller's
 * signal was aborted, Redis or the client refused the command (down, disconnected, an error reply),
 * Redis answered something the store does not understand (what the call took is given back), or
 * Redis runs a `maxmemory-policy` (`allkeys-*`) that could evict a quota counter, which the quota
 * store refuses to create (the error's message names the policy).
 *
 * @example
 * ```ts
 * import type { RedisStoreFailure } from 'castgate/redis';
 * const retryable = (reason: RedisStoreFailure) => reason !== 'unexpected_reply';
 * ```
 */
export type RedisStoreFailure = 'timeout' | 'aborted' | 'command_failed' | 'unexpected_reply' | 'unsafe_eviction_policy';

/**
 * The one error the Redis stores reject with when they cannot answer. Its `code` is always
 * `'store_unavailable'` (what the engine answers, 503); `reason` says why and `cause` holds the
 * client's own error, if any. Nothing is thrown synchronously; a denial is never an error.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { createRedisStores, isRedisStoreError } from 'castgate/redis';
 * const { quota } = createRedisStores(new Redis({ enableOfflineQueue: false }));
 * try { await quota.remaining('excel'); } catch (error) {
 *   if (isRedisStoreError(error)) console.warn(error.code, error.reason);
 * }
 * ```
 */
export class RedisStoreError extends Error {
  /** Always `'store_unavailable'`. */
  readonly code = 'store_unavailable' as const;
  readonly reason: RedisStoreFailure;

  constructor(reason: RedisStoreFailure, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RedisStoreError';
    this.reason = reason;
  }
}

/**
 * True when `error` is a {@link RedisStoreError}, also across realms and bundles (checks the name
 * and the code, not the prototype). Never throws.
 *
 * @example
 * ```ts
 * import { isRedisStoreError } from 'castgate/redis';
 * isRedisStoreError(new Error('x')); // false
 * ```
 */
export function isRedisStoreError(error: unknown): error is RedisStoreError {
  return error instanceof Error && error.name === 'RedisStoreError' && (error as { code?: unknown }).code === 'store_unavailable';
}
