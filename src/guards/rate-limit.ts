import type { CastConfig } from '../config/schema.js';
import { deny, pass, skip, type Guard, type GuardContext, type GuardVerdict } from '../contract/guard.js';
import { checkTaken } from '../engine/store-answers.js';
import { RateLimitCall } from '../engine/store-calls.js';
import { recordUnit } from './admitted-units.js';
import type { NormalizedRequest } from '../contract/request.js';
import type { AdmissionStore, RateLimitStore } from '../contract/stores.js';
import { immediateOf } from '../stores/memory/immediate.js';
import { skipsConfigsWhen } from '../engine/config-skips.js';

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
 * The rate-limit store call of a request: its bucket, the config's limit and window, the decision's
 * instant. `undefined` for a config without `ipRateLimit`. The rate-limit guard takes with it; the
 * captcha guard peeks with it.
 */
export function rateLimitCallOf(ctx: GuardContext): RateLimitCall | undefined {
  const { config } = ctx;
  const limit = config.ipRateLimit;
  if (limit === undefined) return undefined;
  return new RateLimitCall(ctx, rateLimitKeyOf(config, ctx.request), limit.sessions, limit.withinSeconds * 1000, ctx.nowMs);
}

/** `rate_limited`, with the whole seconds until a slot of `call`'s bucket frees. */
export function rateLimitedVerdict(call: RateLimitCall, retryAfterMs: number): GuardVerdict {
  return deny('rate_limited', { retryAfterSeconds: retryAfterSecondsOf(retryAfterMs, call.windowMs / 1000) });
}

/**
 * With `ipRateLimit { sessions, withinSeconds }`, serves at most `sessions` sessions per client
 * (address, or IPv6 prefix) and config in any window of `withinSeconds` (an exact sliding window),
 * else `rate_limited` (429) with `retryAfterSeconds`. The slot it takes is given back when a later
 * guard denies or fails. When the stores have `admission` (e.g. Redis) and the config also has
 * `sessionsRemaining`, it takes the slot and the quota unit in one call (both or neither) and leaves
 * the unit to the quota guard, which then decides without a call; one call gives both back.
 *
 * @example
 * ```ts
 * import { parseCastConfig } from 'castgate';
 * // one session per address per minute
 * const config = parseCastConfig({ name: 'Trial', key: 'trial-0123456789abcdef', imageId: 'desktop', allowAnonymous: true,
 *   ipRateLimit: { sessions: 1, withinSeconds: 60 } });
 * ```
 */
export const rateLimitGuard: Guard = /* @__PURE__ */ skipsConfigsWhen(
  {
    name: 'rateLimit',
    check(ctx) {
      const call = rateLimitCallOf(ctx);
      if (call === undefined) return skip();
      const { rateLimit, admission } = ctx.stores;
      const initial = ctx.config.sessionsRemaining;
      if (admission !== undefined && initial !== undefined) return admit(ctx, call, admission, initial);
      // A memory store answers at once: no promise to wait for (see stores/memory/immediate.ts), and
      // its answer is the contract's by construction (no check, no copy).
      const takeNow = immediateOf(rateLimit, 'take');
      if (takeNow !== undefined) return checkedVerdict(rateLimit, call, takeNow(call));
      return Promise.resolve(rateLimit.take(call)).then((answer) => checkedVerdict(rateLimit, call, checkTaken(answer)));
    },
  },
  (config) => config.ipRateLimit === undefined,
);

/** The verdict on a checked `RateLimitStore.take` answer: a pass that gives the slot back, or `rate_limited`. */
function checkedVerdict(
  rateLimit: RateLimitStore,
  call: RateLimitCall,
  taken: { readonly ok: true; readonly reservation: string } | { readonly ok: false; readonly retryAfterMs: number },
): GuardVerdict {
  if (!taken.ok) return rateLimitedVerdict(call, taken.retryAfterMs);
  const { key } = call;
  const { reservation } = taken;
  return pass({ giveBack: () => rateLimit.giveBack({ key, reservation }) });
}

/** The slot and the quota unit in one `AdmissionStore.take` (the quota guard then decides on its answer). */
async function admit(ctx: GuardContext, call: RateLimitCall, admission: AdmissionStore, initial: number): Promise<GuardVerdict> {
  const configKey = ctx.config.key;
  // No `signal`: an AbortController per decision costs more than the call; a late answer is given back.
  const both = await admission.take({ rateLimit: call, quota: { configKey, initial } });
  if (!both.ok) {
    if (both.code === 'rate_limited') return rateLimitedVerdict(call, both.retryAfterMs);
    recordUnit(ctx, { state: 'exhausted' });
    return pass({ note: 'quota checked in the same call' });
  }
  const { key } = call;
  const slot = both.rateLimit.reservation;
  const unit = both.quota.reservation;
  recordUnit(ctx, { state: 'taken', configKey, reservation: unit });
  return pass({
    giveBack: () => admission.giveBack({ rateLimit: { key, reservation: slot }, quota: { configKey, reservation: unit } }),
  });
}
