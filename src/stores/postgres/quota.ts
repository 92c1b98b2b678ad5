import { randomUUID } from 'node:crypto';
import type { QuotaStore } from '../../contract/stores.js';
import { invalidQuotaInitial, invalidRemaining, isCount } from '../validate.js';
import type { QueryRunner } from './client.js';
import { withDeadline } from './deadline.js';
import { PostgresStoreError } from './errors.js';
import type { PostgresStoreSettings } from './rate-limit.js';
import { firstRow, readNumber } from './reply.js';

/** What the quota store needs besides the shared settings. */
export interface PostgresQuotaSettings extends PostgresStoreSettings {
  /** Crash-safe quota: how long a taken unit stays pending before it comes back uncommitted; `undefined`: takes are final. */
  readonly reservationTtlMs: number | undefined;
}

/** How long a give-back of a final take is honoured (on the server's clock); a later one is ignored. */
export const giveBackHonouredMs = 3_600_000;

function unexpected(): PostgresStoreError {
  return new PostgresStoreError('unexpected_reply', 'castgate/postgres: unexpected quota reply');
}

/**
 * A {@link QuotaStore} on PostgreSQL: a counter row per config key, created at `initial` and taken
 * under its row lock by the `quota_take` function (one statement, one round trip), so no number of
 * processes can oversell it; a row per unit taken lets a give-back return it once. With
 * `reservationTtlMs`, a taken unit is pending until `commit`, and comes back by itself when that
 * deadline passes on the server's clock (`clock_timestamp()`). A take answered after the caller
 * gave up gives its unit back.
 */
export function createPostgresQuotaStore(runner: QueryRunner, settings: PostgresQuotaSettings): QuotaStore {
  const { schema, commandTimeoutMs, reservationTtlMs } = settings;
  const pendingMs = reservationTtlMs === undefined ? null : String(reservationTtlMs);
  const takeSql = `SELECT ${schema}.quota_take($1::text, $2::bigint, $3::text, $4::float8, $5::float8)::text AS remaining`;
  const giveBackSql = `SELECT ${schema}.quota_give_back($1::text, $2::text) AS given`;
  const remainingSql = `SELECT (c.remaining + (SELECT count(*) FROM ${schema}.quota_reservations r
    WHERE r.config_key = c.config_key AND r.pending_until <= clock_timestamp()))::text AS remaining
    FROM ${schema}.quota_counters c WHERE c.config_key = $1::text`;
  const setRemainingSql = `SELECT ${schema}.quota_set_remaining($1::text, $2::bigint) AS done`;
  const commitSql = `DELETE FROM ${schema}.quota_reservations
    WHERE config_key = $1::text AND reservation = $2::text AND pending_until > clock_timestamp()`;

  function giveBack(input: { configKey: string; reservation: string; signal?: AbortSignal }): Promise<void> {
    return withDeadline('quota give-back', commandTimeoutMs, input.signal, () => runner.query(giveBackSql, [input.configKey, input.reservation])).then(
      () => undefined,
    );
  }

  function take(input: { configKey: string; initial: number; signal?: AbortSignal }): Promise<
    { ok: true; reservation: string; remaining: number } | { ok: false }
  > {
    const invalid = invalidQuotaInitial('castgate/postgres', input.initial);
    if (invalid !== undefined) return Promise.reject(invalid);
    const { configKey } = input;
    const reservation = randomUUID();
    const values = [configKey, String(input.initial), reservation, pendingMs, String(giveBackHonouredMs)];
    return withDeadline(
      'quota take',
      commandTimeoutMs,
      input.signal,
      () => runner.query(takeSql, values),
      (rows) => {
        if (typeof firstRow(rows)?.remaining === 'string') giveBack({ configKey, reservation }).catch(() => undefined);
      },
    ).then((rows) => {
      const row = firstRow(rows);
      if (row === undefined) throw unexpected();
      if (row.remaining === null) return { ok: false } as const;
      const remaining = readNumber(row.remaining);
      if (remaining === undefined || !isCount(remaining)) throw unexpected();
      return { ok: true, reservation, remaining } as const;
    });
  }

  function remaining(configKey: string): Promise<number | undefined> {
    return withDeadline('quota remaining', commandTimeoutMs, undefined, () => runner.query(remainingSql, [configKey])).then((rows) => {
      const row = firstRow(rows);
      if (row === undefined) return undefined;
      const n = readNumber(row.remaining);
      if (n === undefined || !isCount(n)) throw unexpected();
      return n;
    });
  }

  function setRemaining(configKey: string, n: number): Promise<void> {
    const invalid = invalidRemaining('castgate/postgres', n);
    if (invalid !== undefined) return Promise.reject(invalid);
    return withDeadline('quota set remaining', commandTimeoutMs, undefined, () => runner.query(setRemainingSql, [configKey, String(n)])).then(
      () => undefined,
    );
  }

  function commit(input: { configKey: string; reservation: string; signal?: AbortSignal }): Promise<void> {
    return withDeadline('quota commit', commandTimeoutMs, input.signal, () => runner.query(commitSql, [input.configKey, input.reservation])).then(
      () => undefined,
    );
  }

  return reservationTtlMs === undefined ? { take, giveBack, remaining, setRemaining } : { take, giveBack, remaining, setRemaining, commit };
}
