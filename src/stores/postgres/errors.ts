/**
 * Why a PostgreSQL store could not answer: the query took longer than `commandTimeoutMs`, the
 * caller's signal was aborted, the client or the server refused the query (connection lost, server
 * down, tables missing: run `migrate()`), or the server answered something the store does not
 * understand.
 *
 * @example
 * ```ts
 * import type { PostgresStoreFailure } from 'castgate/postgres';
 * const worthAlerting = (reason: PostgresStoreFailure) => reason === 'query_failed';
 * ```
 */
export type PostgresStoreFailure = 'timeout' | 'aborted' | 'query_failed' | 'unexpected_reply';

/**
 * The one error the PostgreSQL stores reject with when they cannot answer. Its `code` is always
 * `'store_unavailable'` (what the engine answers, 503); `reason` says why and `cause` holds the
 * client's own error, if any (with its SQLSTATE in `cause.code` for node-postgres and PGlite).
 * A denial is never an error.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * import { createPostgresStores, isPostgresStoreError } from 'castgate/postgres';
 * const { quota } = createPostgresStores(new pg.Pool());
 * try { await quota.remaining('excel'); } catch (error) {
 *   if (isPostgresStoreError(error)) console.warn(error.code, error.reason);
 * }
 * ```
 */
export class PostgresStoreError extends Error {
  /** Always `'store_unavailable'`. */
  readonly code = 'store_unavailable' as const;
  readonly reason: PostgresStoreFailure;

  constructor(reason: PostgresStoreFailure, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PostgresStoreError';
    this.reason = reason;
  }
}

/**
 * True when `error` is a {@link PostgresStoreError}, also across realms and bundles (checks the
 * name and the code, not the prototype). Never throws.
 *
 * @example
 * ```ts
 * import { isPostgresStoreError } from 'castgate/postgres';
 * isPostgresStoreError(new Error('x')); // false
 * ```
 */
export function isPostgresStoreError(error: unknown): error is PostgresStoreError {
  return error instanceof Error && error.name === 'PostgresStoreError' && (error as { code?: unknown }).code === 'store_unavailable';
}
