import type { CastConfig } from '../config/schema.js';
import { deny, pass, skip, type Guard } from '../contract/guard.js';
import { RateLimitCall } from '../engine/store-calls.js';
import type { NormalizedRequest } from '../contract/request.js';

/**
 * The rate-limit bucket of a request: the config key and the client's bucket (`v4:<address>` or
 * `v6:<network>/<prefix>`). Config keys cannot contain `:`, so two configs never share a bucket.
 */
export function rateLimitKeyOf(config: CastConfig, request: NormalizedRequest): string {
  return `cast:${config.key}:${request.clientKey}`;
}

/** Whole seconds until a slot frees, rounded up, between 1 and the window. */
export function retryAfterSecondsOf(retryAfterMs: number, withinSeconds: number): number {
  return Math.min(withinSeconds, Math.max(1, Math.ceil(retryAfterMs / 1000)));
}

/**
 * With `ipRateLimit { sessions, withinSeconds }`, serves at most `sessions` sessions per client
 * (address, or IPv6 prefix) and config in any window of `withinSeconds` (an exact sliding window),
 * else `rate_limited` (429) with `retryAfterSeconds`. The slot it takes is given back when a later
 * guard denies or fails.
 *
 * @example
 * ```ts
 * import { parseCastConfig } from 'castgate';
 * // one session per address per minute
 * const config = parseCastConfig({ name: 'Trial', key: 'trial-0123456789abcdef', imageId: 'desktop', allowAnonymous: true,
 *   ipRateLimit: { sessions: 1, withinSeconds: 60 } });
 * ```
 */
export const rateLimitGuard: Guard = {
  name: 'rateLimit',
  async check(ctx) {
    const { config, request, nowMs, stores } = ctx;
    const limit = config.ipRateLimit;
    if (limit === undefined) return skip();
    const key = rateLimitKeyOf(config, request);
    const taken = await stores.rateLimit.take(new RateLimitCall(ctx, key, limit.sessions, limit.withinSeconds * 1000, nowMs));
    if (!taken.ok) return deny('rate_limited', { retryAfterSeconds: retryAfterSecondsOf(taken.retryAfterMs, limit.withinSeconds) });
    const { reservation } = taken;
    return pass({ giveBack: () => stores.rateLimit.giveBack({ key, reservation }) });
  },
};
