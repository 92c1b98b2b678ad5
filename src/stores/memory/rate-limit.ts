import type { RateLimitInput, RateLimitStore } from '../../contract/stores.js';
import { invalidRateLimitInput } from '../validate.js';
import { withImmediate } from './immediate.js';

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
   * The most keys held at once, so an address spray cannot grow memory without bound. When it is
   * reached, keys whose slots have all freed go first, then keys with a free slot (a key not used
   * lately before one in use: CLOCK's second chance). A client at its limit is never evicted: it
   * keeps its window for as long as it lasts. When every key is at its limit, a new key is refused
   * (`ok: false`, retry when the soonest window frees): under a spray the store fails closed for
   * newcomers, never open for the limited. Keep it well above the number of clients active within
   * one window.
   * @defaultValue 100_000
   */
  readonly maxKeys?: number;
}

/**
 * One key's log: slot times in ascending order, and the reservation number of each slot. Both are
 * arrays of numbers, which V8 stores unboxed: a slot that lives for an hour-long window costs no heap
 * object of its own (a reservation string per slot made every scavenge copy it again and again).
 */
interface Bucket {
  times: number[];
  reservations: number[];
  /** The window and limit of the latest take (a key should keep one of each). */
  windowMs: number;
  limit: number;
  /** Used since the eviction hand last passed it (CLOCK's reference bit). */
  used: boolean;
  /** At its limit as of the latest take: never evicted while so. */
  full: boolean;
  /** Bumped whenever `full` changes, so a stale entry in the heap of full keys is recognised. */
  version: number;
}

/** When a full key frees a slot: an entry of the heap of full keys (stale once `version` moved on). */
interface FreeAt {
  readonly at: number;
  readonly key: string;
  readonly bucket: Bucket;
  readonly version: number;
}

const defaultMaxKeys = 100_000;
/** The fewest takes between two full sweeps of the keys. */
const minSweepInterval = 1024;

/** Milliseconds until enough slots free for one more take: at least 1. */
function retryAfterOf(times: readonly number[], first: number, count: number, limit: number, windowMs: number, nowMs: number): number {
  const freeing = times[first + count - limit] ?? nowMs;
  return Math.max(1, Math.ceil(freeing + windowMs - nowMs));
}

/** The index of the first slot still counted at `nowMs` (slots are sorted by time): a binary search. */
function firstLive(times: readonly number[], threshold: number): number {
  let low = 0;
  let high = times.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((times[mid] ?? 0) <= threshold) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** A binary min-heap of {@link FreeAt} entries, by `at`. */
class FreeAtHeap {
  readonly items: FreeAt[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): FreeAt | undefined {
    return this.items[0];
  }

  push(entry: FreeAt): void {
    const { items } = this;
    items.push(entry);
    let at = items.length - 1;
    while (at > 0) {
      const parent = (at - 1) >>> 1;
      const above = items[parent];
      if (above === undefined || above.at <= entry.at) break;
      items[at] = above;
      at = parent;
    }
    items[at] = entry;
  }

  pop(): FreeAt | undefined {
    const { items } = this;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    let at = 0;
    for (;;) {
      const left = 2 * at + 1;
      const leftItem = items[left];
      if (leftItem === undefined) break;
      const rightItem = items[left + 1];
      const [child, childItem] = rightItem !== undefined && rightItem.at < leftItem.at ? [left + 1, rightItem] : [left, leftItem];
      if (childItem.at >= last.at) break;
      items[at] = childItem;
      at = child;
    }
    items[at] = last;
    return top;
  }

  /** Keeps only the entries `keep` accepts (then re-heapifies): drops stale entries in one pass. */
  retain(keep: (entry: FreeAt) => boolean): void {
    const kept = this.items.filter(keep);
    this.items.length = 0;
    for (const entry of kept) this.push(entry);
  }
}

/**
 * Creates an exact sliding-window {@link RateLimitStore} for one process. Each key keeps a log of its
 * slot times (at most `limit` live slots). A slot taken at `t` counts for every decision before
 * `t + windowMs` and frees at `t + windowMs` exactly. Time comes only from the caller's `nowMs`; the
 * store reads no clock and holds no timer. Keys whose slots have all freed are dropped lazily (an
 * amortised sweep). The key count is capped (`maxKeys`) without ever freeing a client at its limit:
 * expired keys go first, then keys with a free slot; when every key is at its limit a new key is
 * refused until the soonest window frees. A key should keep one `limit` and `windowMs`. Rejects with
 * a `TypeError` when `limit`, `windowMs` or `nowMs` is not a usable number; throws a `TypeError` for
 * invalid options.
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
  // No key can have expired before this instant (a lower bound, kept on every take): at the key cap
  // a sweep runs only when it can find something.
  let soonestExpiry = Number.POSITIVE_INFINITY;

  // Keys at their limit, and when each frees a slot. A key becomes full only on a take, so the heap
  // costs nothing on a workload whose clients stay under their limit.
  let fullCount = 0;
  const fullKeys = new FreeAtHeap();

  function markFull(key: string, bucket: Bucket): void {
    const { times, limit, windowMs } = bucket;
    const at = (times[times.length - limit] ?? 0) + windowMs;
    if (!bucket.full) {
      bucket.full = true;
      fullCount++;
    }
    bucket.version++;
    fullKeys.push({ at, key, bucket, version: bucket.version });
    // Stale entries (keys given back, re-filled or dropped) are dropped once they outnumber the live ones.
    if (fullKeys.size > 2 * fullCount + 64) fullKeys.retain((entry) => entry.bucket.full && entry.bucket.version === entry.version && buckets.get(entry.key) === entry.bucket);
  }

  function markOpen(bucket: Bucket): void {
    if (!bucket.full) return;
    bucket.full = false;
    bucket.version++;
    fullCount--;
  }

  /** Opens every full key whose soonest slot has freed by `nowMs`; answers the soonest still to free. */
  function openFreed(nowMs: number): number | undefined {
    for (;;) {
      const top = fullKeys.peek();
      if (top === undefined) return undefined;
      const live = top.bucket.full && top.bucket.version === top.version && buckets.get(top.key) === top.bucket;
      if (live && top.at > nowMs) return top.at;
      fullKeys.pop();
      if (live) markOpen(top.bucket);
    }
  }

  // Eviction among keys with a free slot is CLOCK, the usual approximation of least-recently-used: a
  // hand goes round the keys in insertion order; full keys are passed over, a key used since the hand
  // last passed gets a second chance, the first one not used is evicted. A hit only sets a flag, so it
  // never reorders the Map. The hand is a kept iterator: a fresh `keys().next()` would walk past every
  // entry deleted before it.
  let hand = buckets.keys();
  function evictOne(): boolean {
    if (fullCount >= buckets.size) return false;
    for (let steps = 0; steps <= 2 * buckets.size + 1; steps++) {
      let next = hand.next();
      if (next.done === true) {
        hand = buckets.keys();
        next = hand.next();
        if (next.done === true) return false;
      }
      const key = next.value;
      const bucket = buckets.get(key);
      if (bucket === undefined || bucket.full) continue;
      if (bucket.used) {
        bucket.used = false;
      } else {
        buckets.delete(key);
        return true;
      }
    }
    return false;
  }

  function prune(nowMs: number): number {
    openFreed(nowMs);
    let dropped = 0;
    let soonest = Number.POSITIVE_INFINITY;
    for (const [key, bucket] of buckets) {
      const newest = bucket.times[bucket.times.length - 1];
      const expiresAt = newest === undefined ? nowMs : newest + bucket.windowMs;
      if (expiresAt <= nowMs) {
        markOpen(bucket);
        buckets.delete(key);
        dropped++;
      } else if (expiresAt < soonest) {
        soonest = expiresAt;
      }
    }
    soonestExpiry = soonest;
    takesSinceSweep = 0;
    sweepAfter = Math.max(minSweepInterval, buckets.size);
    // A fresh hand: the old one may pin the Map's table from before the sweep (and what it held).
    hand = buckets.keys();
    return dropped;
  }

  /** Makes room for one more key at `nowMs`; answers how long a newcomer must wait when there is none. */
  function makeRoom(nowMs: number): number | undefined {
    if (nowMs >= soonestExpiry) prune(nowMs);
    if (buckets.size < maxKeys) return undefined;
    const soonestFree = openFreed(nowMs);
    if (evictOne()) return undefined;
    return Math.max(1, Math.ceil((soonestFree ?? nowMs + 1) - nowMs));
  }

  function take(input: RateLimitInput): { ok: true; reservation: string } | { ok: false; retryAfterMs: number } {
    const invalid = invalidRateLimitInput('castgate', input);
    if (invalid !== undefined) throw invalid;
    const { key, limit, windowMs, nowMs } = input;

    if (++takesSinceSweep >= sweepAfter) prune(nowMs);

    const bucket = buckets.get(key);
    if (bucket === undefined) {
      if (buckets.size >= maxKeys) {
        const waitMs = makeRoom(nowMs);
        if (waitMs !== undefined) return { ok: false, retryAfterMs: waitMs };
      }
      // A new key: the array literals are allocated at their exact size (most keys hold one slot).
      const reservation = ++sequence;
      const created: Bucket = { times: [nowMs], reservations: [reservation], windowMs, limit, used: false, full: false, version: 0 };
      buckets.set(key, created);
      if (nowMs + windowMs < soonestExpiry) soonestExpiry = nowMs + windowMs;
      if (limit === 1) markFull(key, created);
      return { ok: true, reservation: `${reservation}` };
    }

    bucket.used = true;
    bucket.windowMs = windowMs;
    const { times, reservations } = bucket;
    const expired = firstLive(times, nowMs - windowMs);
    if (expired > 0) {
      times.splice(0, expired);
      reservations.splice(0, expired);
    }
    if (bucket.limit !== limit || times.length < limit) {
      bucket.limit = limit;
      markOpen(bucket);
    }

    const count = times.length;
    if (count >= limit) return { ok: false, retryAfterMs: retryAfterOf(times, 0, count, limit, windowMs, nowMs) };

    const reservation = ++sequence;
    let at = count;
    while (at > 0 && (times[at - 1] ?? 0) > nowMs) at--;
    if (at === count) {
      times.push(nowMs);
      reservations.push(reservation);
    } else {
      times.splice(at, 0, nowMs);
      reservations.splice(at, 0, reservation);
    }
    if (count + 1 >= limit) markFull(key, bucket);
    return { ok: true, reservation: `${reservation}` };
  }

  function peek(input: RateLimitInput): { full: boolean; retryAfterMs: number } {
    const invalid = invalidRateLimitInput('castgate', input);
    if (invalid !== undefined) throw invalid;
    const { key, limit, windowMs, nowMs } = input;
    const bucket = buckets.get(key);
    if (bucket === undefined) return { full: false, retryAfterMs: 0 };
    const { times } = bucket;
    const first = firstLive(times, nowMs - windowMs);
    const count = times.length - first;
    if (count < limit) return { full: false, retryAfterMs: 0 };
    return { full: true, retryAfterMs: retryAfterOf(times, first, count, limit, windowMs, nowMs) };
  }

  function giveBack(input: { key: string; reservation: string }): void {
    const bucket = buckets.get(input.key);
    if (bucket === undefined) return;
    const reservation = typeof input.reservation === 'string' && /^[1-9][0-9]{0,15}$/u.test(input.reservation) ? Number(input.reservation) : 0;
    const at = reservation === 0 ? -1 : bucket.reservations.indexOf(reservation);
    if (at === -1) return;
    bucket.times.splice(at, 1);
    bucket.reservations.splice(at, 1);
    markOpen(bucket);
    if (bucket.times.length === 0) buckets.delete(input.key);
  }

  return {
    // Each answers at once; the engine calls the synchronous twins (see immediate.ts).
    take: withImmediate(take),
    peek: withImmediate(peek),
    giveBack: withImmediate(giveBack),
    prune,
    get size() {
      return buckets.size;
    },
  };
}
