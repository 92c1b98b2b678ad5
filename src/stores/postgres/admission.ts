import { randomUUID } from 'node:crypto';
import type { AdmissionInput, AdmissionResult, AdmissionStore } from '../../contract/stores.js';
import { invalidQuotaInitial, invalidWindowInput, isCount } from '../validate.js';
import type { QueryRunner } from './client.js';
import { withDeadline } from './deadline.js';
import { PostgresStoreError } from './errors.js';
import { giveBackHonouredMs, type PostgresQuotaSettings } from './quota.js';
import { firstRow, readNumber } from './reply.js';
import { maxLimit } from './schema.js';

function unexpected(): PostgresStoreError {
  return new PostgresStoreError('unexpected_reply', 'castgate/postgres: unexpected admission reply');
}

/**
 * The {@link AdmissionStore} on PostgreSQL (SPEC §13, §14): the rate-limit slot and the quota unit
 * of an anonymous decision in one statement, the `admission_take` function (one round trip): it
 * locks the window's key, checks it, then takes the unit under the counter's row lock, and writes
 * the slot only when the unit was taken, all in one transaction, so both are taken or neither. Its
 * give-back is one more statement. Reservations are the same as the separate stores' (a slot can
 * be given back through `rateLimit.giveBack`, a unit through `quota.giveBack`, and committed
 * through `quota.commit`).
 */
export function createPostgresAdmissionStore(runner: QueryRunner, settings: PostgresQuotaSettings): AdmissionStore {
  const { schema, commandTimeoutMs, reservationTtlMs } = settings;
  const pendingMs = reservationTtlMs === undefined ? null : String(reservationTtlMs);
  const takeSql = `SELECT o_outcome AS outcome, o_retry_after_ms AS retry_after_ms, o_remaining::text AS remaining
    FROM ${schema}.admission_take($1::text, $2::integer, $3::float8, $4::float8, $5::text, $6::text, $7::bigint, $8::text, $9::float8, $10::float8)`;
  const giveBackSql = `SELECT ${schema}.admission_give_back($1::text, $2::text, $3::text, $4::text) AS done`;

  function giveBack(input: {
    rateLimit: { key: string; reservation: string };
    quota: { configKey: string; reservation: string };
    signal?: AbortSignal;
  }): Promise<void> {
    const values = [input.rateLimit.key, input.rateLimit.reservation, input.quota.configKey, input.quota.reservation];
    return withDeadline('admission give-back', commandTimeoutMs, input.signal, () => runner.query(giveBackSql, values)).then(() => undefined);
  }

  function take(input: AdmissionInput): Promise<AdmissionResult> {
    const { rateLimit, quota } = input;
    const invalid = invalidWindowInput('castgate/postgres', 'rate limit', rateLimit, maxLimit) ?? invalidQuotaInitial('castgate/postgres', quota.initial);
    if (invalid !== undefined) return Promise.reject(invalid);
    const slot = randomUUID();
    const reservation = randomUUID();
    const values = [
      rateLimit.key, String(rateLimit.limit), String(rateLimit.windowMs), String(rateLimit.nowMs), slot,
      quota.configKey, String(quota.initial), reservation, pendingMs, String(giveBackHonouredMs),
    ];
    const onLate = (rows: readonly unknown[]): void => {
      if (firstRow(rows)?.outcome !== 'ok') return;
      giveBack({ rateLimit: { key: rateLimit.key, reservation: slot }, quota: { configKey: quota.configKey, reservation } }).catch(() => undefined);
    };
    return withDeadline('admission take', commandTimeoutMs, input.signal, () => runner.query(takeSql, values), onLate).then((rows): AdmissionResult => {
      const row = firstRow(rows);
      if (row?.outcome === 'ok') {
        const remaining = readNumber(row.remaining);
        if (remaining === undefined || !isCount(remaining)) throw unexpected();
        return { ok: true, rateLimit: { reservation: slot }, quota: { reservation, remaining } };
      }
      if (row?.outcome === 'rate_limited') {
        const retryAfterMs = readNumber(row.retry_after_ms);
        if (retryAfterMs === undefined) throw unexpected();
        return { ok: false, code: 'rate_limited', retryAfterMs };
      }
      if (row?.outcome === 'quota_exhausted') return { ok: false, code: 'quota_exhausted' };
      throw unexpected();
    });
  }

  return { take, giveBack };
}
