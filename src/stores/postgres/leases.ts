import type { LeaseBinding, LeaseRef, LeaseStore } from '../../contract/stores.js';
import { invalidAcquire, invalidBind, invalidBoundTo, invalidRelease, invalidRenew } from '../validate.js';
import type { QueryRunner } from './client.js';
import { withDeadline } from './deadline.js';
import { PostgresStoreError } from './errors.js';
import type { PostgresStoreSettings } from './rate-limit.js';
import { firstRow, readNumber } from './reply.js';
import { garbageGraceMs, maxLimit } from './schema.js';

function unexpected(): PostgresStoreError {
  return new PostgresStoreError('unexpected_reply', 'castgate/postgres: unexpected lease reply');
}

/** The shared lease checks (every backend rejects the same input), and a limit that fits PostgreSQL's `integer`. */
function checkAcquire(input: { key: unknown; limit: number; leaseId: unknown; ttlMs: unknown; nowMs: unknown }): TypeError | undefined {
  return invalidAcquire(input) ?? (input.limit > maxLimit ? new TypeError(`castgate/postgres: lease \`limit\` must be at most ${maxLimit}`) : undefined);
}

/** The leases of a binding as stored (a JSON array of `{ key, leaseId }`), or `undefined` when it is not that. */
function readLeases(text: unknown): LeaseRef[] | undefined {
  if (typeof text !== 'string') return undefined;
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) return undefined;
  const leases: LeaseRef[] = [];
  for (const item of parsed) {
    const { key, leaseId } = (typeof item === 'object' && item !== null ? item : {}) as { key?: unknown; leaseId?: unknown };
    if (typeof key !== 'string' || typeof leaseId !== 'string') return undefined;
    leases.push({ key, leaseId });
  }
  return leases;
}

/**
 * A {@link LeaseStore} on PostgreSQL (SPEC §16): a row per lease with the instant it expires (the
 * caller's `nowMs` + `ttlMs`), and a row per session binding. `acquire` is the `lease_acquire`
 * function, which holds a transaction-scoped advisory lock on the key while it counts the live
 * leases and inserts, so no number of processes can grant more than `limit`; `renew`, `release`,
 * `bind` and `boundTo` are one plain statement each. One round trip per call. An acquire answered
 * after the caller gave up releases its lease.
 */
export function createPostgresLeaseStore(runner: QueryRunner, settings: PostgresStoreSettings): LeaseStore {
  const { schema, commandTimeoutMs } = settings;
  const acquireSql = `SELECT ${schema}.lease_acquire($1::text, $2::integer, $3::text, $4::float8, $5::float8) AS retry_after_ms`;
  const renewSql = `UPDATE ${schema}.leases SET expires_at_ms = $4::float8 + $3::float8
    WHERE key = $1::text AND lease_id = $2::text AND expires_at_ms > $4::float8 RETURNING 1 AS found`;
  const releaseSql = `WITH gone AS (DELETE FROM ${schema}.leases WHERE key = $1::text AND lease_id = $2::text RETURNING expires_at_ms)
    SELECT count(*)::int AS found FROM gone WHERE $3::float8 IS NULL OR expires_at_ms > $3::float8`;
  // `$3::text::jsonb`: typed text, so postgres.js sends the JSON as it is (it would stringify a jsonb parameter again).
  const bindSql = `WITH collected AS (
      DELETE FROM ${schema}.lease_bindings WHERE ctid = ANY (ARRAY(
        SELECT g.ctid FROM ${schema}.lease_bindings g WHERE g.kept_until_ms <= $5::float8 - ${garbageGraceMs} LIMIT 4 FOR UPDATE SKIP LOCKED))
    )
    INSERT INTO ${schema}.lease_bindings (config_key, session_id, leases, ttl_ms, kept_until_ms)
    VALUES ($1::text, $2::text, $3::text::jsonb, $4::float8, $5::float8 + $4::float8)
    ON CONFLICT (config_key, session_id) DO UPDATE SET leases = excluded.leases, ttl_ms = excluded.ttl_ms,
      kept_until_ms = greatest(${schema}.lease_bindings.kept_until_ms, excluded.kept_until_ms)`;
  const boundToSql = `SELECT leases::text AS leases, ttl_ms FROM ${schema}.lease_bindings WHERE config_key = $1::text AND session_id = $2::text`;

  function release(input: { key: string; leaseId: string; nowMs?: number; signal?: AbortSignal }): Promise<boolean> {
    const invalid = invalidRelease(input);
    if (invalid !== undefined) return Promise.reject(invalid);
    const { nowMs } = input;
    const values = [input.key, input.leaseId, nowMs === undefined ? null : String(nowMs)];
    return withDeadline('lease release', commandTimeoutMs, input.signal, () => runner.query(releaseSql, values)).then((rows) => {
      const found = readNumber(firstRow(rows)?.found);
      if (found === undefined) throw unexpected();
      return found > 0;
    });
  }

  function acquire(input: { key: string; limit: number; leaseId: string; ttlMs: number; nowMs: number; signal?: AbortSignal }): Promise<
    { ok: true } | { ok: false; retryAfterMs: number }
  > {
    const invalid = checkAcquire(input);
    if (invalid !== undefined) return Promise.reject(invalid);
    const { key, leaseId } = input;
    const values = [key, String(input.limit), leaseId, String(input.ttlMs), String(input.nowMs)];
    return withDeadline(
      'lease acquire',
      commandTimeoutMs,
      input.signal,
      () => runner.query(acquireSql, values),
      (rows) => {
        if (firstRow(rows)?.retry_after_ms === null) release({ key, leaseId }).catch(() => undefined);
      },
    ).then((rows) => {
      const row = firstRow(rows);
      if (row === undefined) throw unexpected();
      if (row.retry_after_ms === null) return { ok: true } as const;
      const retryAfterMs = readNumber(row.retry_after_ms);
      if (retryAfterMs === undefined) throw unexpected();
      return { ok: false, retryAfterMs } as const;
    });
  }

  function renew(input: { key: string; leaseId: string; ttlMs: number; nowMs: number; signal?: AbortSignal }): Promise<boolean> {
    const invalid = invalidRenew(input);
    if (invalid !== undefined) return Promise.reject(invalid);
    const values = [input.key, input.leaseId, String(input.ttlMs), String(input.nowMs)];
    return withDeadline('lease renew', commandTimeoutMs, input.signal, () => runner.query(renewSql, values)).then((rows) => rows.length > 0);
  }

  function bind(input: { configKey: string; sessionId: string; leases: readonly LeaseRef[]; ttlMs: number; nowMs: number; signal?: AbortSignal }): Promise<void> {
    const invalid = invalidBind(input);
    if (invalid !== undefined) return Promise.reject(invalid);
    const leases = JSON.stringify(input.leases.map(({ key, leaseId }) => ({ key, leaseId })));
    const values = [input.configKey, input.sessionId, leases, String(input.ttlMs), String(input.nowMs)];
    return withDeadline('lease bind', commandTimeoutMs, input.signal, () => runner.query(bindSql, values)).then(() => undefined);
  }

  function boundTo(input: { configKey: string; sessionId: string; signal?: AbortSignal }): Promise<LeaseBinding | null> {
    const invalid = invalidBoundTo(input);
    if (invalid !== undefined) return Promise.reject(invalid);
    return withDeadline('lease bound-to', commandTimeoutMs, input.signal, () => runner.query(boundToSql, [input.configKey, input.sessionId])).then((rows) => {
      const row = firstRow(rows);
      if (row === undefined) return null;
      const leases = readLeases(row.leases);
      const ttlMs = readNumber(row.ttl_ms);
      if (leases === undefined || ttlMs === undefined) throw unexpected();
      return { leases, ttlMs };
    });
  }

  return { acquire, renew, release, bind, boundTo };
}
