import type { LeaseBinding, LeaseRef, LeaseStore } from '../../contract/stores.js';
import { copyLeases, invalidAcquire, invalidBind, invalidBoundTo, invalidRelease, invalidRenew } from '../validate.js';

/**
 * The memory {@link LeaseStore}, with `size()`: how many lease keys and bindings it holds (expired
 * ones included until they are swept).
 *
 * @example
 * ```ts
 * import { createMemoryLeaseStore } from 'castgate';
 * const leases = createMemoryLeaseStore();
 * await leases.acquire({ key: 'cast:demo:live', limit: 2, leaseId: 'l-1', ttlMs: 120_000, nowMs: Date.now() });
 * leases.size(); // 1
 * ```
 */
export interface MemoryLeaseStore extends LeaseStore {
  size(): number;
}

/** The live leases of one key: lease id → the instant it expires, and the soonest such instant. */
interface Holders {
  readonly expiries: Map<string, number>;
  /** No lease of this key expires before this instant (it may be stale-low after a renewal). */
  soonest: number;
}

interface StoredBinding {
  readonly binding: LeaseBinding;
  readonly expiresAtMs: number;
}

/** Below this many entries the store never sweeps. */
const minimumSweepSize = 1024;

/** Drops the leases of `holders` that expired by `nowMs` and recomputes `soonest` (exact again). */
function prune(holders: Holders, nowMs: number, force = false): void {
  if (!force && holders.soonest > nowMs) return;
  let soonest = Number.POSITIVE_INFINITY;
  for (const [leaseId, expiresAt] of holders.expiries) {
    if (expiresAt <= nowMs) holders.expiries.delete(leaseId);
    else if (expiresAt < soonest) soonest = expiresAt;
  }
  holders.soonest = soonest;
}

/** `configKey` and `sessionId` as one map key, unambiguously (the length comes first). */
function bindingKeyOf(configKey: string, sessionId: string): string {
  return `${configKey.length}:${configKey}${sessionId}`;
}

/**
 * Creates a {@link LeaseStore} for one process: per key, a map of live leases to the instant each
 * expires (`last renewal + ttlMs`). `acquire` counts only live leases and is atomic (JavaScript runs
 * it to the end before another call starts); acquiring a lease id that is already live renews it; a
 * full key answers how long until its soonest lease expires. An expired lease is never revived.
 * Every instant is the caller's `nowMs`; the store holds no timer: expired leases and bindings are
 * swept lazily, whenever the store has doubled in size since the last sweep, so memory stays
 * proportional to what is live. Rejects with a `TypeError` for unusable input.
 *
 * @example
 * ```ts
 * import { createMemoryLeaseStore } from 'castgate';
 * const leases = createMemoryLeaseStore();
 * const now = Date.now();
 * await leases.acquire({ key: 'cast:demo:live', limit: 1, leaseId: 'a', ttlMs: 60_000, nowMs: now }); // { ok: true }
 * await leases.acquire({ key: 'cast:demo:live', limit: 1, leaseId: 'b', ttlMs: 60_000, nowMs: now }); // { ok: false, retryAfterMs: 60000 }
 * ```
 */
export function createMemoryLeaseStore(): MemoryLeaseStore {
  const keys = new Map<string, Holders>();
  const bindings = new Map<string, StoredBinding>();
  /** The latest instant any caller gave: what a sweep counts as now. */
  let latestMs = Number.NEGATIVE_INFINITY;
  let sweepAt = minimumSweepSize;

  function sweep(): void {
    for (const [key, holders] of keys) {
      prune(holders, latestMs);
      if (holders.expiries.size === 0) keys.delete(key);
    }
    for (const [key, stored] of bindings) if (stored.expiresAtMs <= latestMs) bindings.delete(key);
    sweepAt = Math.max(minimumSweepSize, 2 * (keys.size + bindings.size));
  }

  function saw(nowMs: number): void {
    if (nowMs > latestMs) latestMs = nowMs;
    if (keys.size + bindings.size >= sweepAt) sweep();
  }

  function acquire(input: { key: string; limit: number; leaseId: string; ttlMs: number; nowMs: number }): Promise<{ ok: true } | { ok: false; retryAfterMs: number }> {
    const invalid = invalidAcquire(input);
    if (invalid !== undefined) return Promise.reject(invalid);
    const { key, limit, leaseId, ttlMs, nowMs } = input;
    saw(nowMs);
    let holders = keys.get(key);
    if (holders === undefined) {
      holders = { expiries: new Map(), soonest: Number.POSITIVE_INFINITY };
      keys.set(key, holders);
    } else {
      prune(holders, nowMs);
    }
    const expiresAt = nowMs + ttlMs;
    if (!holders.expiries.has(leaseId) && holders.expiries.size >= limit) {
      prune(holders, nowMs, true);
      return Promise.resolve({ ok: false, retryAfterMs: Math.max(1, holders.soonest - nowMs) });
    }
    holders.expiries.set(leaseId, expiresAt);
    if (expiresAt < holders.soonest) holders.soonest = expiresAt;
    return Promise.resolve({ ok: true });
  }

  function renew(input: { key: string; leaseId: string; ttlMs: number; nowMs: number }): Promise<boolean> {
    const invalid = invalidRenew(input);
    if (invalid !== undefined) return Promise.reject(invalid);
    const { key, leaseId, ttlMs, nowMs } = input;
    saw(nowMs);
    const holders = keys.get(key);
    const expiresAt = holders?.expiries.get(leaseId);
    if (holders === undefined || expiresAt === undefined) return Promise.resolve(false);
    if (expiresAt <= nowMs) {
      holders.expiries.delete(leaseId);
      return Promise.resolve(false);
    }
    holders.expiries.set(leaseId, nowMs + ttlMs);
    if (nowMs + ttlMs < holders.soonest) holders.soonest = nowMs + ttlMs;
    return Promise.resolve(true);
  }

  function release(input: { key: string; leaseId: string; nowMs?: number }): Promise<boolean> {
    const invalid = invalidRelease(input);
    if (invalid !== undefined) return Promise.reject(invalid);
    const { key, leaseId, nowMs } = input;
    if (nowMs !== undefined) saw(nowMs);
    const holders = keys.get(key);
    const expiresAt = holders?.expiries.get(leaseId);
    if (holders === undefined || expiresAt === undefined) return Promise.resolve(false);
    holders.expiries.delete(leaseId);
    if (holders.expiries.size === 0) keys.delete(key);
    return Promise.resolve(nowMs === undefined || expiresAt > nowMs);
  }

  function bind(input: { configKey: string; sessionId: string; leases: readonly LeaseRef[]; ttlMs: number; nowMs: number }): Promise<void> {
    const invalid = invalidBind(input);
    if (invalid !== undefined) return Promise.reject(invalid);
    const { configKey, sessionId, ttlMs, nowMs } = input;
    saw(nowMs);
    const binding: LeaseBinding = Object.freeze({ leases: Object.freeze(copyLeases(input.leases)), ttlMs });
    bindings.set(bindingKeyOf(configKey, sessionId), { binding, expiresAtMs: nowMs + ttlMs });
    return Promise.resolve();
  }

  function boundTo(input: { configKey: string; sessionId: string }): Promise<LeaseBinding | null> {
    const invalid = invalidBoundTo(input);
    if (invalid !== undefined) return Promise.reject(invalid);
    return Promise.resolve(bindings.get(bindingKeyOf(input.configKey, input.sessionId))?.binding ?? null);
  }

  return { acquire, renew, release, bind, boundTo, size: () => keys.size + bindings.size };
}
