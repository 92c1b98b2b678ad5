import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStores } from '../../../src/stores/postgres/index.js';
import { admissionStoreContract, leaseStoreContract, quotaStoreContract, rateLimitStoreContract, runContract } from '../../../src/testing/index.js';
import { freshStores } from './clients.js';

// PGlite runs PostgreSQL in this process (WebAssembly): no server to install, the same SQL.
const db = new PGlite();
const fresh = freshStores(db, 'contract');

// Loading PGlite (compiling its WebAssembly) and the first migrations take seconds on a busy machine.
beforeAll(async () => {
  await db.waitReady;
  await fresh();
});

afterAll(async () => {
  await db.close();
});

// The shared store contracts (castgate/testing).
describe('contracts on PGlite', () => {
  describe('RateLimitStore', () => {
    runContract(rateLimitStoreContract, async () => (await fresh()).rateLimit, it);
  });
  describe('QuotaStore', () => {
    runContract(quotaStoreContract, async () => (await fresh()).quota, it);
  });
  describe('AdmissionStore', () => {
    runContract(admissionStoreContract, fresh, it);
  });
  describe('LeaseStore', () => {
    runContract(leaseStoreContract, async () => (await fresh()).leases, it);
  });
});

describe('PostgreSQL stores on PGlite', () => {
  it('takes a slot and a unit in one admission, and neither when the quota is exhausted', async () => {
    const { admission, rateLimit, migrate } = createPostgresStores(db, { schema: 'pglite_admission' });
    await migrate();
    const limits = { key: 'k', limit: 1, windowMs: 60_000, nowMs: 1_700_000_000_000 };
    expect(await admission.take({ rateLimit: limits, quota: { configKey: 'none', initial: 0 } })).toEqual({ ok: false, code: 'quota_exhausted' });
    expect(await admission.take({ rateLimit: limits, quota: { configKey: 'one', initial: 1 } })).toMatchObject({ ok: true, quota: { remaining: 0 } });
    expect(await rateLimit.peek(limits)).toEqual({ full: true, retryAfterMs: 60_000 });
  });

  it('is told apart from node-postgres by its shape, and migrates with exec (several statements)', async () => {
    const stores = createPostgresStores(db, { schema: 'pglite_shape' });
    await stores.migrate();
    await stores.migrate();
    const tables = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'pglite_shape'");
    expect(tables.rows[0]?.n).toBe(5);
  });
});
