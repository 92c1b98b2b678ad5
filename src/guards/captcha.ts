import { isPlausibleCaptchaToken } from '../captcha/token.js';
import { deny, pass, skip, type Guard, type GuardContext, type GuardVerdict } from '../contract/guard.js';
import { captchaFailuresPerClientOf, unavailableAs, verifierCallNext } from '../engine/context.js';
import { checkPeeked, checkRemaining, checkTaken } from '../engine/store-answers.js';
import { RateLimitCall } from '../engine/store-calls.js';
import { rateLimitCallOf, rateLimitedVerdict } from './rate-limit.js';
import { skipsConfigsWhen } from '../engine/config-skips.js';

/** The failure budget's window without `ipRateLimit` (SPEC §A). */
const defaultFailureWindowSeconds = 600;

/**
 * The rate-limit store call for a client's captcha failure budget: its own key (never the session
 * bucket), the evaluator's `captchaFailuresPerClient`, within `ipRateLimit.withinSeconds` or 600 s.
 */
function failureBudgetCallOf(ctx: GuardContext): RateLimitCall {
  const { config, request } = ctx;
  const windowSeconds = config.ipRateLimit?.withinSeconds ?? defaultFailureWindowSeconds;
  return new RateLimitCall(ctx, `captcha-failures:${config.key}:${request.clientKey}`, captchaFailuresPerClientOf(ctx), windowSeconds * 1000, ctx.nowMs);
}

/**
 * For an anonymous request to a config with `requireCaptcha`, in this order (SPEC §A), calling the
 * provider only at the end: the client's rate-limit bucket is full, or its captcha failure budget
 * (`captchaFailuresPerClient`, default 5, per window) is spent → `rate_limited`; the quota is
 * exhausted (read through `QuotaStore.remaining`) → `quota_exhausted`; no token →
 * `captcha_required`; a token that is too long or not printable ASCII → `captcha_failed` without a
 * provider call; the verifier says no → `captcha_failed`; the verifier fails or times out →
 * `captcha_unavailable` (fail closed). Each `captcha_failed` spends one unit of the budget, which a
 * success does not reset. Signed-in users are not asked. Nothing but reads happens before the
 * provider is called: a visitor never solves a puzzle for a link that cannot serve them.
 *
 * @example
 * ```ts
 * import { createMemoryStores, recaptchaVerifier } from 'castgate';
 * const stores = { ...createMemoryStores(), captcha: recaptchaVerifier({ secret: process.env.RECAPTCHA_SECRET ?? '' }) };
 * ```
 */
export const captchaGuard: Guard = /* @__PURE__ */ skipsConfigsWhen(
  {
    name: 'captcha',
    check(ctx) {
      const { config, request } = ctx;
      if (!config.requireCaptcha || request.user !== null) return skip();
      return checkCaptcha(ctx);
    },
  },
  (config) => !config.requireCaptcha,
);

async function checkCaptcha(ctx: GuardContext): Promise<GuardVerdict> {
  const { config, request, stores } = ctx;
  unavailableAs(ctx, 'store_unavailable');
  const bucket = rateLimitCallOf(ctx);
  if (bucket !== undefined) {
    const peeked = checkPeeked(await stores.rateLimit.peek(bucket));
    if (peeked.full) return rateLimitedVerdict(bucket, peeked.retryAfterMs);
  }
  const budget = failureBudgetCallOf(ctx);
  const spent = checkPeeked(await stores.rateLimit.peek(budget));
  if (spent.full) return rateLimitedVerdict(budget, spent.retryAfterMs);
  if (config.sessionsRemaining !== undefined) {
    const remaining = checkRemaining(await stores.quota.remaining(config.key)) ?? config.sessionsRemaining;
    if (remaining <= 0) return deny('quota_exhausted');
  }

  const token = request.captchaToken;
  if (token === undefined || token === null || token === '') return deny('captcha_required');
  if (typeof token !== 'string' || !isPlausibleCaptchaToken(token)) return failed(ctx, budget);

  // From here, a failure or time-out is the provider's: fail closed.
  unavailableAs(ctx, 'captcha_unavailable');
  const verifier = stores.captcha;
  if (verifier === undefined) throw new TypeError('castgate: requireCaptcha needs stores.captcha');
  verifierCallNext(ctx);
  const result = await verifier.verify({ token, remoteIp: request.ip, signal: ctx.signal });
  // A custom verifier written in plain JavaScript may answer `"true"` or 1: only `true` passes.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-boolean-literal-compare
  if (result.success !== true) return failed(ctx, budget, result.reason);
  return pass();
}

/** `captcha_failed`, after spending one unit of the client's failure budget (never given back). */
async function failed(ctx: GuardContext, budget: RateLimitCall, reason?: string): Promise<GuardVerdict> {
  unavailableAs(ctx, 'store_unavailable');
  // A full budget here (a race with another failure) changes nothing: this attempt failed either way.
  checkTaken(await ctx.stores.rateLimit.take(budget));
  return deny('captcha_failed', reason === undefined ? undefined : { note: reason });
}
