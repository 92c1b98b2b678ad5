import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdmissionResult } from '../../../src/contract/stores.js';
import {
  createPostgresStores,
  isPostgresStoreError,
  postgresMigrationSql,
  type PostgresClient,
  type PostgresStores,
} from '../../../src/stores/postgres/index.js';
import { admissionStoreContract, leaseStoreContract, quotaStoreContract, rateLimitStoreContract, runContract } from '../../../src/testing/index.js';
import { connect, freshStores, type ServerClientKind } from './clients.js';
import { postgresAvailability, postgresSkipNote, startPostgresServer, type PostgresServer } from './postgres-server.js';

const t0 = 1_700_000_000_000;
const minute = 60_000;
const kinds: readonly ServerClientKind[] = ['node-postgres Pool', 'node-postgres Client', 'postgres.js'];

function okAdmission(result: AdmissionResult): { slot: string; reservation: string; remaining: number } {
  if (!result.ok) throw new Error(`expected an admission, got ${result.code}`);
  return { slot: result.rateLimit.reservation, reservation: result.quota.reservation, remaining: result.quota.remaining };
}

/** A client that counts the statements it is sent (each is one round trip). */
function counting(client: pg.Pool): { client: PostgresClient; sent: () => number } {
  let sent = 0;
  return {
    client: {
      query: (text: string, values?: unknown[]) => {
        sent++;
        return client.query(text, values);
      },
    },
    sent: () => sent,
  };
}

describe.skipIf(!postgresAvailability.available)(`PostgreSQL stores on a real PostgreSQL server${postgresSkipNote}`, () => {
  let server: PostgresServer;
  const closers: (() => Promise<void>)[] = [];
  const clients = new Map<ServerClientKind, PostgresClient>();
  let admin: pg.Pool;
  let schemas = 0;
  const freshSchema = () => `test_${++schemas}`;

  /** Fresh, migrated stores on a schema of their own, on the admin pool unless a client is given. */
  async function migrated(options: { reservationTtlMs?: number; commandTimeoutMs?: number } = {}, client: PostgresClient = admin): Promise<PostgresStores & { schema: string }> {
    const schema = freshSchema();
    const stores = createPostgresStores(client, { ...options, schema });
    await stores.migrate();
    return { ...stores, schema };
  }

  beforeAll(async () => {
    server = await startPostgresServer();
    admin = new pg.Pool({ connectionString: server.url, max: 12 });
    admin.on('error', () => undefined);
    for (const kind of kinds) {
      const { client, close } = await connect(kind, server.url);
      clients.set(kind, client);
      closers.push(close);
    }
  });

  afterAll(async () => {
    for (const close of closers) await close().catch(() => undefined);
    await admin.end();
    await server.close();
  });

  // The shared store contracts (castgate/testing) on every server client, each on a schema of its own.
  for (const [i, kind] of kinds.entries()) {
    let fresh: (() => Promise<PostgresStores>) | undefined;
    const make = () => {
      fresh ??= freshStores(clients.get(kind)!, `contract_${i}`);
      return fresh();
    };
    describe(`contracts on ${kind}`, () => {
      describe('RateLimitStore', () => {
        runContract(rateLimitStoreContract, async () => (await make()).rateLimit, it);
      });
      describe('QuotaStore', () => {
        runContract(quotaStoreContract, async () => (await make()).quota, it);
      });
      describe('AdmissionStore', () => {
        runContract(admissionStoreContract, make, it);
      });
      describe('LeaseStore', () => {
        runContract(leaseStoreContract, async () => (await make()).leases, it);
      });
    });
  }

  describe('migrate()', () => {
    it('creates the schema, and running it again (from four processes\' pools at once) changes nothing and fails nowhere', async () => {
      const schema = freshSchema();
      const pools = Array.from({ length: 4 }, () => new pg.Pool({ connectionString: server.url, max: 1 }));
      try {
        await Promise.all(pools.map((pool) => createPostgresStores(pool, { schema }).migrate()));
        const stores = createPostgresStores(admin, { schema });
        await stores.quota.take({ configKey: 'kept', initial: 5 });
        await Promise.all(pools.map((pool) => createPostgresStores(pool, { schema }).migrate()));
        expect(await stores.quota.remaining('kept')).toBe(4);
        const tables = await admin.query<{ table_name: string }>(
          'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name', [schema]);
        expect(tables.rows.map((r) => r.table_name)).toEqual(['lease_bindings', 'leases', 'quota_counters', 'quota_reservations', 'rate_limit_slots']);
      } finally {
        await Promise.all(pools.map((pool) => pool.end()));
      }
    });

    it('is the SQL of postgresMigrationSql(), which a host can run itself (psql -1 -f)', async () => {
      const schema = freshSchema();
      await admin.query(postgresMigrationSql({ schema }));
      const stores = createPostgresStores(admin, { schema });
      expect(await stores.quota.take({ configKey: 'by-hand', initial: 2 })).toMatchObject({ ok: true, remaining: 1 });
      expect(postgresMigrationSql()).toContain('CREATE SCHEMA IF NOT EXISTS "castgate"');
    });

    it('says to run migrate() when the schema is missing, as a store_unavailable rejection', async () => {
      const stores = createPostgresStores(admin, { schema: 'never_migrated' });
      const failure: unknown = await stores.rateLimit.take({ key: 'k', limit: 1, windowMs: minute, nowMs: t0 }).catch((e: unknown) => e);
      expect(isPostgresStoreError(failure)).toBe(true);
      expect(failure).toMatchObject({ code: 'store_unavailable', reason: 'query_failed' });
      expect((failure as Error).message).toContain('run `migrate()`');
    });
  });

  describe('admission: a rate-limit slot and a quota unit in one statement', () => {
    const limits = (key: string, nowMs = t0) => ({ key, limit: 2, windowMs: minute, nowMs });

    it('takes both, each with its own reservation, and answers what is left', async () => {
      const { admission, rateLimit, quota } = await migrated();
      const first = okAdmission(await admission.take({ rateLimit: limits('a'), quota: { configKey: 'c', initial: 3 } }));
      expect(first.remaining).toBe(2);
      expect(await quota.remaining('c')).toBe(2);
      await rateLimit.take(limits('a'));
      expect(await rateLimit.peek(limits('a'))).toEqual({ full: true, retryAfterMs: minute });
    });

    it('takes neither when the quota is exhausted: the window keeps its free slot', async () => {
      const { admission, rateLimit, quota } = await migrated();
      expect(await admission.take({ rateLimit: limits('a'), quota: { configKey: 'none', initial: 0 } })).toEqual({ ok: false, code: 'quota_exhausted' });
      expect(await rateLimit.peek({ ...limits('a'), limit: 1 })).toEqual({ full: false, retryAfterMs: 0 });
      expect(await quota.remaining('none')).toBe(0);
    });

    it('takes neither when the window is full, and answers rate_limited even when the quota is also exhausted (the guard order)', async () => {
      const { admission, rateLimit, quota } = await migrated();
      await rateLimit.take(limits('full'));
      await rateLimit.take(limits('full', t0 + 1_000));
      expect(await admission.take({ rateLimit: limits('full', t0 + 2_000), quota: { configKey: 'left', initial: 5 } }))
        .toEqual({ ok: false, code: 'rate_limited', retryAfterMs: minute - 2_000 });
      expect(await quota.remaining('left')).toBeUndefined();
      expect(await admission.take({ rateLimit: limits('full', t0 + 2_000), quota: { configKey: 'empty', initial: 0 } }))
        .toEqual({ ok: false, code: 'rate_limited', retryAfterMs: minute - 2_000 });
    });

    it('gives both back in one call, once, however often it is asked', async () => {
      const { admission, rateLimit, quota } = await migrated();
      const taken = okAdmission(await admission.take({ rateLimit: { ...limits('g'), limit: 1 }, quota: { configKey: 'g', initial: 1 } }));
      const both = { rateLimit: { key: 'g', reservation: taken.slot }, quota: { configKey: 'g', reservation: taken.reservation } };
      await Promise.all([admission.giveBack(both), admission.giveBack(both), admission.giveBack(both)]);
      expect(await quota.remaining('g')).toBe(1);
      expect(await rateLimit.peek({ ...limits('g'), limit: 1 })).toEqual({ full: false, retryAfterMs: 0 });
    });

    it('hands out reservations the separate stores know: rateLimit.giveBack and quota.giveBack return them', async () => {
      const { admission, rateLimit, quota } = await migrated();
      const taken = okAdmission(await admission.take({ rateLimit: { ...limits('s'), limit: 1 }, quota: { configKey: 's', initial: 1 } }));
      await rateLimit.giveBack({ key: 's', reservation: taken.slot });
      await quota.giveBack({ configKey: 's', reservation: taken.reservation });
      expect(await quota.remaining('s')).toBe(1);
      expect((await rateLimit.take({ ...limits('s'), limit: 1 })).ok).toBe(true);
    });

    it('serves exactly min(quota, limit per key) of 400 concurrent admissions from 4 connections', async () => {
      const { schema } = await migrated();
      const pool = new pg.Pool({ connectionString: server.url, max: 4 });
      try {
        const { admission, quota } = createPostgresStores(pool, { schema, commandTimeoutMs: 15_000 });
        const keys = Array.from({ length: 20 }, (_, i) => `cast:burst:v4:192.0.2.${i}`);
        const results = await Promise.all(
          Array.from({ length: 400 }, (_, i) => admission.take({ rateLimit: { key: keys[i % 20]!, limit: 3, windowMs: minute, nowMs: t0 + (i % 7) }, quota: { configKey: 'burst', initial: 50 } })),
        );
        const served = results.filter((r) => r.ok);
        expect(served).toHaveLength(50);
        expect(served.map((r) => r.quota.remaining).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
        const perKey = new Map<string, number>();
        results.forEach((r, i) => {
          if (r.ok) perKey.set(keys[i % 20]!, (perKey.get(keys[i % 20]!) ?? 0) + 1);
        });
        expect(Math.max(...perKey.values())).toBeLessThanOrEqual(3);
        expect(results.filter((r) => !r.ok && r.code === 'quota_exhausted').length + results.filter((r) => !r.ok && r.code === 'rate_limited').length).toBe(350);
        expect(await quota.remaining('burst')).toBe(0);
      } finally {
        await pool.end();
      }
    });

    it('sends one statement per take and one per give-back', async () => {
      const { schema } = await migrated();
      const counted = counting(admin);
      const { admission } = createPostgresStores(counted.client, { schema });
      const taken = okAdmission(await admission.take({ rateLimit: limits('rt'), quota: { configKey: 'rt', initial: 2 } }));
      expect(counted.sent()).toBe(1);
      await admission.giveBack({ rateLimit: { key: 'rt', reservation: taken.slot }, quota: { configKey: 'rt', reservation: taken.reservation } });
      expect(counted.sent()).toBe(2);
    });
  });

  describe('crash-safe quota (reservationTtlMs)', () => {
    it('has no commit without the option: a take is final', async () => {
      const { quota } = await migrated();
      expect('commit' in quota).toBe(false);
    });

    it('returns a unit not committed within reservationTtlMs, and remaining() counts it as returned without another take', async () => {
      const { quota } = await migrated({ reservationTtlMs: 300 });
      expect(await quota.take({ configKey: 'crash', initial: 2 })).toMatchObject({ ok: true, remaining: 1 });
      expect(await quota.remaining('crash')).toBe(1);
      await sleep(600);
      expect(await quota.remaining('crash')).toBe(2);
      expect(await quota.take({ configKey: 'crash', initial: 2 })).toMatchObject({ ok: true, remaining: 1 });
      expect(await quota.take({ configKey: 'crash', initial: 2 })).toMatchObject({ ok: true, remaining: 0 });
    });

    it('never brings back a committed unit; a commit after the deadline does not take back a returned one', async () => {
      const { quota } = await migrated({ reservationTtlMs: 300 });
      const kept = await quota.take({ configKey: 'commit', initial: 2 });
      const late = await quota.take({ configKey: 'commit', initial: 2 });
      if (!kept.ok || !late.ok) throw new Error('expected two units');
      await quota.commit!({ configKey: 'commit', reservation: kept.reservation });
      await quota.commit!({ configKey: 'commit', reservation: kept.reservation });
      await sleep(600);
      await quota.commit!({ configKey: 'commit', reservation: late.reservation });
      expect(await quota.remaining('commit')).toBe(1);
      await quota.giveBack({ configKey: 'commit', reservation: kept.reservation });
      expect(await quota.remaining('commit')).toBe(1);
    });

    it('gives a pending unit back once, whether by give-back or by its deadline', async () => {
      const { quota } = await migrated({ reservationTtlMs: 300 });
      const taken = await quota.take({ configKey: 'once', initial: 1 });
      if (!taken.ok) throw new Error('expected a unit');
      await quota.giveBack({ configKey: 'once', reservation: taken.reservation });
      await sleep(600);
      expect(await quota.remaining('once')).toBe(1);
      expect(await quota.take({ configKey: 'once', initial: 1 })).toMatchObject({ ok: true, remaining: 0 });
    });

    it('keeps admission units pending too, and setRemaining drops those already returned', async () => {
      const { admission, quota } = await migrated({ reservationTtlMs: 300 });
      okAdmission(await admission.take({ rateLimit: { key: 'p', limit: 5, windowMs: minute, nowMs: t0 }, quota: { configKey: 'p', initial: 3 } }));
      expect(await quota.remaining('p')).toBe(2);
      await sleep(600);
      expect(await quota.remaining('p')).toBe(3);
      await quota.setRemaining('p', 1);
      expect(await quota.remaining('p')).toBe(1);
    });
  });

  describe('slow, aborted and refused calls', () => {
    /** Holds an exclusive lock on a table in an open transaction until `release` (every statement on it waits). */
    async function stall(schema: string, table: string): Promise<{ release: () => Promise<void> }> {
      const holder = await admin.connect();
      await holder.query('BEGIN');
      await holder.query(`LOCK TABLE "${schema}".${table} IN ACCESS EXCLUSIVE MODE`);
      return {
        release: async () => {
          await holder.query('COMMIT');
          holder.release();
        },
      };
    }

    it('rejects with store_unavailable (timeout) after commandTimeoutMs, and the late answer gives back what it took', async () => {
      const stores = await migrated({ commandTimeoutMs: 200 });
      await stores.quota.setRemaining('slow', 5);
      const lock = await stall(stores.schema, 'quota_counters');
      const started = Date.now();
      const failure: unknown = await stores.quota.take({ configKey: 'slow', initial: 5 }).catch((e: unknown) => e);
      expect(failure).toMatchObject({ name: 'PostgresStoreError', code: 'store_unavailable', reason: 'timeout' });
      expect(Date.now() - started).toBeLessThan(5_000);
      const admitted = stores.admission.take({ rateLimit: { key: 'slow', limit: 1, windowMs: minute, nowMs: t0 }, quota: { configKey: 'slow', initial: 5 } });
      await expect(admitted).rejects.toMatchObject({ reason: 'timeout' });
      await lock.release();
      // The stalled take and admission ran after all, each answered late: their give-backs follow.
      const state = async () => ({
        remaining: await stores.quota.remaining('slow'),
        window: await stores.rateLimit.peek({ key: 'slow', limit: 1, windowMs: minute, nowMs: t0 }),
        reservations: (await admin.query(`SELECT count(*)::int AS n FROM "${stores.schema}".quota_reservations`)).rows[0] as { n: number },
        takesRunning: (await admin.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%_take(%' AND pid <> pg_backend_pid()`)).rows[0] as { n: number },
      });
      const settled = { remaining: 5, window: { full: false, retryAfterMs: 0 }, reservations: { n: 0 }, takesRunning: { n: 0 } };
      let now = await state();
      for (let i = 0; i < 100 && JSON.stringify(now) !== JSON.stringify(settled); i++) {
        await sleep(20);
        now = await state();
      }
      expect(now).toEqual(settled);
    });

    it('gives back a rate-limit slot whose take was answered after the caller aborted', async () => {
      const stores = await migrated();
      const lock = await stall(stores.schema, 'rate_limit_slots');
      const controller = new AbortController();
      const taking = stores.rateLimit.take({ key: 'abort', limit: 1, windowMs: minute, nowMs: t0, signal: controller.signal });
      await sleep(50);
      controller.abort(new Error('the evaluator gave up'));
      await expect(taking).rejects.toMatchObject({ code: 'store_unavailable', reason: 'aborted' });
      await expect(stores.rateLimit.take({ key: 'abort', limit: 1, windowMs: minute, nowMs: t0, signal: controller.signal }))
        .rejects.toMatchObject({ reason: 'aborted' });
      await lock.release();
      let peek = await stores.rateLimit.peek({ key: 'abort', limit: 1, windowMs: minute, nowMs: t0 });
      for (let i = 0; i < 50 && peek.full; i++) {
        await sleep(20);
        peek = await stores.rateLimit.peek({ key: 'abort', limit: 1, windowMs: minute, nowMs: t0 });
      }
      expect(peek).toEqual({ full: false, retryAfterMs: 0 });
    });

    it('never lets a serialization failure reach the caller when the host makes SERIALIZABLE the default', async () => {
      const { schema } = await migrated();
      const pool = new pg.Pool({ connectionString: server.url, max: 6, options: '-c default_transaction_isolation=serializable' });
      try {
        const { rateLimit, quota, admission } = createPostgresStores(pool, { schema, commandTimeoutMs: 15_000 });
        const check = await pool.query<{ transaction_isolation: string }>('SHOW transaction_isolation');
        expect(check.rows[0]?.transaction_isolation).toBe('serializable');
        const [slots, units, both] = await Promise.all([
          Promise.all(Array.from({ length: 30 }, () => rateLimit.take({ key: 'ser', limit: 4, windowMs: minute, nowMs: t0 }))),
          Promise.all(Array.from({ length: 30 }, () => quota.take({ configKey: 'ser', initial: 6 }))),
          Promise.all(Array.from({ length: 30 }, (_, i) => admission.take({ rateLimit: { key: `ser-${i % 3}`, limit: 2, windowMs: minute, nowMs: t0 }, quota: { configKey: 'ser-both', initial: 5 } }))),
        ]);
        expect(slots.filter((r) => r.ok)).toHaveLength(4);
        expect(units.filter((r) => r.ok)).toHaveLength(6);
        expect(both.filter((r) => r.ok)).toHaveLength(5);
      } finally {
        await pool.end();
      }
    });
  });

  describe('options', () => {
    it('refuses what it cannot use: not a client, a schema that is not a plain identifier, a timeout that is not a positive whole number', () => {
      expect(() => createPostgresStores({} as never)).toThrow(TypeError);
      expect(() => createPostgresStores(null as never)).toThrow(TypeError);
      for (const schema of ['', '1abc', 'a-b', 'a;drop schema public', '"x"', 'a'.repeat(64)]) {
        expect(() => createPostgresStores(admin, { schema })).toThrow(TypeError);
      }
      for (const commandTimeoutMs of [0, -1, 1.5, Number.NaN]) expect(() => createPostgresStores(admin, { commandTimeoutMs })).toThrow(TypeError);
      expect(() => createPostgresStores(admin, { reservationTtlMs: 0 })).toThrow(TypeError);
    });

    it('rejects lease numbers it cannot count with, sending nothing', async () => {
      const { leases } = createPostgresStores(admin, { schema: 'never_migrated' });
      await expect(leases.acquire({ key: 'k', limit: 0, leaseId: 'l', ttlMs: minute, nowMs: t0 })).rejects.toThrow(TypeError);
      await expect(leases.acquire({ key: 'k', limit: 1, leaseId: 'l', ttlMs: 0, nowMs: t0 })).rejects.toThrow(TypeError);
      await expect(leases.renew({ key: 'k', leaseId: 'l', ttlMs: minute, nowMs: Number.NaN })).rejects.toThrow(TypeError);
      await expect(leases.release({ key: 'k', leaseId: 'l', nowMs: Number.POSITIVE_INFINITY })).rejects.toThrow(TypeError);
    });
  });
});
