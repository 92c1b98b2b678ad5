/** True for a count a quota can hold: a non-negative safe integer. */
export function isCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

/** A `TypeError` for a rate-limit input whose numbers cannot be counted with, else `undefined`. */
export function invalidRateLimitInput(input: { limit: number; windowMs: number; nowMs: number }): TypeError | undefined {
  const { limit, windowMs, nowMs } = input;
  if (!Number.isSafeInteger(limit) || limit < 1) return new TypeError('castgate/redis: rate limit `limit` must be a positive integer');
  if (!Number.isFinite(windowMs) || windowMs <= 0) return new TypeError('castgate/redis: rate limit `windowMs` must be a positive number');
  if (!Number.isFinite(nowMs)) return new TypeError('castgate/redis: rate limit `nowMs` must be a finite number');
  return undefined;
}

