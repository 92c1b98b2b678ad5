import type { RateLimitInput, RateLimitStore } from '../../contract/stores.js';
import { invalidRateLimitInput } from '../validate.js';
import { unreadable } from './script-calls.js';
import { integerOf } from './reply.js';
import { createReservationIds } from './reservation-ids.js';
import { rateLimitGiveBackScript, rateLimitPeekScript, rateLimitTakeScript } from './scripts.js';
import type { RedisStoreSettings } from './settings.js';

type TakeResult = { ok: true; reservation: string } | { ok: false; retryAfterMs: number };

/**
 * An exact sliding-window {@link RateLimitStore} on Redis: a sorted set per key (score = slot time,
 * member = reservation), one script per take, peek or give-back. Time is the caller's `nowMs`, one
 * instant per decision (or Redis's TIME with `clock: 'redis'`); a slot counts until its own time +
 * window whoever asks. A window key lives one second past its window. A take that cannot be answered
 * (timeout, abort, unreadable reply, failure after sending) gives its slot back once Redis has
 * answered. Rejects with `RedisStoreError` (code `store_unavailable`) when Redis does not answer in
 * time, and with a `TypeError` for unusable numbers.
 */
export function createRedisRateLimitStore(settings: RedisStoreSettings): RateLimitStore {
  const { keys, calls } = settings;
  const hostClock = settings.clock === 'host';
  const nextReservation = createReservationIds();

  function take(input: RateLimitInput): Promise<TakeResult> {
    const invalid = invalidRateLimitInput('castgate/redis', input);
    if (invalid !== undefined) return Promise.reject(invalid);
    const reservation = nextReservation();
    const window = [keys.window(input.key)];
    const args = [hostClock ? String(input.nowMs) : '', String(input.windowMs), String(input.limit), reservation];
    const read = (reply: unknown): TakeResult | typeof unreadable => {
      const n = integerOf(reply);
      if (n === 0) return { ok: true, reservation };
      return n === undefined || n > 0 ? unreadable : { ok: false, retryAfterMs: -n };
    };
    return calls.send('rate limit take', rateLimitTakeScript, window, args, read, { script: rateLimitGiveBackScript, keys: window, args: [reservation] }, input.signal);
  }

  function peek(input: RateLimitInput): Promise<{ full: boolean; retryAfterMs: number }> {
    const invalid = invalidRateLimitInput('castgate/redis', input);
    if (invalid !== undefined) return Promise.reject(invalid);
    const args = [hostClock ? String(input.nowMs) : '', String(input.windowMs), String(input.limit)];
    return calls.send('rate limit peek', rateLimitPeekScript, [keys.window(input.key)], args, readPeek, undefined, input.signal);
  }

  function giveBack(input: { key: string; reservation: string; signal?: AbortSignal }): Promise<void> {
    return calls.send('rate limit give-back', rateLimitGiveBackScript, [keys.window(input.key)], [input.reservation], readAny, undefined, input.signal);
  }

  return { take, peek, giveBack };
}

function readPeek(reply: unknown): { full: boolean; retryAfterMs: number } | typeof unreadable {
  const n = integerOf(reply);
  if (n === undefined || n < 0) return unreadable;
  return n === 0 ? { full: false, retryAfterMs: 0 } : { full: true, retryAfterMs: n };
}

/** A give-back's reply carries nothing the store needs. */
export function readAny(): void {
  return undefined;
}
