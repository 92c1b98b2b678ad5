import { describe, expect, it } from 'vitest';
import { createCastEvaluator, evaluateCast } from '../../src/engine/evaluate.js';
import { endCastSession, renewCastSession } from '../../src/engine/session-leases.js';
import type { LeaseStore } from '../../src/contract/stores.js';
import { createMemoryLeaseStore } from '../../src/stores/memory/leases.js';
import { createLeaseStoreDouble, createTestClock } from '../../src/testing/index.js';
import { config, stores, t0 } from '../helpers/cast.js';

const minute = 60_000;

function liveStores() {
  const leases = createMemoryLeaseStore();
  return { ...stores({ leases }), leases };
}

describe('liveSessions guard (SPEC §16)', () => {
  it('serves exactly 5 of 100 concurrent requests to a link with maxLiveSessions: 5, the rest live_limit (429)', async () => {
    const cfg = config({ maxLiveSessions: 5 });
    const s = liveStores();
    const decisions = await Promise.all(Array.from({ length: 100 }, (_, i) => evaluateCast(cfg, { ip: `10.0.${i >> 8}.${i & 255}`, now: t0 }, s)));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(5);
    const refused = decisions.filter((d) => !d.allowed);
    expect(refused).toHaveLength(95);
    for (const d of refused) {
      expect(d.error).toEqual({ code: 'live_limit', status: 429, message: 'Too many sessions are running for this link. Please try again later.' });
    }
    expect(s.sessions.plans).toHaveLength(5);
  });

  it('caps each client (its rate-limit bucket) at maxLiveSessionsPerClient, and serves another client', async () => {
    const cfg = config({ maxLiveSessionsPerClient: 2 });
    const s = liveStores();
    const from = (ip: string) => evaluateCast(cfg, { ip, now: t0 }, s);
    expect((await from('192.0.2.1')).allowed).toBe(true);
    expect((await from('::ffff:192.0.2.1')).allowed).toBe(true);
    const third = await from('192.0.2.1');
    expect(!third.allowed && third.error.code).toBe('live_limit');
    expect(third.trace.at(-1)).toMatchObject({ guard: 'liveSessions', verdict: 'deny', code: 'live_limit', note: '2 live per client' });
    expect((await from('2001:db8:1:2::1')).allowed).toBe(true);
    expect((await from('2001:db8:1:2::ffff')).allowed).toBe(true);
    expect((await from('2001:db8:1:2::abcd')).allowed).toBe(false);
  });

  it('takes a client\'s place under the link\'s cap only when the client is under its own', async () => {
    const cfg = config({ maxLiveSessions: 2, maxLiveSessionsPerClient: 1 });
    const s = liveStores();
    expect((await evaluateCast(cfg, { ip: '192.0.2.1', now: t0 }, s)).allowed).toBe(true);
    expect((await evaluateCast(cfg, { ip: '192.0.2.1', now: t0 }, s)).allowed).toBe(false);
    expect((await evaluateCast(cfg, { ip: '192.0.2.2', now: t0 }, s)).allowed).toBe(true);
    const full = await evaluateCast(cfg, { ip: '192.0.2.3', now: t0 }, s);
    expect(!full.allowed && full.trace.at(-1)?.note).toBe('2 live per link');
    // The refused client's own lease was given back: with a place free on the link it is served.
    expect(await s.leases.acquire({ key: 'cast:test-key-0123456789:live:v4:192.0.2.3', limit: 1, leaseId: 'probe', ttlMs: 1, nowMs: t0.getTime() })).toEqual({ ok: true });
  });

  it('frees a place leaseTtlMs after the last renewal when the host stops renewing (a crashed host), on a test clock', async () => {
    const clock = createTestClock(t0);
    const evaluate = createCastEvaluator({ clock: clock.now, leaseTtlMs: 2 * minute });
    const cfg = config({ maxLiveSessions: 1 });
    const s = liveStores();
    expect((await evaluate(cfg, { ip: '192.0.2.1' }, s)).allowed).toBe(true);
    clock.advance(2 * minute - 1);
    expect((await evaluate(cfg, { ip: '192.0.2.2' }, s)).allowed).toBe(false);
    clock.advance(1);
    expect((await evaluate(cfg, { ip: '192.0.2.2' }, s)).allowed).toBe(true);
  });

  it('keeps the place while the host renews, with the evaluator\'s leaseTtlMs, and never revives a lapsed lease', async () => {
    const clock = createTestClock(t0);
    const evaluate = createCastEvaluator({ clock: clock.now, leaseTtlMs: minute });
    const cfg = config({ maxLiveSessions: 1, maxLiveSessionsPerClient: 1 });
    const s = liveStores();
    const first = await evaluate(cfg, { ip: '192.0.2.1' }, s);
    if (!first.allowed) throw new Error('expected a session');
    const session = { configKey: cfg.key, sessionId: first.session.id };
    for (let i = 0; i < 5; i++) {
      clock.advance(minute - 1);
      expect(await renewCastSession(s, { ...session, now: clock.now() })).toBe(true);
      expect((await evaluate(cfg, { ip: '192.0.2.2' }, s)).allowed).toBe(false);
    }
    clock.advance(minute);
    expect(await renewCastSession(s, { ...session, now: clock.now() })).toBe(false);
    expect((await evaluate(cfg, { ip: '192.0.2.2' }, s)).allowed).toBe(true);
    expect(await renewCastSession(s, { ...session, now: clock.now() })).toBe(false);
  });

  it('lets renewCastSession set the lease\'s TTL with its own leaseTtlMs, kept for later renewals', async () => {
    const clock = createTestClock(t0);
    const evaluate = createCastEvaluator({ clock: clock.now, leaseTtlMs: minute });
    const cfg = config({ maxLiveSessions: 1 });
    const s = liveStores();
    const first = await evaluate(cfg, { ip: '192.0.2.1' }, s);
    if (!first.allowed) throw new Error('expected a session');
    const session = { configKey: cfg.key, sessionId: first.session.id };
    expect(await renewCastSession(s, { ...session, now: clock.now() }, { leaseTtlMs: 10 * minute })).toBe(true);
    clock.advance(10 * minute - 1);
    expect(await renewCastSession(s, { ...session, now: clock.now() })).toBe(true);
    clock.advance(10 * minute - 1);
    expect((await evaluate(cfg, { ip: '192.0.2.2' }, s)).allowed).toBe(false);
    await expect(renewCastSession(s, session, { leaseTtlMs: 0 })).rejects.toThrow(RangeError);
  });

  it('frees the place at once on endCastSession, which answers whether it found a live lease', async () => {
    const cfg = config({ maxLiveSessions: 1, maxLiveSessionsPerClient: 1 });
    const s = liveStores();
    const first = await evaluateCast(cfg, { ip: '192.0.2.1', now: t0 }, s);
    if (!first.allowed) throw new Error('expected a session');
    const session = { configKey: cfg.key, sessionId: first.session.id, now: t0 };
    expect(await endCastSession(s, session)).toBe(true);
    expect(await endCastSession(s, session)).toBe(false);
    expect(await endCastSession(s, { configKey: cfg.key, sessionId: 'never-started' })).toBe(false);
    expect(await renewCastSession(s, session)).toBe(false);
    expect((await evaluateCast(cfg, { ip: '192.0.2.1', now: t0 }, s)).allowed).toBe(true);
  });

  it('finds a session\'s leases from another process: the binding is in the lease store, not in memory of the evaluator', async () => {
    const cfg = config({ maxLiveSessions: 3, maxLiveSessionsPerClient: 2 });
    const s = liveStores();
    const first = await evaluateCast(cfg, { ip: '192.0.2.1', now: t0 }, s, { leaseTtlMs: 30_000 });
    if (!first.allowed) throw new Error('expected a session');
    const binding = await s.leases.boundTo({ configKey: cfg.key, sessionId: first.session.id });
    expect(binding).toEqual({
      leases: [
        { key: 'cast:test-key-0123456789:live:v4:192.0.2.1', leaseId: expect.any(String) },
        { key: 'cast:test-key-0123456789:live', leaseId: expect.any(String) },
      ],
      ttlMs: 30_000,
    });
  });

  it('gives the leases back when provisioning fails, so the place serves the next request', async () => {
    const cfg = config({ maxLiveSessions: 1, maxLiveSessionsPerClient: 1 });
    const s = liveStores();
    s.sessions.mode = 'throw';
    const failed = await evaluateCast(cfg, { ip: '192.0.2.1', now: t0 }, s);
    expect(!failed.allowed && failed.error.code).toBe('provision_failed');
    expect(failed.trace.find((e) => e.guard === 'liveSessions')).toMatchObject({ verdict: 'pass' });
    s.sessions.mode = 'ok';
    expect((await evaluateCast(cfg, { ip: '192.0.2.1', now: t0 }, s)).allowed).toBe(true);
  });

  it('takes no lease for a resume: a signed-in user resumes at the cap', async () => {
    const cfg = config({ maxLiveSessions: 1 });
    const s = liveStores();
    const first = await evaluateCast(cfg, { ip: '192.0.2.1', user: { id: 'u-1' }, now: t0 }, s);
    expect(first.allowed).toBe(true);
    const again = await evaluateCast(cfg, { ip: '192.0.2.9', user: { id: 'u-1' }, now: t0 }, s);
    expect(again.allowed && again.outcome).toBe('resumed');
    expect(again.trace.map((e) => e.guard)).not.toContain('liveSessions');
    expect((await evaluateCast(cfg, { ip: '192.0.2.2', now: t0 }, s)).allowed).toBe(false);
  });

  it('fails closed (store_unavailable) when the lease store fails, holding nothing for it', async () => {
    const cfg = config({ maxLiveSessions: 1, maxLiveSessionsPerClient: 1 });
    const inner = createMemoryLeaseStore();
    let linkFailures = 1;
    // The client's lease is taken, then the link's acquire fails: the client's must be released.
    const leases: LeaseStore = {
      ...inner,
      acquire: (input) => (input.key.endsWith(':live') && linkFailures-- > 0 ? Promise.reject(new Error('ECONNRESET')) : inner.acquire(input)),
    };
    const s = stores({ leases });
    const first = await evaluateCast(cfg, { ip: '192.0.2.1', now: t0 }, s);
    expect(!first.allowed && first.error.code).toBe('store_unavailable');
    expect(await inner.acquire({ key: 'cast:test-key-0123456789:live:v4:192.0.2.1', limit: 1, leaseId: 'probe', ttlMs: 1, nowMs: t0.getTime() })).toEqual({ ok: true });
    const failing = createLeaseStoreDouble(createMemoryLeaseStore());
    failing.reject(new Error('ECONNRESET'), { method: 'acquire', times: 1 });
    const down = await evaluateCast(cfg, { ip: '192.0.2.1', now: t0 }, stores({ leases: failing }));
    expect(!down.allowed && down.error.code).toBe('store_unavailable');
    expect((await evaluateCast(cfg, { ip: '192.0.2.1', now: t0 }, stores({ leases: failing }))).allowed).toBe(true);
  });

  it('stays allowed when binding fails after the session started, and says so in the trace', async () => {
    const cfg = config({ maxLiveSessions: 1 });
    const leases = createLeaseStoreDouble(createMemoryLeaseStore());
    leases.reject(new Error('ECONNRESET'), { method: 'bind' });
    const d = await evaluateCast(cfg, { ip: '192.0.2.1', now: t0 }, stores({ leases }), { leaseTtlMs: 5_000 });
    expect(d.allowed).toBe(true);
    expect(d.trace.at(-1)).toMatchObject({ guard: 'provision', verdict: 'pass', note: 'leases not bound to the session (failed): they expire unrenewed after 5000 ms' });
  });

  it('skips without caps, and rejects (a programmer error) a capped config with stores that have no leases', async () => {
    const plain = await evaluateCast(config(), { ip: '192.0.2.1', now: t0 }, stores());
    expect(plain.trace.find((e) => e.guard === 'liveSessions')).toMatchObject({ verdict: 'skip' });
    await expect(evaluateCast(config({ maxLiveSessions: 1 }), { ip: '192.0.2.1', now: t0 }, stores())).rejects.toThrow(
      'config "test-key-0123456789" caps live sessions, so stores.leases is required',
    );
  });

  it('refuses a leaseTtlMs that is not a positive whole number of milliseconds', () => {
    for (const leaseTtlMs of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => createCastEvaluator({ leaseTtlMs })).toThrow(RangeError);
    }
  });
});
