// Small stores written for one purpose: to prove the contracts of castgate/testing catch what they
// claim to. Each is correct unless given a flaw; the correct one must pass its whole contract, and
// each flawed one must fail the cases that name its flaw.
import { randomUUID } from 'node:crypto';
import { setImmediate as tick } from 'node:timers/promises';
import type { AdmissionStore, LeaseBinding, LeaseStore, QuotaStore, RateLimitInput, RateLimitStore } from '../../src/contract/stores.js';
import { createMemoryQuotaStore, createMemoryRateLimitStore } from '../../src/stores/memory/index.js';

export interface Flaws {
  /** Reads, then waits a turn of the event loop (as a network round trip would), then writes. */
  readonly readThenWrite?: boolean;
  /** `giveBack` / `release` answers without giving anything back. */
  readonly giveBackNothing?: boolean;
  /** Lease store: takes any input, counting with whatever it is given. */
  readonly noInputChecks?: boolean;
  /** Lease store: `renew` brings an expired lease back to life. */
  readonly revivesExpired?: boolean;
  /** Lease store: binding a session again keeps its first binding. */
  readonly keepsFirstBinding?: boolean;
}

const nonEmpty = (value: unknown): boolean => typeof value === 'string' && value !== '';
const positiveInteger = (value: unknown): boolean => typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;

/** The lease store's input checks: what SPEC §16 needs to count with, else a TypeError. */
function checkLease(input: { key?: unknown; leaseId?: unknown; configKey?: unknown; sessionId?: unknown; limit?: unknown; ttlMs?: unknown; nowMs?: unknown; leases?: unknown }): void {
  for (const name of ['key', 'leaseId', 'configKey', 'sessionId'] as const) if (name in input && !nonEmpty(input[name])) throw new TypeError(name);
  for (const name of ['limit', 'ttlMs'] as const) if (name in input && !positiveInteger(input[name])) throw new TypeError(name);
  if (input.nowMs !== undefined && !Number.isSafeInteger(input.nowMs)) throw new TypeError('nowMs');
  if ('leases' in input && (!Array.isArray(input.leases) || !input.leases.every((lease: { key?: unknown; leaseId?: unknown }) => nonEmpty(lease.key) && nonEmpty(lease.leaseId)))) {
    throw new TypeError('leases');
  }
}

function checkWindow(input: RateLimitInput): void {
  if (!Number.isInteger(input.limit) || input.limit < 1) throw new TypeError('limit');
  if (!Number.isFinite(input.windowMs) || input.windowMs <= 0) throw new TypeError('windowMs');
  if (!Number.isFinite(input.nowMs)) throw new TypeError('nowMs');
}

export function createModelRateLimitStore(flaws: Flaws = {}): RateLimitStore {
  const slots = new Map<string, { at: number; reservation: string }[]>();
  const state = (input: RateLimitInput) => {
    const live = (slots.get(input.key) ?? []).filter((slot) => slot.at > input.nowMs - input.windowMs).map((slot) => slot.at).sort((a, b) => a - b);
    if (live.length < input.limit) return { full: false, retryAfterMs: 0 };
    const freeing = live[live.length - input.limit]!;
    return { full: true, retryAfterMs: Math.max(1, Math.ceil(freeing + input.windowMs - input.nowMs)) };
  };
  return {
    async take(input) {
      checkWindow(input);
      const seen = state(input);
      if (flaws.readThenWrite === true) await tick();
      if (seen.full) return { ok: false, retryAfterMs: seen.retryAfterMs };
      const reservation = randomUUID();
      slots.set(input.key, [...(slots.get(input.key) ?? []), { at: input.nowMs, reservation }]);
      return { ok: true, reservation };
    },
    async peek(input) {
      checkWindow(input);
      return state(input);
    },
    async giveBack({ key, reservation }) {
      if (flaws.giveBackNothing === true) return;
      const kept = (slots.get(key) ?? []).filter((slot) => slot.reservation !== reservation);
      if (flaws.readThenWrite === true) await tick();
      slots.set(key, kept);
    },
  };
}

function checkCount(n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new TypeError('count');
}

export function createModelQuotaStore(flaws: Flaws = {}): QuotaStore {
  const counters = new Map<string, { remaining: number; outstanding: Set<string> }>();
  return {
    async take({ configKey, initial }) {
      checkCount(initial);
      const counter = counters.get(configKey) ?? { remaining: initial, outstanding: new Set<string>() };
      counters.set(configKey, counter);
      const seen = counter.remaining;
      if (flaws.readThenWrite === true) await tick();
      if (seen <= 0) return { ok: false };
      counter.remaining = seen - 1;
      const reservation = randomUUID();
      counter.outstanding.add(reservation);
      return { ok: true, reservation, remaining: counter.remaining };
    },
    async giveBack({ configKey, reservation }) {
      if (flaws.giveBackNothing === true) return;
      const counter = counters.get(configKey);
      if (counter === undefined || !counter.outstanding.has(reservation)) return;
      const seen = counter.remaining;
      if (flaws.readThenWrite === true) await tick();
      if (!counter.outstanding.delete(reservation)) return;
      counter.remaining = seen + 1;
    },
    async remaining(configKey) {
      return counters.get(configKey)?.remaining;
    },
    async setRemaining(configKey, n) {
      checkCount(n);
      const counter = counters.get(configKey);
      if (counter === undefined) counters.set(configKey, { remaining: n, outstanding: new Set() });
      else counter.remaining = n;
    },
  };
}

export function createModelLeaseStore(flaws: Flaws = {}): LeaseStore {
  const leases = new Map<string, Map<string, number>>(); // key → leaseId → expiry
  const bindings = new Map<string, LeaseBinding>();
  const check = flaws.noInputChecks === true ? () => undefined : checkLease;
  const live = (key: string, nowMs: number) => {
    const held = leases.get(key) ?? new Map<string, number>();
    if (flaws.revivesExpired !== true) for (const [id, expiry] of held) if (nowMs >= expiry) held.delete(id);
    leases.set(key, held);
    return held;
  };
  const count = (held: Map<string, number>, nowMs: number) => [...held.values()].filter((expiry) => expiry > nowMs);
  return {
    async acquire(input) {
      check(input);
      const { key, limit, leaseId, ttlMs, nowMs } = input;
      const seen = live(key, nowMs);
      const taken = seen.has(leaseId) ? 0 : count(seen, nowMs).length;
      if (flaws.readThenWrite === true) await tick();
      const held = live(key, nowMs);
      if (taken >= limit) return { ok: false, retryAfterMs: Math.max(1, Math.min(...count(held, nowMs)) - nowMs) };
      held.set(leaseId, nowMs + ttlMs);
      return { ok: true };
    },
    async renew(input) {
      check(input);
      const { key, leaseId, ttlMs, nowMs } = input;
      const held = live(key, nowMs);
      if (!held.has(leaseId)) return false;
      held.set(leaseId, nowMs + ttlMs);
      return true;
    },
    async release(input) {
      check(input);
      const { key, leaseId, nowMs } = input;
      if (flaws.giveBackNothing === true) return true;
      const held = nowMs === undefined ? leases.get(key) : live(key, nowMs);
      const found = held?.has(leaseId) ?? false;
      if (flaws.readThenWrite === true) await tick();
      held?.delete(leaseId);
      return found;
    },
    async bind(input) {
      check(input);
      const { configKey, sessionId, leases: bound, ttlMs } = input;
      const id = JSON.stringify([configKey, sessionId]);
      if (flaws.keepsFirstBinding === true && bindings.has(id)) return;
      bindings.set(id, { leases: bound.map((lease) => ({ ...lease })), ttlMs });
    },
    async boundTo(input) {
      check(input);
      const binding = bindings.get(JSON.stringify([input.configKey, input.sessionId]));
      return binding === undefined ? null : { leases: binding.leases.map((lease) => ({ ...lease })), ttlMs: binding.ttlMs };
    },
  };
}

/**
 * An {@link AdmissionStore} composed of castgate's memory stores: take the slot, then the unit,
 * giving the slot back when no unit is left (exact, because each memory take is atomic).
 */
export function createComposedAdmissionStores(): { admission: AdmissionStore; rateLimit: RateLimitStore; quota: QuotaStore } {
  const rateLimit = createMemoryRateLimitStore();
  const quota = createMemoryQuotaStore();
  const admission: AdmissionStore = {
    async take(input) {
      const slot = await rateLimit.take(input.rateLimit);
      if (!slot.ok) return { ok: false, code: 'rate_limited', retryAfterMs: slot.retryAfterMs };
      const unit = await quota.take(input.quota);
      if (!unit.ok) {
        await rateLimit.giveBack({ key: input.rateLimit.key, reservation: slot.reservation });
        return { ok: false, code: 'quota_exhausted' };
      }
      return { ok: true, rateLimit: { reservation: slot.reservation }, quota: { reservation: unit.reservation, remaining: unit.remaining } };
    },
    async giveBack(input) {
      await Promise.all([rateLimit.giveBack(input.rateLimit), quota.giveBack(input.quota)]);
    },
  };
  return { admission, rateLimit, quota };
}
