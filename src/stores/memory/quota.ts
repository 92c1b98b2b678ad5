import type { QuotaStore } from '../../contract/stores.js';

/**
 * Options of {@link createMemoryQuotaStore}.
 *
 * @example
 * ```ts
 * import type { MemoryQuotaOptions } from 'castgate';
 * const options: MemoryQuotaOptions = { maxReservations: 1_000 };
 * ```
 */
export interface MemoryQuotaOptions {
  /**
   * The most outstanding reservations remembered per config key. A served session never gives its
   * unit back, so without a cap the set would grow with every session; past it the oldest is
   * forgotten and a late give-back of it is ignored (a unit may be lost, never created).
   * @defaultValue 10_000
   */
  readonly maxReservations?: number;
}

/**
 * One config key's counter and the reservations that may still be given back. A Set keeps insertion
 * order, so its front is the oldest; the iterator that forgets the oldest is kept between calls (a
 * fresh one would walk every entry deleted before it, which V8 keeps as holes until it rehashes).
 */
interface Counter {
  remaining: number;
  readonly outstanding: Set<string>;
  oldest: Iterator<string>;
}

function newCounter(remaining: number): Counter {
  const outstanding = new Set<string>();
  return { remaining, outstanding, oldest: outstanding.values() };
}

/** Remembers `reservation`; past `max`, forgets the oldest still outstanding. */
function remember(counter: Counter, reservation: string, max: number): void {
  const { outstanding } = counter;
  outstanding.add(reservation);
  if (outstanding.size <= max) return;
  let next = counter.oldest.next();
  if (next.done === true) {
    counter.oldest = outstanding.values();
    next = counter.oldest.next();
  }
  if (next.done !== true) outstanding.delete(next.value);
}

const defaultMaxReservations = 10_000;

/** True for a count a quota can hold: a non-negative safe integer. */
function isCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

/**
 * Creates a {@link QuotaStore} for one process: one counter per config key, started at `initial` on
 * first use, taken while above zero (never negative), with a reservation id per unit taken. A give-back
 * adds the unit back once per reservation (twice is the same as once), so the counter never rises above
 * where it started. After `setRemaining(key, n)` a reservation taken earlier can still give its unit back
 * (n + 1): the admin set what is left, and a session that then failed did not use its unit. Rejects with
 * a `TypeError` when `initial` or `n` is not a non-negative safe integer; throws one for invalid options.
 *
 * @example
 * ```ts
 * import { createMemoryQuotaStore } from 'castgate';
 * const quota = createMemoryQuotaStore();
 * const taken = await quota.take({ configKey: 'excel', initial: 2 }); // { ok: true, remaining: 1, ... }
 * ```
 */
export function createMemoryQuotaStore(options: MemoryQuotaOptions = {}): QuotaStore {
  const maxReservations = options.maxReservations ?? defaultMaxReservations;
  if (!Number.isSafeInteger(maxReservations) || maxReservations < 1) {
    throw new TypeError('castgate: `maxReservations` must be a positive integer');
  }

  const counters = new Map<string, Counter>();
  let sequence = 0;

  function take(input: { configKey: string; initial: number }): Promise<{ ok: true; reservation: string; remaining: number } | { ok: false }> {
    if (!isCount(input.initial)) return Promise.reject(new TypeError('castgate: quota `initial` must be a non-negative safe integer'));
    let counter = counters.get(input.configKey);
    if (counter === undefined) {
      counter = newCounter(input.initial);
      counters.set(input.configKey, counter);
    }
    if (counter.remaining <= 0) return Promise.resolve({ ok: false });
    const remaining = --counter.remaining;
    const reservation = `${++sequence}`;
    remember(counter, reservation, maxReservations);
    return Promise.resolve({ ok: true, reservation, remaining });
  }

  function giveBack(input: { configKey: string; reservation: string }): Promise<void> {
    const counter = counters.get(input.configKey);
    if (counter?.outstanding.delete(input.reservation) === true) counter.remaining++;
    return Promise.resolve();
  }

  function remaining(configKey: string): Promise<number | undefined> {
    return Promise.resolve(counters.get(configKey)?.remaining);
  }

  function setRemaining(configKey: string, n: number): Promise<void> {
    if (!isCount(n)) return Promise.reject(new TypeError('castgate: `setRemaining` needs a non-negative safe integer'));
    const counter = counters.get(configKey);
    if (counter === undefined) counters.set(configKey, newCounter(n));
    else counter.remaining = n;
    return Promise.resolve();
  }

  return { take, giveBack, remaining, setRemaining };
}
