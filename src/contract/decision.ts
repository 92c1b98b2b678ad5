import type { LaunchPlan } from './launch-plan.js';

/**
 * Every code a denied {@link CastDecision} can carry, in one closed list. Codes are stable: adding one
 * is a minor release, renaming or removing one is a major.
 *
 * @example
 * ```ts
 * import { castErrorCodes } from 'castgate';
 * for (const code of castErrorCodes) console.log(code);
 * ```
 */
export const castErrorCodes = [
  'invalid_request',
  'link_expired',
  'link_invalid',
  'link_used',
  'referrer_denied',
  'auth_required',
  'missing_parameter',
  'invalid_parameter',
  'captcha_required',
  'captcha_failed',
  'captcha_unavailable',
  'rate_limited',
  'quota_exhausted',
  'live_limit',
  'provision_failed',
  'store_unavailable',
] as const;

/**
 * The stable string code of a denial.
 *
 * @example
 * ```ts
 * import type { CastErrorCode } from 'castgate';
 * const code: CastErrorCode = 'rate_limited';
 * ```
 */
export type CastErrorCode = (typeof castErrorCodes)[number];

/**
 * The HTTP status that goes with each {@link CastErrorCode} (SPEC §4).
 *
 * @example
 * ```ts
 * import { castErrorStatus } from 'castgate';
 * castErrorStatus.rate_limited; // 429
 * ```
 */
export const castErrorStatus = Object.freeze({
  invalid_request: 400,
  link_expired: 410,
  link_invalid: 403,
  link_used: 403,
  referrer_denied: 403,
  auth_required: 401,
  missing_parameter: 400,
  invalid_parameter: 400,
  captcha_required: 403,
  captcha_failed: 403,
  captcha_unavailable: 503,
  rate_limited: 429,
  quota_exhausted: 429,
  live_limit: 429,
  provision_failed: 502,
  store_unavailable: 503,
} as const satisfies Record<CastErrorCode, number>);

/**
 * The default end-user message for each {@link CastErrorCode}: Kasm's own words where Kasm has them.
 * Replace any of them with the evaluator option `messages`. A message never echoes request input.
 *
 * @example
 * ```ts
 * import { castErrorMessages } from 'castgate';
 * castErrorMessages.quota_exhausted; // 'Session limit exceeded.'
 * ```
 */
export const castErrorMessages = Object.freeze({
  invalid_request: 'The request could not be understood.',
  link_expired: 'This link has expired',
  link_invalid: 'This link is not valid.',
  link_used: 'This link has already been used.',
  referrer_denied: 'Requests are not allowed from this domain.',
  auth_required: 'You must sign in to use this link.',
  missing_parameter: 'Invalid URL parameters provided for remoteApp.',
  invalid_parameter: 'Invalid URL parameters provided for remoteApp.',
  captcha_required: 'Please complete the reCAPTCHA check.',
  captcha_failed: 'reCAPTCHA Failed',
  captcha_unavailable: 'The reCAPTCHA check is unavailable right now. Please try again later.',
  rate_limited: 'Request limit reached. Please try again later.',
  quota_exhausted: 'Session limit exceeded.',
  live_limit: 'Too many sessions are running for this link. Please try again later.',
  provision_failed: 'The session could not be started. Please try again later.',
  store_unavailable: 'The service is unavailable right now. Please try again later.',
} as const satisfies Record<CastErrorCode, string>);

/**
 * The error of a denied decision: a stable `code`, an end-user `message`, the HTTP `status`, and
 * the fields that only some codes carry (`retryAfterSeconds` on `rate_limited`, `parameter` on
 * `missing_parameter` and `invalid_parameter`).
 *
 * @example
 * ```ts
 * import type { CastError } from 'castgate';
 * const describe = (error: CastError) => `${error.code} (${error.status}): ${error.message}`;
 * ```
 */
export interface CastError {
  readonly code: CastErrorCode;
  readonly message: string;
  readonly status: number;
  readonly retryAfterSeconds?: number;
  readonly parameter?: string;
}

/**
 * What a guard denies with: a code and the code's own fields. The pipeline adds `message` and
 * `status` from its tables.
 *
 * @example
 * ```ts
 * import type { GuardDenial } from 'castgate';
 * const denial: GuardDenial = { code: 'invalid_parameter', parameter: 'file' };
 * ```
 */
export interface GuardDenial {
  readonly code: CastErrorCode;
  readonly retryAfterSeconds?: number;
  readonly parameter?: string;
  /** A default message for this denial; the evaluator option `messages` still wins. Never raw input. */
  readonly message?: string;
}

/**
 * One guard's entry in a decision's `trace`: its name, its verdict, the code it denied with, how long
 * it took (milliseconds, fractional) and an optional note (a warning, or what was given back). A guard
 * that skipped at once (nothing to check) shows 0 ms: the engine reads no clock for it.
 *
 * @example
 * ```ts
 * import type { GuardTrace } from 'castgate';
 * const line = (t: GuardTrace) => `${t.guard} ${t.verdict} ${t.durationMs.toFixed(3)} ms`;
 * ```
 */
export interface GuardTrace {
  readonly guard: string;
  readonly verdict: 'pass' | 'deny' | 'skip';
  readonly code?: CastErrorCode;
  readonly durationMs: number;
  readonly note?: string;
}

/**
 * The session a decision launched or resumed.
 *
 * @example
 * ```ts
 * import type { SessionRef } from 'castgate';
 * const ref: SessionRef = { id: 's-1', userId: 'u-1' };
 * ```
 */
export interface SessionRef {
  readonly id: string;
  readonly userId: string;
}

/**
 * The answer of {@link evaluateCast}: allowed with the session and its launch plan, or denied with
 * a typed error (and a `redirectUrl` when the config has an `errorUrl`). Both sides carry `trace`.
 *
 * @example
 * ```ts
 * import type { CastDecision } from 'castgate';
 * const summary = (d: CastDecision) => (d.allowed ? `${d.outcome} ${d.session.id}` : d.error.code);
 * ```
 */
export type CastDecision =
  | {
      readonly allowed: true;
      /** A unique id of this decision (a UUID), the same as its `onDecision` event's and the HTTP layer's `X-Cast-Decision-Id`. */
      readonly decisionId: string;
      readonly outcome: 'created' | 'resumed';
      readonly session: SessionRef;
      readonly launch: LaunchPlan;
      readonly trace: readonly GuardTrace[];
      readonly error?: never;
      readonly redirectUrl?: never;
    }
  | {
      readonly allowed: false;
      /** A unique id of this decision (a UUID), the same as its `onDecision` event's and the HTTP layer's `X-Cast-Decision-Id`. */
      readonly decisionId: string;
      readonly error: CastError;
      readonly redirectUrl?: string;
      readonly trace: readonly GuardTrace[];
      readonly outcome?: never;
      readonly session?: never;
      readonly launch?: never;
    };

/**
 * Builds the redirect target for a denial: `errorUrl` with `error` and `message` set in its query
 * (replacing any it had), other parameters and the fragment kept.
 */
export function buildRedirectUrl(errorUrl: string, code: CastErrorCode, message: string): string {
  const url = new URL(errorUrl);
  url.searchParams.set('error', code);
  url.searchParams.set('message', message);
  return url.href;
}
