/**
 * A clock a test moves by hand: `now` is bound (pass `clock: testClock.now` to an evaluator),
 * `advance(ms)` moves it forward, `set(date)` puts it anywhere (backwards too, to test skew).
 *
 * @example
 * ```ts
 * import { createTestClock } from 'castgate/testing';
 * const clock = createTestClock('2030-01-01T00:00:00Z');
 * clock.advance(60_000);
 * console.log(clock.now().toISOString()); // 2030-01-01T00:01:00.000Z
 * ```
 */
export interface TestClock {
  /** The clock's instant, as a fresh `Date` on every call (mutating it changes nothing). Bound. */
  readonly now: () => Date;
  /** Moves the clock forward by `ms` (a finite number, at least 0) and answers the new instant. */
  advance(ms: number): Date;
  /** Puts the clock at `date` (a `Date`, epoch milliseconds or a date string) and answers it. */
  set(date: Date | number | string): Date;
}

/** Epoch milliseconds of a `Date`, epoch number or date string; a `TypeError` for anything unusable. */
function instantOf(date: Date | number | string, what: string): number {
  const ms = date instanceof Date ? date.getTime() : typeof date === 'number' ? date : typeof date === 'string' ? Date.parse(date) : Number.NaN;
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) throw new TypeError(`castgate/testing: ${what} is not a valid instant`);
  return ms;
}

/**
 * Creates a {@link TestClock} at `start` (a `Date`, epoch milliseconds or a date string; the system
 * time when absent). It never moves on its own. Throws a `TypeError` for an invalid start.
 *
 * @example
 * ```ts
 * import { createCastEvaluator } from 'castgate';
 * import { createTestClock } from 'castgate/testing';
 * const clock = createTestClock(Date.UTC(2030, 0, 1));
 * const evaluate = createCastEvaluator({ clock: clock.now });
 * clock.advance(3_600_000); // an hour later, for the next evaluation
 * ```
 */
export function createTestClock(start?: Date | number | string): TestClock {
  let ms = start === undefined ? Date.now() : instantOf(start, 'the start');
  return {
    now: () => new Date(ms),
    advance(by: number): Date {
      if (typeof by !== 'number' || !Number.isFinite(by) || by < 0) {
        throw new TypeError('castgate/testing: advance(ms) takes a finite number of milliseconds, at least 0 (use set() to go back)');
      }
      ms = instantOf(ms + by, 'the advanced clock');
      return new Date(ms);
    },
    set(date: Date | number | string): Date {
      ms = instantOf(date, 'the date given to set()');
      return new Date(ms);
    },
  };
}
