import { isPlausibleCaptchaToken } from '../captcha/token.js';
import { deny, pass, skip, type Guard, type GuardContext, type GuardVerdict } from '../contract/guard.js';
import { unavailableAs } from '../engine/context.js';
import { rateLimitCallOf, rateLimitedVerdict } from './rate-limit.js';

/**
 * For an anonymous request to a config with `requireCaptcha`: no token → `captcha_required`; a token
 * that is too long or not printable ASCII → `captcha_failed` without any provider call; a client
 * whose rate-limit bucket is already full → `rate_limited` before the provider is called (a
 * read-only peek); the verifier says no → `captcha_failed`; the verifier fails or times out →
 * `captcha_unavailable` (fail closed). Signed-in users are not asked.
 *
 * @example
 * ```ts
 * import { createMemoryStores, recaptchaVerifier } from 'castgate';
 * const stores = { ...createMemoryStores(), captcha: recaptchaVerifier({ secret: process.env.RECAPTCHA_SECRET ?? '' }) };
 * ```
 */
export const captchaGuard: Guard = {
  name: 'captcha',
  check(ctx) {
    const { config, request } = ctx;
    // Synchronous until a store or the provider is asked: most requests cost no promise here.
    if (!config.requireCaptcha || request.user !== null) return skip();
    const token = request.captchaToken;
    if (token === undefined || token === null || token === '') return deny('captcha_required');
    if (typeof token !== 'string' || !isPlausibleCaptchaToken(token)) return deny('captcha_failed');
    return verifyToken(ctx, token);
  },
};

async function verifyToken(ctx: GuardContext, token: string): Promise<GuardVerdict> {
  const { request, stores } = ctx;
  const call = rateLimitCallOf(ctx);
  if (call !== undefined) {
    unavailableAs(ctx, 'store_unavailable');
    const peeked = await stores.rateLimit.peek(call);
    if (peeked.full) return rateLimitedVerdict(call, peeked.retryAfterMs);
  }
  // From here, a failure or time-out is the provider's: fail closed.
  unavailableAs(ctx, 'captcha_unavailable');
  const verifier = stores.captcha;
  if (verifier === undefined) throw new TypeError('castgate: requireCaptcha needs stores.captcha');
  const result = await verifier.verify({ token, remoteIp: request.ip, signal: ctx.signal });
  // A custom verifier written in plain JavaScript may answer `"true"` or 1: only `true` passes.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-boolean-literal-compare
  if (result.success !== true) return deny('captcha_failed', result.reason === undefined ? undefined : { note: result.reason });
  return pass();
}
