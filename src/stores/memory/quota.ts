import type { QuotaStore } from '../../contract/stores.js';
import { invalidQuotaInitial, invalidRemaining } from '../validate.js';
import { withImmediate } from './immediate.js';

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
   * How many of a config key's most recent reservations may still be given back. A served session
   * never gives its unit back, so the store cannot wait for every reservation; past this many takes a
   * reservation is forgotten and a late give-back of it is ignored (a unit may be lost, never created).
   * @defaultValue 10_000
   */
  readonly maxReservations?: number;
}

/**
 * One config key's counter. The units it hands out are numbered 1, 2, 3, … (`issued` is the last);
 * a reservation names its counter and its number (`<counter>.<n>`), so a give-back is checked with
 * arithmetic, and a take costs no set insertion. The most recent `max` numbers may still be given
 * back, each once: `returned` holds those already given back (only failed sessions give back, so it
 * stays small, and it is trimmed to the live range when it grows).
 */
interface Counter {
  readonly id: string;
  remaining: number;
  issued: number;
  readonly returned: Set<number>;
}

const defaultMaxReservations = 10_000;

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
  let counterIds = 0;

  function newCounter(remaining: number): Counter {
    return { id: `${++counterIds}`, remaining, issued: 0, returned: new Set() };
  }

  /** The unit number of `reservation` when it is one of `counter`'s that may still be given back. */
  function unitOf(counter: Counter, reservation: string): number | undefined {
    const dot = reservation.indexOf('.');
    if (dot === -1 || reservation.slice(0, dot) !== counter.id) return undefined;
    const digits = reservation.slice(dot + 1);
    if (!/^[1-9][0-9]{0,15}$/u.test(digits)) return undefined;
    const unit = Number(digits);
    if (unit > counter.issued || unit <= counter.issued - maxReservations || counter.returned.has(unit)) return undefined;
    return unit;
  }

  function take(input: { configKey: string; initial: number }): { ok: true; reservation: string; remaining: number } | { ok: false } {
    const invalid = invalidQuotaInitial('castgate', input.initial);
    if (invalid !== undefined) throw invalid;
    let counter = counters.get(input.configKey);
    if (counter === undefined) {
      counter = newCounter(input.initial);
      counters.set(input.configKey, counter);
    }
    if (counter.remaining <= 0) return { ok: false };
    const remaining = --counter.remaining;
    const reservation = `${counter.id}.${++counter.issued}`;
    return { ok: true, reservation, remaining };
  }

  function giveBack(input: { configKey: string; reservation: string }): void {
    const counter = counters.get(input.configKey);
    if (counter === undefined || typeof input.reservation !== 'string') return;
    const unit = unitOf(counter, input.reservation);
    if (unit === undefined) return;
    const { returned } = counter;
    returned.add(unit);
    counter.remaining++;
    if (returned.size > maxReservations) {
      const oldest = counter.issued - maxReservations;
      for (const n of returned) if (n <= oldest) returned.delete(n);
    }
  }

  function remaining(configKey: string): number | undefined {
    return counters.get(configKey)?.remaining;
  }

  function setRemaining(configKey: string, n: number): Promise<void> {
    const invalid = invalidRemaining('castgate', n);
    if (invalid !== undefined) return Promise.reject(invalid);
    const counter = counters.get(configKey);
    if (counter === undefined) counters.set(configKey, newCounter(n));
    else counter.remaining = n;
    return Promise.resolve();
  }

  // Each answers at once; the engine calls the synchronous twins (see immediate.ts).
  return { take: withImmediate(take), giveBack: withImmediate(giveBack), remaining: withImmediate(remaining), setRemaining };
}
