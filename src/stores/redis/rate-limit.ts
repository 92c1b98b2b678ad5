import type { RateLimitInput, RateLimitStore } from '../../contract/stores.js';
import { runCommand, type ScriptRunner } from './client.js';
import { RedisStoreError } from './errors.js';
import type { KeyNames } from './keys.js';
import { createReservationIds } from './reservation-ids.js';
import { rateLimitGiveBackScript, rateLimitPeekScript, rateLimitTakeScript } from './scripts.js';
import { invalidRateLimitInput } from './validate.js';

/** What the rate-limit store needs besides the client. */
export interface RedisRateLimitSettings {
  readonly keys: KeyNames;
  readonly commandTimeoutMs: number;
}

/**
 * How much longer than its newest slot a window key lives. Slots are counted by their score (the
 * caller's time) and the TTL runs on Redis's clock, so the grace keeps a key for hosts whose clocks
 * lag Redis's by up to a second; it costs only memory.
 */
const expiryGraceMs = 1000;

/** Milliseconds until the slot scored `score` frees, at least 1; a bad score is an unexpected reply. */
function retryAfterOf(score: unknown, windowMs: number, nowMs: number): number {
  const at = typeof score === 'string' ? Number(score) : Number.NaN;
  if (!Number.isFinite(at)) throw new RedisStoreError('unexpected_reply', 'castgate/redis: unexpected rate-limit reply');
  return Math.max(1, Math.ceil(at + windowMs - nowMs));
}

function unexpected(): RedisStoreError {
  return new RedisStoreError('unexpected_reply', 'castgate/redis: unexpected rate-limit reply');
}

/**
 * An exact sliding-window {@link RateLimitStore} on Redis: a sorted set per key (score = slot time,
 * member = reservation), one script call (one round trip) per take, peek or give-back. Time comes
 * from the caller's `nowMs`, one instant per decision, so hosts with skewed clocks cannot double a
 * window between them: a slot counts until its own time + window whoever asks (keep hosts on NTP all
 * the same). Every key expires one second after its newest slot frees. Rejects with `RedisStoreError` (code
 * `store_unavailable`) when Redis does not answer in time, and with a `TypeError` for unusable numbers.
 */
export function createRedisRateLimitStore(runner: ScriptRunner, settings: RedisRateLimitSettings): RateLimitStore {
  const { keys, commandTimeoutMs } = settings;
  const nextReservation = createReservationIds();

  function take(input: RateLimitInput): Promise<{ ok: true; reservation: string } | { ok: false; retryAfterMs: number }> {
    const invalid = invalidRateLimitInput(input);
    if (invalid !== undefined) return Promise.reject(invalid);
    const { key, limit, windowMs, nowMs } = input;
    const reservation = nextReservation(nowMs);
    const args = [String(nowMs), String(nowMs - windowMs), String(limit), String(windowMs + expiryGraceMs), reservation];
    return runCommand('rate limit take', commandTimeoutMs, input.signal, () => runner.run(rateLimitTakeScript, [keys.rateLimit(key)], args)).then(
      (reply) => {
        if (!Array.isArray(reply)) throw unexpected();
        if (reply[0] === 1) return { ok: true, reservation } as const;
        if (reply[0] === 0) return { ok: false, retryAfterMs: retryAfterOf(reply[1], windowMs, nowMs) } as const;
        throw unexpected();
      },
    );
  }

  function peek(input: RateLimitInput): Promise<{ full: boolean; retryAfterMs: number }> {
    const invalid = invalidRateLimitInput(input);
    if (invalid !== undefined) return Promise.reject(invalid);
    const { key, limit, windowMs, nowMs } = input;
    const args = [String(nowMs - windowMs), String(limit)];
    return runCommand('rate limit peek', commandTimeoutMs, input.signal, () => runner.run(rateLimitPeekScript, [keys.rateLimit(key)], args)).then(
      (reply) => {
        if (!Array.isArray(reply)) throw unexpected();
        if (reply[0] === 0) return { full: false, retryAfterMs: 0 };
        if (reply[0] === 1) return { full: true, retryAfterMs: retryAfterOf(reply[1], windowMs, nowMs) };
        throw unexpected();
      },
    );
  }

  function giveBack(input: { key: string; reservation: string; signal?: AbortSignal }): Promise<void> {
    return runCommand('rate limit give-back', commandTimeoutMs, input.signal, () =>
      runner.run(rateLimitGiveBackScript, [keys.rateLimit(input.key)], [input.reservation]),
    ).then(() => undefined);
  }

  return { take, peek, giveBack };
}
