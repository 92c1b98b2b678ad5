import type { LaunchPlan } from './launch-plan.js';

/**
 * Input of {@link RateLimitStore.take} and {@link RateLimitStore.peek}: the bucket key, the limit,
 * the window and the caller's instant (stores never read a clock of their own).
 *
 * @example
 * ```ts
 * import type { RateLimitInput } from 'castgate';
 * // the rate-limit guard's key: `cast:<config key>:<client bucket>`
 * const input: RateLimitInput = { key: 'cast:excel-0123456789abcdef:v4:192.0.2.1', limit: 2, windowMs: 60_000, nowMs: Date.now() };
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
  /**
   * Crash-safe quota (SPEC §13, opt-in per store): confirms a taken unit once its session is
   * provisioned. A store that keeps taken units pending (e.g. Redis with `reservationTtlMs`) returns
   * a pending unit that is not committed in time; a committed unit never comes back. Stores whose
   * takes are final leave this out, and the engine sends nothing.
   */
  commit?(input: { configKey: string; reservation: string; signal?: AbortSignal }): Promise<void>;
}

/**
 * Input of {@link AdmissionStore.take}: one rate-limit slot and one quota unit, asked together.
 *
 * @example
 * ```ts
 * import type { AdmissionInput } from 'castgate';
 * const input: AdmissionInput = {
 *   rateLimit: { key: 'cast:excel:v4:192.0.2.1', limit: 2, windowMs: 60_000, nowMs: Date.now() },
 *   quota: { configKey: 'excel', initial: 100 },
 * };
 * ```
 */
export interface AdmissionInput {
  readonly rateLimit: { readonly key: string; readonly limit: number; readonly windowMs: number; readonly nowMs: number };
  readonly quota: { readonly configKey: string; readonly initial: number };
  readonly signal?: AbortSignal;
}

/**
 * The answer of {@link AdmissionStore.take}: both taken, or neither (a full window answers
 * `rate_limited` even when the quota is also exhausted: the guard order).
 *
 * @example
 * ```ts
 * import type { AdmissionResult } from 'castgate';
 * const refused: AdmissionResult = { ok: false, code: 'rate_limited', retryAfterMs: 12_000 };
 * ```
 */
export type AdmissionResult =
  | { ok: true; rateLimit: { reservation: string }; quota: { reservation: string; remaining: number } }
  | { ok: false; code: 'rate_limited'; retryAfterMs: number }
  | { ok: false; code: 'quota_exhausted' };

/**
 * An optional ability of a store backend (SPEC §13): take the rate-limit slot and the quota unit
 * of an anonymous decision in one round trip, both or neither, and give both back in one more.
 * It sits on the stores object a backend returns (`{ ...createRedisStores(client), sessions }`
 * keeps it); without it the engine makes two calls, `rateLimit.take` then `quota.take`.
 *
 * @example
 * ```ts
 * import type { AdmissionStore, CastStores } from 'castgate';
 * function combined(stores: CastStores): AdmissionStore | undefined {
 *   return stores.admission;
 * }
 * ```
 */
export interface AdmissionStore {
  take(input: AdmissionInput): Promise<AdmissionResult>;
  giveBack(input: {
    rateLimit: { key: string; reservation: string };
    quota: { configKey: string; reservation: string };
    signal?: AbortSignal;
  }): Promise<void>;
}

/**
 * One lease: the key it counts under and its id.
 *
 * @example
 * ```ts
 * import type { LeaseRef } from 'castgate';
 * const lease: LeaseRef = { key: 'cast:demo:live', leaseId: 'l-1' };
 * ```
 */
export interface LeaseRef {
  readonly key: string;
  readonly leaseId: string;
}

/**
 * What {@link LeaseStore.boundTo} answers: the leases bound to a session and the time to live they
 * were bound with (a renewal without its own `leaseTtlMs` uses it).
 *
 * @example
 * ```ts
 * import type { LeaseBinding } from 'castgate';
 * const binding: LeaseBinding = { leases: [{ key: 'cast:demo:live', leaseId: 'l-1' }], ttlMs: 120_000 };
 * ```
 */
export interface LeaseBinding {
  readonly leases: readonly LeaseRef[];
  readonly ttlMs: number;
}

/**
 * Live-session leases (SPEC §16). `acquire` takes one of `limit` live leases under `key`
 * atomically (acquiring is the first renewal; acquiring a lease id that is already live renews it);
 * a lease expires when `nowMs >= last renewal + ttlMs`; `renew` and `release` answer whether a live
 * lease was found (an expired lease is not revived; `release` without `nowMs` counts a lease the
 * store still holds as found). `bind` records, after provisioning, which leases a session holds
 * and their `ttlMs`, so that `renewCastSession` and `endCastSession` find them by `{ configKey,
 * sessionId }` from any process; the record is kept at least until `nowMs + ttlMs` (binding again
 * extends it). `boundTo` answers it, or `null` when none is known. Stores never read a clock of
 * their own: every instant comes from the caller.
 *
 * @example
 * ```ts
 * import type { LeaseStore } from 'castgate';
 * declare const leases: LeaseStore;
 * const now = Date.now();
 * const held = await leases.acquire({ key: 'cast:demo:live', limit: 10, leaseId: 'l-1', ttlMs: 120_000, nowMs: now });
 * if (held.ok) await leases.release({ key: 'cast:demo:live', leaseId: 'l-1', nowMs: now });
 * ```
 */
export interface LeaseStore {
  acquire(input: { key: string; limit: number; leaseId: string; ttlMs: number; nowMs: number; signal?: AbortSignal }): Promise<
    { ok: true } | { ok: false; retryAfterMs: number }
  >;
  renew(input: { key: string; leaseId: string; ttlMs: number; nowMs: number; signal?: AbortSignal }): Promise<boolean>;
  release(input: { key: string; leaseId: string; nowMs?: number; signal?: AbortSignal }): Promise<boolean>;
  bind(input: {
    configKey: string;
    sessionId: string;
    leases: readonly LeaseRef[];
    ttlMs: number;
    nowMs: number;
    signal?: AbortSignal;
  }): Promise<void>;
  boundTo(input: { configKey: string; sessionId: string; signal?: AbortSignal }): Promise<LeaseBinding | null>;
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
  findRunning(input: { configKey: string; userId: string; signal?: AbortSignal }): Promise<{ id: string; userId: string; dockerNetwork?: string } | null>;
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
  /** Optional: rate limit and quota in one round trip (SPEC §13). */
  readonly admission?: AdmissionStore;
  /** Required by configs with `maxLiveSessions`, `maxLiveSessionsPerClient` or single-use signed links (SPEC §16). */
  readonly leases?: LeaseStore;
}
