import pg from 'pg';
import postgres from 'postgres';
import { createPostgresStores, type PostgresClient, type PostgresStores, type PostgresStoresOptions } from '../../../src/stores/postgres/index.js';

/** Every table `migrate()` creates, emptied between contract cases (much faster than a schema per case). */
export const castgateTables = ['rate_limit_slots', 'quota_counters', 'quota_reservations', 'leases', 'lease_bindings'] as const;

/** The three ways a host hands castgate a server connection. */
export type ServerClientKind = 'node-postgres Pool' | 'node-postgres Client' | 'postgres.js';

/** A client of `kind` on `url`, and how to close it. Connection errors of idle clients are absorbed (a host does the same). */
export async function connect(kind: ServerClientKind, url: string, options: { max?: number } = {}): Promise<{ client: PostgresClient; close: () => Promise<void> }> {
  if (kind === 'node-postgres Pool') {
    const pool = new pg.Pool({ connectionString: url, max: options.max ?? 8 });
    pool.on('error', () => undefined);
    return { client: pool, close: () => pool.end() };
  }
  if (kind === 'node-postgres Client') {
    const client = new pg.Client({ connectionString: url });
    client.on('error', () => undefined);
    await client.connect();
    return { client, close: () => client.end() };
  }
  const sql = postgres(url, { max: options.max ?? 8, onnotice: () => undefined, connect_timeout: 2 });
  return { client: sql, close: () => sql.end({ timeout: 1 }) };
}

/**
 * A factory of fresh stores on one migrated schema: each call empties castgate's tables first, so
 * a store shares nothing with the one made before it.
 */
export function freshStores(client: PostgresClient, schema: string, options: Omit<PostgresStoresOptions, 'schema'> = {}): () => Promise<PostgresStores> {
  // Generous deadlines: 200 takes on one key queue behind its lock, and two shared cores run the whole
  // suite; a timeout would under-serve, which the contract's exact counts would misreport as a bug.
  const stores = createPostgresStores(client, { commandTimeoutMs: 15_000, ...options, schema });
  let migrated: Promise<void> | undefined;
  const truncate = `TRUNCATE ${castgateTables.map((t) => `"${schema}".${t}`).join(', ')}`;
  const run = async (text: string) => {
    if ('unsafe' in client) await client.unsafe(text);
    else await client.query(text);
  };
  return async () => {
    migrated ??= stores.migrate();
    await migrated;
    await run(truncate);
    return stores;
  };
}
