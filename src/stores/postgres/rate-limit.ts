import { randomUUID } from 'node:crypto';
import type { RateLimitInput, RateLimitStore } from '../../contract/stores.js';
import { invalidWindowInput } from '../validate.js';
import type { QueryRunner } from './client.js';
import { withDeadline } from './deadline.js';
import { PostgresStoreError } from './errors.js';
import { firstRow, readNumber } from './reply.js';
import { maxLimit } from './schema.js';

/** What the stores share besides the client. */
export interface PostgresStoreSettings {
  /** The schema, quoted (`"castgate"`). */
  readonly schema: string;
  readonly commandTimeoutMs: number;
}

function unexpected(): PostgresStoreError {
  return new PostgresStoreError('unexpected_reply', 'castgate/postgres: unexpected rate-limit reply');
}

/**
 * An exact sliding-window {@link RateLimitStore} on PostgreSQL: a row per slot taken, and one
 * statement per take, peek or give-back (one round trip). A take calls the `rate_limit_take`
 * function, which holds a transaction-scoped advisory lock on the key while it counts and inserts,
 * so no number of processes can oversell a window. Time comes from the caller's `nowMs`. A take
 * answered after the caller gave up (timeout, abort) gives its slot back.
 */
export function createPostgresRateLimitStore(runner: QueryRunner, settings: PostgresStoreSettings): RateLimitStore {
  const { schema, commandTimeoutMs } = settings;
  const takeSql = `SELECT ${schema}.rate_limit_take($1::text, $2::integer, $3::float8, $4::float8, $5::text) AS retry_after_ms`;
  const peekSql = `SELECT greatest(1, ceil(w.taken_at_ms + $3::float8 - $4::float8)) AS retry_after_ms FROM ${schema}.rate_limit_slots w
    WHERE w.key = $1::text AND w.taken_at_ms > $4::float8 - $3::float8 ORDER BY w.taken_at_ms DESC OFFSET $2::integer - 1 LIMIT 1`;
  const giveBackSql = `DELETE FROM ${schema}.rate_limit_slots WHERE key = $1::text AND reservation = $2::text`;

  function giveBack(input: { key: string; reservation: string; signal?: AbortSignal }): Promise<void> {
    return withDeadline('rate limit give-back', commandTimeoutMs, input.signal, () => runner.query(giveBackSql, [input.key, input.reservation])).then(
      () => undefined,
    );
  }

  function take(input: RateLimitInput): Promise<{ ok: true; reservation: string } | { ok: false; retryAfterMs: number }> {
    const invalid = invalidWindowInput('castgate/postgres', 'rate limit', input, maxLimit);
    if (invalid !== undefined) return Promise.reject(invalid);
    const { key, limit, windowMs, nowMs } = input;
    const reservation = randomUUID();
    const values = [key, String(limit), String(windowMs), String(nowMs), reservation];
    const read = (rows: readonly unknown[]): { ok: true; reservation: string } | { ok: false; retryAfterMs: number } => {
      const row = firstRow(rows);
      if (row === undefined) throw unexpected();
      if (row.retry_after_ms === null) return { ok: true, reservation };
      const retryAfterMs = readNumber(row.retry_after_ms);
      if (retryAfterMs === undefined) throw unexpected();
      return { ok: false, retryAfterMs };
    };
    return withDeadline(
      'rate limit take',
      commandTimeoutMs,
      input.signal,
      () => runner.query(takeSql, values),
      (rows) => {
        if (firstRow(rows)?.retry_after_ms === null) giveBack({ key, reservation }).catch(() => undefined);
      },
    ).then(read);
  }

  function peek(input: RateLimitInput): Promise<{ full: boolean; retryAfterMs: number }> {
    const invalid = invalidWindowInput('castgate/postgres', 'rate limit', input, maxLimit);
    if (invalid !== undefined) return Promise.reject(invalid);
    const values = [input.key, String(input.limit), String(input.windowMs), String(input.nowMs)];
    return withDeadline('rate limit peek', commandTimeoutMs, input.signal, () => runner.query(peekSql, values)).then((rows) => {
      const row = firstRow(rows);
      if (row === undefined) return { full: false, retryAfterMs: 0 };
      const retryAfterMs = readNumber(row.retry_after_ms);
      if (retryAfterMs === undefined) throw unexpected();
      return { full: true, retryAfterMs };
    });
  }

  return { take, peek, giveBack };
}
