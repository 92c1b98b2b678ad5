import type { RateLimitInput, RateLimitStore } from '../../contract/stores.js';

/**
 * The in-memory {@link RateLimitStore} with its two admin extras: `size` (how many keys it holds) and
 * `prune(nowMs)` (drop every key whose slots have all freed; it also happens on its own, amortised).
 *
 * @example
 * ```ts
 * import { createMemoryStores } from 'castgate';
 * const { rateLimit } = createMemoryStores();
 * rateLimit.prune(Date.now()); // how many keys were dropped
 * ```
 */
export interface MemoryRateLimitStore extends RateLimitStore {
  /** How many keys the store holds now (live or not yet pruned). */
  readonly size: number;
  /** Drops every key whose slots have all freed by `nowMs`; answers how many were dropped. */
  prune(nowMs: number): number;
}

/**
 * Options of {@link createMemoryRateLimitStore}.
 *
 * @example
 * ```ts
 * import type { MemoryRateLimitOptions } from 'castgate';
 * const options: MemoryRateLimitOptions = { maxKeys: 10_000 };
 * ```
 */
export interface MemoryRateLimitOptions {
  /**
   * The most keys held at once. Past it, a key not used lately is evicted (CLOCK, an approximation
   * of least-recently-used: a key used since the last pass gets a second chance; its history is
   * forgotten), so an address spray cannot grow memory without bound. Keep it well above the number
   * of clients active within one window.
   * @defaultValue 100_000
   */
  readonly maxKeys?: number;
}

/** One key's log: slot times in ascending order, and the reservation of each slot. */
interface Bucket {
  times: number[];
  reservations: string[];
  /** The window of the latest take, used to tell when the whole bucket has freed. */
  windowMs: number;
  /** Used since the eviction hand last passed it (CLOCK's reference bit). */
  used: boolean;
}

const defaultMaxKeys = 100_000;
/** The fewest takes between two full sweeps of the keys. */
const minSweepInterval = 1024;

/**
 * Checks the numbers of a take or peek; answers a `TypeError` to reject with, or `undefined`.
 */
function invalidInput(input: RateLimitInput): TypeError | undefined {
  const { limit, windowMs, nowMs } = input;
  if (!Number.isSafeInteger(limit) || limit < 1) return new TypeError('castgate: rate limit `limit` must be a positive integer');
  if (!Number.isFinite(windowMs) || windowMs <= 0) return new TypeError('castgate: rate limit `windowMs` must be a positive number');
  if (!Number.isFinite(nowMs)) return new TypeError('castgate: rate limit `nowMs` must be a finite number');
  return undefined;
}

/** Milliseconds until enough slots free for one more take: at least 1. */
function retryAfterOf(times: readonly number[], first: number, count: number, limit: number, windowMs: number, nowMs: number): number {
  const freeing = times[first + count - limit] ?? nowMs;
  return Math.max(1, Math.ceil(freeing + windowMs - nowMs));
}

/** The index of the first slot still counted at `nowMs` (slots are sorted by time). */
function firstLive(times: readonly number[], threshold: number): number {
  let index = 0;
  while (index < times.length && (times[index] ?? 0) <= threshold) index++;
  return index;
}

/**
 * Creates an exact sliding-window {@link RateLimitStore} for one process. Each key keeps a log of its
 * slot times (at most `limit` live slots). A slot taken at `t` counts for every decision before
 * `t + windowMs` and frees at `t + windowMs` exactly. Time comes only from the caller's `nowMs`; the
 * store reads no clock and holds no timer. Keys whose slots have all freed are dropped lazily (an
 * amortised sweep) and the key count is capped with CLOCK (approximately least-recently-used) eviction. A key should keep
 * one `limit` and `windowMs`. Rejects with a `TypeError` when `limit`, `windowMs` or `nowMs` is not a
 * usable number; throws a `TypeError` for invalid options.
 *
 * @example
 * ```ts
 * import { createMemoryRateLimitStore } from 'castgate';
 * const store = createMemoryRateLimitStore({ maxKeys: 50_000 });
 * const taken = await store.take({ key: 'k', limit: 1, windowMs: 60_000, nowMs: Date.now() });
 * ```
 */
export function createMemoryRateLimitStore(options: MemoryRateLimitOptions = {}): MemoryRateLimitStore {
  const maxKeys = options.maxKeys ?? defaultMaxKeys;
  if (!Number.isSafeInteger(maxKeys) || maxKeys < 1) throw new TypeError('castgate: `maxKeys` must be a positive integer');

  const buckets = new Map<string, Bucket>();
  let sequence = 0;
  let takesSinceSweep = 0;
  // The next sweep waits for as many takes as there were keys after the last one (at least
  // minSweepInterval), so sweeping costs O(1) per take amortised even while every take adds a key.
  let sweepAfter = minSweepInterval;

  // Eviction is CLOCK, the usual approximation of least-recently-used: a hand goes round the keys
  // in insertion order; a key used since the hand last passed gets a second chance, the first one
  // not used is evicted. A hit only sets a flag, so it never reorders the Map (deleting and
  // re-inserting on every hit made V8 rehash the whole table again and again). The hand is a kept
  // iterator: a fresh `keys().next()` would walk past every entry deleted before it.
  let hand = buckets.keys();
  function evictOne(): void {
    for (let steps = 0; steps <= 2 * buckets.size + 1; steps++) {
      let next = hand.next();
      if (next.done === true) {
        hand = buckets.keys();
        next = hand.next();
        if (next.done === true) return;
      }
      const key = next.value;
      const bucket = buckets.get(key);
      if (bucket === undefined) continue;
      if (bucket.used) {
        bucket.used = false;
      } else {
        buckets.delete(key);
        return;
      }
    }
  }

  function prune(nowMs: number): number {
    let dropped = 0;
    for (const [key, bucket] of buckets) {
      const newest = bucket.times[bucket.times.length - 1];
      if (newest === undefined || newest + bucket.windowMs <= nowMs) {
        buckets.delete(key);
        dropped++;
      }
    }
    takesSinceSweep = 0;
    sweepAfter = Math.max(minSweepInterval, buckets.size);
    // A fresh hand: the old one may pin the Map's table from before the sweep (and what it held).
    hand = buckets.keys();
    return dropped;
  }

  function take(input: RateLimitInput): Promise<{ ok: true; reservation: string } | { ok: false; retryAfterMs: number }> {
    const invalid = invalidInput(input);
    if (invalid !== undefined) return Promise.reject(invalid);
    const { key, limit, windowMs, nowMs } = input;

    if (++takesSinceSweep >= sweepAfter) prune(nowMs);

    const bucket = buckets.get(key);
    if (bucket === undefined) {
      if (buckets.size >= maxKeys) evictOne();
      // A new key: the array literals are allocated at their exact size (most keys hold one slot).
      const reservation = `${++sequence}`;
      buckets.set(key, { times: [nowMs], reservations: [reservation], windowMs, used: false });
      return Promise.resolve({ ok: true, reservation });
    }

    bucket.used = true;
    bucket.windowMs = windowMs;
    const { times, reservations } = bucket;
    const expired = firstLive(times, nowMs - windowMs);
    if (expired > 0) {
      times.splice(0, expired);
      reservations.splice(0, expired);
    }

    const count = times.length;
    if (count >= limit) return Promise.resolve({ ok: false, retryAfterMs: retryAfterOf(times, 0, count, limit, windowMs, nowMs) });

    const reservation = `${++sequence}`;
    let at = count;
    while (at > 0 && (times[at - 1] ?? 0) > nowMs) at--;
    if (at === count) {
      times.push(nowMs);
      reservations.push(reservation);
    } else {
      times.splice(at, 0, nowMs);
      reservations.splice(at, 0, reservation);
    }
    return Promise.resolve({ ok: true, reservation });
  }

  function peek(input: RateLimitInput): Promise<{ full: boolean; retryAfterMs: number }> {
    const invalid = invalidInput(input);
    if (invalid !== undefined) return Promise.reject(invalid);
    const { key, limit, windowMs, nowMs } = input;
    const bucket = buckets.get(key);
    if (bucket === undefined) return Promise.resolve({ full: false, retryAfterMs: 0 });
    const { times } = bucket;
    const first = firstLive(times, nowMs - windowMs);
    const count = times.length - first;
    if (count < limit) return Promise.resolve({ full: false, retryAfterMs: 0 });
    return Promise.resolve({ full: true, retryAfterMs: retryAfterOf(times, first, count, limit, windowMs, nowMs) });
  }

  function giveBack(input: { key: string; reservation: string }): Promise<void> {
    const bucket = buckets.get(input.key);
    if (bucket === undefined) return Promise.resolve();
    const at = bucket.reservations.indexOf(input.reservation);
    if (at === -1) return Promise.resolve();
    bucket.times.splice(at, 1);
    bucket.reservations.splice(at, 1);
    if (bucket.times.length === 0) buckets.delete(input.key);
    return Promise.resolve();
  }

  return {
    take,
    peek,
    giveBack,
    prune,
    get size() {
      return buckets.size;
    },
  };
}
