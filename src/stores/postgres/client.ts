/**
 * The part of a node-postgres `Pool` or `Client` (v8) the stores use: `query(text, values)`.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * import type { NodePostgresClient } from 'castgate/postgres';
 * const client: NodePostgresClient = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * ```
 */
export interface NodePostgresClient {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

/**
 * The part of a PGlite instance the stores use: `query(text, params)` and `exec(text)`.
 *
 * @example
 * ```ts
 * import { PGlite } from '@electric-sql/pglite';
 * import type { PGliteClient } from 'castgate/postgres';
 * const client: PGliteClient = new PGlite();
 * ```
 */
export interface PGliteClient {
  query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
  exec(text: string): Promise<unknown>;
}

/**
 * The part of a postgres.js `sql` (v3) the stores use: `unsafe(text, values)`. The stores only
 * ever send their own fixed statements; the values always travel as parameters.
 *
 * @example
 * ```ts
 * import postgres from 'postgres';
 * import type { PostgresJsClient } from 'castgate/postgres';
 * const client: PostgresJsClient = postgres(process.env.DATABASE_URL ?? '');
 * ```
 */
export interface PostgresJsClient {
  unsafe(text: string, values?: never[]): PromiseLike<readonly unknown[]>;
}

/**
 * A PostgreSQL client as `createPostgresStores` takes it, as it is: a node-postgres `Pool` or
 * `Client`, a postgres.js `sql`, or a PGlite instance.
 *
 * @example
 * ```ts
 * import { PGlite } from '@electric-sql/pglite';
 * import type { PostgresClient } from 'castgate/postgres';
 * const client: PostgresClient = new PGlite();
 * ```
 */
export type PostgresClient = NodePostgresClient | PGliteClient | PostgresJsClient;

/** What the stores send: one parameterised statement, or (for `migrate()`) a script of several. */
export interface QueryRunner {
  /** Which kind of client this is, for messages. */
  readonly kind: 'node-postgres' | 'postgres.js' | 'pglite';
  /** One statement, its values as text parameters; answers the rows. */
  query(text: string, values: readonly (string | null)[]): PromiseLike<readonly unknown[]>;
  /** Several statements without parameters, run as one implicit transaction (the simple protocol). */
  script(text: string): PromiseLike<unknown>;
}

function isPostgresJs(client: unknown): client is PostgresJsClient {
  return typeof client === 'function' && typeof (client as Partial<PostgresJsClient>).unsafe === 'function';
}

function isPGlite(client: object): client is PGliteClient {
  const candidate = client as Partial<PGliteClient> & { waitReady?: unknown };
  return typeof candidate.query === 'function' && typeof candidate.exec === 'function' && 'waitReady' in candidate;
}

function isNodePostgres(client: object): client is NodePostgresClient {
  return typeof (client as Partial<NodePostgresClient>).query === 'function';
}

function rowsOf(result: unknown): unknown[] {
  const rows = typeof result === 'object' && result !== null ? (result as { rows?: unknown }).rows : undefined;
  if (!Array.isArray(rows)) throw new TypeError('castgate/postgres: the client answered without rows');
  return rows;
}

/**
 * Adapts a client by its shape: a function with `unsafe` is postgres.js; an object with `query`,
 * `exec` and `waitReady` is PGlite; an object with `query` is node-postgres. Throws a `TypeError`
 * for anything else (a programmer error, found when the stores are created).
 */
export function createQueryRunner(client: PostgresClient): QueryRunner {
  if (isPostgresJs(client)) {
    return {
      kind: 'postgres.js',
      query: (text, values) => client.unsafe(text, values as never[]),
      script: (text) => client.unsafe(text),
    };
  }
  if (typeof client === 'object' && (client as unknown) !== null) {
    if (isPGlite(client)) {
      return {
        kind: 'pglite',
        query: (text, values) => client.query(text, [...values]).then(rowsOf),
        script: (text) => client.exec(text),
      };
    }
    if (isNodePostgres(client)) {
      return {
        kind: 'node-postgres',
        query: (text, values) => client.query(text, [...values]).then(rowsOf),
        script: (text) => client.query(text),
      };
    }
  }
  throw new TypeError('castgate/postgres: pass a node-postgres Pool or Client, a postgres.js `sql`, or a PGlite instance');
}
