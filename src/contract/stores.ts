import type { LaunchPlan } from './launch-plan.js';

/**
 * Input of {@link RateLimitStore.take} and {@link RateLimitStore.peek}: the bucket key, the limit,
 * the window and the caller's instant (stores never read a clock of their own).
 *
 * @example
 * ```ts
 * import type { RateLimitInput } from 'castgate';
 * const input: RateLimitInput = { key: 'cast:excel|v4:192.0.2.1', limit: 2, windowMs: 60_000, nowMs: Date.now() };
 * ```
 */
export interface RateLimitInput {
  readonly key: string;
  readonly limit: number;
  readonly windowMs: number;
  readonly nowMs: number;
  readonly signal?: AbortSignal;
}

/**
 * An exact sliding-window limiter. `take` takes one slot in `key`'s window unless `limit` slots were
 * taken in `(nowMs - windowMs, nowMs]`; a slot taken at `t` frees at `t + windowMs` exactly. `peek`
 * asks the same question and takes nothing. `giveBack` frees the slot of a reservation and is
 * idempotent. Rejecting means "could not answer" (the engine answers `store_unavailable`).
 *
 * @example
 * ```ts
 * import { createMemoryStores } from 'castgate';
 * const { rateLimit } = createMemoryStores();
 * const taken = await rateLimit.take({ key: 'k', limit: 1, windowMs: 60_000, nowMs: Date.now() });
 * if (taken.ok) await rateLimit.giveBack({ key: 'k', reservation: taken.reservation });
 * ```
 */
export interface RateLimitStore {
  take(input: RateLimitInput): Promise<{ ok: true; reservation: string } | { ok: false; retryAfterMs: number }>;
  peek(input: RateLimitInput): Promise<{ full: boolean; retryAfterMs: number }>;
  giveBack(input: { key: string; reservation: string; signal?: AbortSignal }): Promise<void>;
}

/**
 * A session quota per config key. The counter starts at `initial` on first use, `take` takes one
 * unit while it is above zero (atomically), `giveBack` returns the unit of a reservation once (it is
 * idempotent, so the counter never rises above where it started), `setRemaining` is for admins.
 *
 * @example
 * ```ts
 * import { createMemoryStores } from 'castgate';
 * const { quota } = createMemoryStores();
 * const taken = await quota.take({ configKey: 'excel', initial: 100 });
 * console.log(taken.ok ? taken.remaining : 'exhausted'); // 99
 * ```
 */
export interface QuotaStore {
  take(input: { configKey: string; initial: number; signal?: AbortSignal }): Promise<
    { ok: true; reservation: string; remaining: number } | { ok: false }
  >;
  giveBack(input: { configKey: string; reservation: string; signal?: AbortSignal }): Promise<void>;
  remaining(configKey: string): Promise<number | undefined>;
  setRemaining(configKey: string, n: number): Promise<void>;
}

/**
 * Starts sessions. `findRunning` finds a signed-in user's running session for a config (for
 * resume); `provision` creates the session (and, for an anonymous plan, the user) and answers its
 * ids. A rejection becomes `provision_failed` (502) and everything taken for it is given back. The
 * `signal` is aborted when the evaluator gives up (`storeTimeoutMs`): a late success must then be
 * cancelled by the host.
 *
 * @example
 * ```ts
 * import type { SessionProvisioner } from 'castgate';
 * const sessions: SessionProvisioner = {
 *   findRunning: async () => null,
 *   provision: async ({ plan }) => ({ id: crypto.randomUUID(), userId: plan.user.id ?? crypto.randomUUID() }),
 * };
 * ```
 */
export interface SessionProvisioner {
  findRunning(input: { configKey: string; userId: string; signal?: AbortSignal }): Promise<{ id: string; userId: string } | null>;
  provision(input: { configKey: string; plan: LaunchPlan; signal?: AbortSignal }): Promise<{ id: string; userId: string }>;
}

/**
 * The answer of a captcha provider: `success`, the provider's own `errorCodes`, the v3 `score`, and
 * `reason`, why it failed in castgate's own words.
 *
 * @example
 * ```ts
 * import type { CaptchaResult } from 'castgate';
 * const result: CaptchaResult = { success: false, errorCodes: ['timeout-or-duplicate'], reason: 'token expired or already used' };
 * ```
 */
export interface CaptchaResult {
  success: boolean;
  errorCodes?: string[];
  score?: number;
  reason?: string;
}

/**
 * Checks a captcha token. Resolves with the provider's answer; rejects when it cannot answer (the
 * engine then answers `captcha_unavailable`, failing closed).
 *
 * @example
 * ```ts
 * import { recaptchaVerifier } from 'castgate';
 * const captcha = recaptchaVerifier({ secret: process.env.RECAPTCHA_SECRET ?? '' });
 * ```
 */
export interface CaptchaVerifier {
  verify(input: { token: string; remoteIp: string; signal?: AbortSignal }): Promise<CaptchaResult>;
}

/**
 * The stores `evaluateCast` works with. `captcha` is required when a config has `requireCaptcha`.
 *
 * @example
 * ```ts
 * import { createMemoryStores, type CastStores } from 'castgate';
 * const stores: CastStores = createMemoryStores();
 * ```
 */
export interface CastStores {
  readonly rateLimit: RateLimitStore;
  readonly quota: QuotaStore;
  readonly sessions: SessionProvisioner;
  readonly captcha?: CaptchaVerifier;
}
