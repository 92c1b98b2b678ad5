/**
 * The schema `migrate()` creates, as SQL. Everything lives in one schema (default `castgate`);
 * statements are idempotent (`IF NOT EXISTS`, `CREATE OR REPLACE`), and the script takes a
 * transaction-scoped advisory lock first, so processes that migrate at once wait for each other
 * instead of failing. Decisions never read a clock of their own: times in `*_ms` columns are the
 * callers' instants (epoch milliseconds, `double precision` like a JavaScript number). The one
 * exception is the quota's reservations, whose deadlines run on the server's `clock_timestamp()`.
 */

/** How long after its last use an expired row is left alone before any caller may delete it (hosts' clocks differ a little). */
export const garbageGraceMs = 60_000;
/** The largest value of PostgreSQL's `integer`, the type of a limit: a larger limit is refused before any statement. */
export const maxLimit = 2_147_483_647;
/** How many expired rows one call deletes in passing, at most (it deletes only rows nobody holds). */
const garbagePerCall = 4;

const schemaPattern = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/u;

/** Throws a `TypeError` unless `schema` is a plain identifier (letters, digits, `_`; at most 63). */
export function checkSchemaName(schema: unknown): string {
  if (typeof schema !== 'string' || !schemaPattern.test(schema)) {
    throw new TypeError('castgate/postgres: `schema` must be a plain identifier: letters, digits and `_`, not starting with a digit, at most 63 characters');
  }
  return schema;
}

/** The schema as a quoted identifier, e.g. `"castgate"`. */
export function quoteSchema(schema: string): string {
  return `"${checkSchemaName(schema)}"`;
}

/** Deletes up to a few rows of `table` matching `condition` that nobody holds (never waits). */
function collect(table: string, condition: string): string {
  return `DELETE FROM ${table} WHERE ctid = ANY (ARRAY(
    SELECT g.ctid FROM ${table} g WHERE ${condition} LIMIT ${garbagePerCall} FOR UPDATE SKIP LOCKED))`;
}

/**
 * The SQL `migrate()` runs, for a host that runs its migrations itself (e.g. `psql -1 -f`). Run
 * as one script: it creates the schema, the tables and the functions, and changes nothing that
 * is already there but the functions (replaced by this version's).
 *
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * import { postgresMigrationSql } from 'castgate/postgres';
 * writeFileSync('migrations/0042_castgate.sql', postgresMigrationSql({ schema: 'castgate' }));
 * ```
 */
export function postgresMigrationSql(options: { schema?: string } = {}): string {
  const name = checkSchemaName(options.schema ?? 'castgate');
  const s = quoteSchema(name);
  const slots = `${s}.rate_limit_slots`;
  const counters = `${s}.quota_counters`;
  const reservations = `${s}.quota_reservations`;
  const leases = `${s}.leases`;
  const bindings = `${s}.lease_bindings`;
  const lock = (space: string, key: string) => `pg_advisory_xact_lock(hashtextextended('${name}:${space}:' || ${key}, 0))`;
  const ms = (value: string) => `(${value}) * interval '1 millisecond'`;
  return `-- castgate/postgres schema ${JSON.stringify(name)}: idempotent, run it as one transaction.
SELECT pg_advisory_xact_lock(hashtextextended('castgate:migrate', 0));
CREATE SCHEMA IF NOT EXISTS ${s};

-- Rate limit: one row per slot taken; a slot taken at taken_at_ms counts until taken_at_ms + window.
CREATE TABLE IF NOT EXISTS ${slots} (
  key text NOT NULL,
  reservation text NOT NULL,
  taken_at_ms double precision NOT NULL,
  frees_at_ms double precision NOT NULL,
  PRIMARY KEY (key, reservation)
);
CREATE INDEX IF NOT EXISTS rate_limit_slots_window ON ${slots} (key, taken_at_ms);
CREATE INDEX IF NOT EXISTS rate_limit_slots_frees_at ON ${slots} (frees_at_ms);

-- Quota: one counter per config key (never deleted: it is the quota), one row per unit taken that
-- may still come back (a give-back, or a pending unit of the crash-safe quota not committed in time).
CREATE TABLE IF NOT EXISTS ${counters} (
  config_key text PRIMARY KEY,
  remaining bigint NOT NULL CHECK (remaining >= 0)
);
CREATE TABLE IF NOT EXISTS ${reservations} (
  config_key text NOT NULL,
  reservation text NOT NULL,
  pending_until timestamptz,
  honoured_until timestamptz NOT NULL,
  PRIMARY KEY (config_key, reservation)
);
CREATE INDEX IF NOT EXISTS quota_reservations_pending ON ${reservations} (config_key, pending_until) WHERE pending_until IS NOT NULL;
CREATE INDEX IF NOT EXISTS quota_reservations_honoured ON ${reservations} (honoured_until) WHERE pending_until IS NULL;

-- Leases of live sessions, and which leases a session holds.
CREATE TABLE IF NOT EXISTS ${leases} (
  key text NOT NULL,
  lease_id text NOT NULL,
  expires_at_ms double precision NOT NULL,
  PRIMARY KEY (key, lease_id)
);
CREATE INDEX IF NOT EXISTS leases_live ON ${leases} (key, expires_at_ms);
CREATE INDEX IF NOT EXISTS leases_expires_at ON ${leases} (expires_at_ms);
CREATE TABLE IF NOT EXISTS ${bindings} (
  config_key text NOT NULL,
  session_id text NOT NULL,
  leases jsonb NOT NULL,
  ttl_ms double precision NOT NULL,
  kept_until_ms double precision NOT NULL,
  PRIMARY KEY (config_key, session_id)
);
CREATE INDEX IF NOT EXISTS lease_bindings_kept_until ON ${bindings} (kept_until_ms);

-- Takes one slot of key's window unless p_limit slots were taken in (now - window, now]. Answers
-- NULL when taken, else the milliseconds until a slot frees. The advisory lock serialises takes of
-- one key; each statement after it reads a fresh snapshot (READ COMMITTED), so none is missed.
CREATE OR REPLACE FUNCTION ${s}.rate_limit_take(p_key text, p_limit integer, p_window_ms double precision,
  p_now_ms double precision, p_reservation text) RETURNS double precision
LANGUAGE plpgsql VOLATILE AS $castgate$
DECLARE
  v_freeing double precision;
BEGIN
  PERFORM ${lock('rl', 'p_key')};
  SELECT w.taken_at_ms INTO v_freeing FROM ${slots} w
    WHERE w.key = p_key AND w.taken_at_ms > p_now_ms - p_window_ms
    ORDER BY w.taken_at_ms DESC OFFSET p_limit - 1 LIMIT 1;
  IF FOUND THEN
    RETURN greatest(1, ceil(v_freeing + p_window_ms - p_now_ms));
  END IF;
  INSERT INTO ${slots} (key, reservation, taken_at_ms, frees_at_ms)
    VALUES (p_key, p_reservation, p_now_ms, p_now_ms + p_window_ms);
  ${collect(slots, `g.frees_at_ms <= p_now_ms - ${garbageGraceMs}`)};
  RETURN NULL;
END
$castgate$;

-- Takes one unit of config key's quota, creating its counter at p_initial on first use. Pending
-- units whose deadline passed come back first. Answers what is left after the take, or NULL when
-- nothing is left. p_pending_ms: the crash-safe deadline (NULL: the take is final); p_honour_ms: how
-- long a give-back of a final take is honoured.
CREATE OR REPLACE FUNCTION ${s}.quota_take(p_config_key text, p_initial bigint, p_reservation text,
  p_pending_ms double precision, p_honour_ms double precision) RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $castgate$
DECLARE
  v_now timestamptz := clock_timestamp();
  v_remaining bigint;
  v_returned bigint;
BEGIN
  INSERT INTO ${counters} (config_key, remaining) VALUES (p_config_key, p_initial) ON CONFLICT (config_key) DO NOTHING;
  SELECT c.remaining INTO v_remaining FROM ${counters} c WHERE c.config_key = p_config_key FOR UPDATE;
  WITH returned AS (
    DELETE FROM ${reservations} r WHERE r.config_key = p_config_key AND r.pending_until <= v_now RETURNING 1
  ) SELECT count(*) INTO v_returned FROM returned;
  v_remaining := v_remaining + v_returned;
  IF v_remaining <= 0 THEN
    RETURN NULL;
  END IF;
  UPDATE ${counters} SET remaining = v_remaining - 1 WHERE config_key = p_config_key;
  INSERT INTO ${reservations} (config_key, reservation, pending_until, honoured_until)
    VALUES (p_config_key, p_reservation, v_now + ${ms('p_pending_ms')}, v_now + ${ms('coalesce(p_pending_ms, p_honour_ms)')});
  ${collect(reservations, 'g.pending_until IS NULL AND g.honoured_until <= v_now')};
  RETURN v_remaining - 1;
END
$castgate$;

-- Gives the unit of a reservation back, once. The counter is locked first, as every quota function
-- does, so they never wait for each other in a cycle.
CREATE OR REPLACE FUNCTION ${s}.quota_give_back(p_config_key text, p_reservation text) RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $castgate$
BEGIN
  PERFORM 1 FROM ${counters} c WHERE c.config_key = p_config_key FOR UPDATE;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  DELETE FROM ${reservations} r WHERE r.config_key = p_config_key AND r.reservation = p_reservation
    AND (r.pending_until IS NOT NULL OR r.honoured_until > clock_timestamp());
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  UPDATE ${counters} SET remaining = remaining + 1 WHERE config_key = p_config_key;
  RETURN true;
END
$castgate$;

-- Sets what is left (admins). Pending units already past their deadline are dropped: the new
-- count is the whole truth.
CREATE OR REPLACE FUNCTION ${s}.quota_set_remaining(p_config_key text, p_remaining bigint) RETURNS void
LANGUAGE plpgsql VOLATILE AS $castgate$
BEGIN
  INSERT INTO ${counters} (config_key, remaining) VALUES (p_config_key, p_remaining) ON CONFLICT (config_key) DO NOTHING;
  PERFORM 1 FROM ${counters} c WHERE c.config_key = p_config_key FOR UPDATE;
  DELETE FROM ${reservations} r WHERE r.config_key = p_config_key AND r.pending_until <= clock_timestamp();
  UPDATE ${counters} SET remaining = p_remaining WHERE config_key = p_config_key;
END
$castgate$;

-- One rate-limit slot and one quota unit, both or neither: 'rate_limited' (with the milliseconds
-- until a slot frees) is answered before the quota is looked at, as the guards run.
CREATE OR REPLACE FUNCTION ${s}.admission_take(p_key text, p_limit integer, p_window_ms double precision,
  p_now_ms double precision, p_slot text, p_config_key text, p_initial bigint, p_reservation text,
  p_pending_ms double precision, p_honour_ms double precision)
RETURNS TABLE (o_outcome text, o_retry_after_ms double precision, o_remaining bigint)
LANGUAGE plpgsql VOLATILE AS $castgate$
DECLARE
  v_freeing double precision;
  v_remaining bigint;
BEGIN
  PERFORM ${lock('rl', 'p_key')};
  SELECT w.taken_at_ms INTO v_freeing FROM ${slots} w
    WHERE w.key = p_key AND w.taken_at_ms > p_now_ms - p_window_ms
    ORDER BY w.taken_at_ms DESC OFFSET p_limit - 1 LIMIT 1;
  IF FOUND THEN
    RETURN QUERY SELECT 'rate_limited'::text, greatest(1, ceil(v_freeing + p_window_ms - p_now_ms)), NULL::bigint;
    RETURN;
  END IF;
  v_remaining := ${s}.quota_take(p_config_key, p_initial, p_reservation, p_pending_ms, p_honour_ms);
  IF v_remaining IS NULL THEN
    RETURN QUERY SELECT 'quota_exhausted'::text, NULL::double precision, NULL::bigint;
    RETURN;
  END IF;
  INSERT INTO ${slots} (key, reservation, taken_at_ms, frees_at_ms)
    VALUES (p_key, p_slot, p_now_ms, p_now_ms + p_window_ms);
  ${collect(slots, `g.frees_at_ms <= p_now_ms - ${garbageGraceMs}`)};
  RETURN QUERY SELECT 'ok'::text, NULL::double precision, v_remaining;
END
$castgate$;

-- Gives back the slot and the unit of one admission.
CREATE OR REPLACE FUNCTION ${s}.admission_give_back(p_key text, p_slot text, p_config_key text, p_reservation text) RETURNS void
LANGUAGE plpgsql VOLATILE AS $castgate$
BEGIN
  DELETE FROM ${slots} w WHERE w.key = p_key AND w.reservation = p_slot;
  PERFORM ${s}.quota_give_back(p_config_key, p_reservation);
END
$castgate$;

-- Takes one of p_limit live leases under key (a lease is live while now < expires_at_ms), or renews
-- p_lease_id when it is already live. Answers NULL when held, else the milliseconds until one frees.
CREATE OR REPLACE FUNCTION ${s}.lease_acquire(p_key text, p_limit integer, p_lease_id text,
  p_ttl_ms double precision, p_now_ms double precision) RETURNS double precision
LANGUAGE plpgsql VOLATILE AS $castgate$
DECLARE
  v_freeing double precision;
BEGIN
  PERFORM ${lock('lease', 'p_key')};
  UPDATE ${leases} SET expires_at_ms = p_now_ms + p_ttl_ms
    WHERE key = p_key AND lease_id = p_lease_id AND expires_at_ms > p_now_ms;
  IF FOUND THEN
    RETURN NULL;
  END IF;
  SELECT l.expires_at_ms INTO v_freeing FROM ${leases} l
    WHERE l.key = p_key AND l.expires_at_ms > p_now_ms
    ORDER BY l.expires_at_ms DESC OFFSET p_limit - 1 LIMIT 1;
  IF FOUND THEN
    RETURN greatest(1, ceil(v_freeing - p_now_ms));
  END IF;
  INSERT INTO ${leases} (key, lease_id, expires_at_ms) VALUES (p_key, p_lease_id, p_now_ms + p_ttl_ms)
    ON CONFLICT (key, lease_id) DO UPDATE SET expires_at_ms = excluded.expires_at_ms;
  ${collect(leases, `g.expires_at_ms <= p_now_ms - ${garbageGraceMs}`)};
  RETURN NULL;
END
$castgate$;
`;
}
