import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LeaseStore } from '../../../src/contract/stores.js';
import { createPostgresStores, type PostgresClient } from '../../../src/stores/postgres/index.js';
import { postgresAvailability, startPostgresServer, type PostgresServer } from './postgres-server.js';

const t0 = 1_700_000_000_000;
const ttl = 60_000;

/** SPEC §16's lease semantics, on any client. */
function describeLeases(name: string, client: () => PostgresClient): void {
  describe(`PostgreSQL leases (${name})`, () => {
    let schemas = 0;
    async function fresh(): Promise<LeaseStore> {
      const stores = createPostgresStores(client(), { schema: `leases_${++schemas}` });
      await stores.migrate();
      return stores.leases;
    }

    it('grants up to `limit` live leases, then refuses with the time until the soonest one frees', async () => {
      const leases = await fresh();
      const acquire = (leaseId: string, nowMs: number) => leases.acquire({ key: 'live:a', limit: 2, leaseId, ttlMs: ttl, nowMs });
      expect(await acquire('l-1', t0)).toEqual({ ok: true });
      expect(await acquire('l-2', t0 + 1_000)).toEqual({ ok: true });
      expect(await acquire('l-3', t0 + 5_000)).toEqual({ ok: false, retryAfterMs: ttl - 5_000 });
    });

    it('grants exactly 3 of 40 concurrent acquires (limit 3)', async () => {
      const leases = await fresh();
      const results = await Promise.all(Array.from({ length: 40 }, (_, i) => leases.acquire({ key: 'live:burst', limit: 3, leaseId: `l-${i}`, ttlMs: ttl, nowMs: t0 })));
      expect(results.filter((r) => r.ok)).toHaveLength(3);
      expect(results.filter((r) => !r.ok)).toEqual(Array.from({ length: 37 }, () => ({ ok: false, retryAfterMs: ttl })));
    });

    it('expires a lease at last renewal + ttlMs exactly, renews from the renewal instant, and never revives an expired one', async () => {
      const leases = await fresh();
      const acquire = (leaseId: string, nowMs: number) => leases.acquire({ key: 'live:edge', limit: 1, leaseId, ttlMs: ttl, nowMs });
      expect(await acquire('l-1', t0)).toEqual({ ok: true });
      expect(await leases.renew({ key: 'live:edge', leaseId: 'l-1', ttlMs: ttl, nowMs: t0 + 50_000 })).toBe(true);
      expect(await acquire('l-2', t0 + 50_000 + ttl - 1)).toEqual({ ok: false, retryAfterMs: 1 });
      expect(await leases.renew({ key: 'live:edge', leaseId: 'l-1', ttlMs: ttl, nowMs: t0 + 50_000 + ttl })).toBe(false);
      expect(await acquire('l-2', t0 + 50_000 + ttl)).toEqual({ ok: true });
      expect(await leases.renew({ key: 'live:edge', leaseId: 'unknown', ttlMs: ttl, nowMs: t0 + 50_000 + ttl })).toBe(false);
    });

    it('renews a live lease id acquired again, taking no second slot', async () => {
      const leases = await fresh();
      const acquire = (leaseId: string, nowMs: number) => leases.acquire({ key: 'live:again', limit: 2, leaseId, ttlMs: ttl, nowMs });
      expect(await acquire('l-1', t0)).toEqual({ ok: true });
      expect(await acquire('l-1', t0 + 30_000)).toEqual({ ok: true });
      expect(await acquire('l-2', t0 + 40_000)).toEqual({ ok: true });
      expect(await acquire('l-3', t0 + 60_000)).toEqual({ ok: false, retryAfterMs: 30_000 });
    });

    it('releases once: true for a live lease, false again, false for one expired by the instant given', async () => {
      const leases = await fresh();
      expect(await leases.acquire({ key: 'live:r', limit: 1, leaseId: 'l-1', ttlMs: ttl, nowMs: t0 })).toEqual({ ok: true });
      expect(await leases.release({ key: 'live:other', leaseId: 'l-1', nowMs: t0 })).toBe(false);
      expect(await leases.release({ key: 'live:r', leaseId: 'l-1', nowMs: t0 })).toBe(true);
      expect(await leases.release({ key: 'live:r', leaseId: 'l-1', nowMs: t0 })).toBe(false);
      expect(await leases.acquire({ key: 'live:r', limit: 1, leaseId: 'l-2', ttlMs: ttl, nowMs: t0 })).toEqual({ ok: true });
      expect(await leases.release({ key: 'live:r', leaseId: 'l-2', nowMs: t0 + ttl })).toBe(false);
      expect(await leases.acquire({ key: 'live:r', limit: 1, leaseId: 'l-3', ttlMs: ttl, nowMs: t0 })).toEqual({ ok: true });
      expect(await leases.release({ key: 'live:r', leaseId: 'l-3' })).toBe(true);
    });

    it('binds a session to its leases and ttl, finds them by config key and session id, null otherwise', async () => {
      const leases = await fresh();
      expect(await leases.boundTo({ configKey: 'cfg', sessionId: 's-1' })).toBeNull();
      const held = [{ key: 'live:cfg', leaseId: 'l-1' }, { key: 'live:cfg:v4:192.0.2.1', leaseId: 'l-1' }];
      await leases.bind({ configKey: 'cfg', sessionId: 's-1', leases: held, ttlMs: ttl, nowMs: t0 });
      expect(await leases.boundTo({ configKey: 'cfg', sessionId: 's-1' })).toEqual({ leases: held, ttlMs: ttl });
      await leases.bind({ configKey: 'a:b', sessionId: 'c', leases: [{ key: 'k1', leaseId: 'l1' }], ttlMs: ttl, nowMs: t0 });
      await leases.bind({ configKey: 'a', sessionId: 'b:c', leases: [{ key: 'k2', leaseId: 'l2' }], ttlMs: 2 * ttl, nowMs: t0 });
      expect(await leases.boundTo({ configKey: 'a', sessionId: 'b:c' })).toEqual({ leases: [{ key: 'k2', leaseId: 'l2' }], ttlMs: 2 * ttl });
      expect(await leases.boundTo({ configKey: 'cfg', sessionId: 's-2' })).toBeNull();
      expect(await leases.boundTo({ configKey: 'other', sessionId: 's-1' })).toBeNull();
    });

    it('rejects numbers it cannot count with', async () => {
      const leases = await fresh();
      await expect(leases.acquire({ key: 'k', limit: 0, leaseId: 'l', ttlMs: ttl, nowMs: t0 })).rejects.toThrow(TypeError);
      await expect(leases.acquire({ key: 'k', limit: 1, leaseId: 'l', ttlMs: 0, nowMs: t0 })).rejects.toThrow(TypeError);
      await expect(leases.renew({ key: 'k', leaseId: 'l', ttlMs: ttl, nowMs: Number.NaN })).rejects.toThrow(TypeError);
      await expect(leases.release({ key: 'k', leaseId: 'l', nowMs: Number.POSITIVE_INFINITY })).rejects.toThrow(TypeError);
    });
  });
}

const db = new PGlite();
beforeAll(async () => {
  await db.waitReady;
});
afterAll(async () => {
  await db.close();
});
describeLeases('PGlite', () => db);

describe.skipIf(!postgresAvailability.available)('on a real PostgreSQL server', () => {
  let server: PostgresServer;
  let pool: pg.Pool;
  beforeAll(async () => {
    server = await startPostgresServer();
    pool = new pg.Pool({ connectionString: server.url, max: 6 });
    pool.on('error', () => undefined);
  });
  afterAll(async () => {
    await pool.end();
    await server.close();
  });
  describeLeases('node-postgres Pool', () => pool);
});
