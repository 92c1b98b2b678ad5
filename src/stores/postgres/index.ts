import type { AdmissionStore, LeaseStore, QuotaStore, RateLimitStore } from '../../contract/stores.js';
import { createPostgresAdmissionStore } from './admission.js';
import { createQueryRunner, type PostgresClient } from './client.js';
import { createPostgresLeaseStore } from './leases.js';
import { PostgresStoreError } from './errors.js';
import { createPostgresQuotaStore } from './quota.js';
import { createPostgresRateLimitStore } from './rate-limit.js';
import { checkSchemaName, postgresMigrationSql, quoteSchema } from './schema.js';

/**
 * Options of {@link createPostgresStores}.
 *
 * @example
 * ```ts
 * import type { PostgresStoresOptions } from 'castgate/postgres';
 * const options: PostgresStoresOptions = { schema: 'castgate', commandTimeoutMs: 500, reservationTtlMs: 60_000 };
 * ```
 */
export interface PostgresStoresOptions {
  /**
   * The schema that holds castgate's tables and functions (`migrate()` creates it): a plain
   * identifier (letters, digits, `_`).
   * @defaultValue `'castgate'`
   */
  readonly schema?: string;
  /**
   * How long one store call may take, waiting for a pooled connection included, before it rejects
   * with `PostgresStoreError` (`store_unavailable`). Keep it below the evaluator's `storeTimeoutMs`.
   * A take answered later gives back what it took.
   * @defaultValue 1000
   */
  readonly commandTimeoutMs?: number;
  /**
   * Crash-safe quota (SPEC §13), off by default: a taken unit stays pending until the engine
   * commits it after provisioning, and comes back when not committed within this many
   * milliseconds (on the server's clock). Without it a take is final and there is no `commit`.
   */
  readonly reservationTtlMs?: number;
}

/**
 * The stores {@link createPostgresStores} returns: a rate limit, a quota, the combined admission
 * (one round trip for both) and live-session leases, shared by every process on the same database
 * and schema, and `migrate()`, which creates the schema.
 *
 * @example
 * ```ts
 * import type { PostgresStores } from 'castgate/postgres';
 * const ready = (stores: PostgresStores) => stores.migrate();
 * ```
 */
export interface PostgresStores {
  readonly rateLimit: RateLimitStore;
  readonly quota: QuotaStore;
  readonly admission: AdmissionStore;
  /** Live-session leases (SPEC §16). */
  readonly leases: LeaseStore;
  /** Creates the schema, its tables and functions; idempotent, safe from several processes at once. */
  readonly migrate: () => Promise<void>;
}

const defaultCommandTimeoutMs = 1000;
/** setTimeout's largest delay. */
const maxTimerMs = 2_147_483_647;

function checkDuration(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > maxTimerMs) {
    throw new TypeError(`castgate/postgres: \`${name}\` must be a whole number of milliseconds between 1 and ${maxTimerMs}`);
  }
  return value;
}

/**
 * Creates a `RateLimitStore`, a `QuotaStore`, an `AdmissionStore` and a `LeaseStore` on PostgreSQL, shared by
 * every process that uses the same database and schema, for hosts whose configs already live
 * there. Takes a node-postgres `Pool` or `Client`, a postgres.js `sql` or a PGlite instance as it
 * is; the host connects and closes it. Run `migrate()` once (or the SQL of
 * `postgresMigrationSql()` with your own migrations) before the first decision. Every call is one
 * statement (one round trip, its own transaction, no BEGIN/COMMIT): exact under any concurrency,
 * and never a serialization failure for a visitor. Each call rejects with `PostgresStoreError`
 * (code `store_unavailable`) when the connection fails or the answer takes longer than
 * `commandTimeoutMs`, so the engine answers 503; a take answered late gives back what it took.
 * Throws a `TypeError` for an unusable client or option.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * import { createMemoryStores, evaluateCast, parseCastConfig } from 'castgate';
 * import { createPostgresStores } from 'castgate/postgres';
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * pool.on('error', () => undefined); // an idle connection's error must not crash the process
 * const postgres = createPostgresStores(pool);
 * await postgres.migrate();
 * const config = parseCastConfig({ name: 'Demo', key: 'demo-0123456789abcdef', imageId: 'chrome', allowAnonymous: true, sessionsRemaining: 100 });
 * const stores = { ...createMemoryStores(), ...postgres };
 * const decision = await evaluateCast(config, { ip: '192.0.2.1' }, stores);
 * ```
 */
export function createPostgresStores(client: PostgresClient, options: PostgresStoresOptions = {}): PostgresStores {
  const runner = createQueryRunner(client);
  const schemaName = checkSchemaName(options.schema ?? 'castgate');
  const commandTimeoutMs = checkDuration('commandTimeoutMs', options.commandTimeoutMs ?? defaultCommandTimeoutMs);
  const reservationTtlMs = options.reservationTtlMs === undefined ? undefined : checkDuration('reservationTtlMs', options.reservationTtlMs);
  const settings = { schema: quoteSchema(schemaName), commandTimeoutMs, reservationTtlMs };
  const migrationSql = postgresMigrationSql({ schema: schemaName });
  return {
    rateLimit: createPostgresRateLimitStore(runner, settings),
    quota: createPostgresQuotaStore(runner, settings),
    admission: createPostgresAdmissionStore(runner, settings),
    leases: createPostgresLeaseStore(runner, settings),
    migrate: () =>
      Promise.resolve()
        .then(() => runner.script(migrationSql))
        .then(
          () => undefined,
          (error: unknown) => {
            throw new PostgresStoreError('query_failed', `castgate/postgres: migrate() failed on schema "${schemaName}"`, { cause: error });
          },
        ),
  };
}

export { PostgresStoreError, isPostgresStoreError } from './errors.js';
export type { PostgresStoreFailure } from './errors.js';
export { postgresMigrationSql } from './schema.js';
export type { NodePostgresClient, PGliteClient, PostgresClient, PostgresJsClient } from './client.js';
