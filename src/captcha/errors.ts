/**
 * The captcha providers castgate ships a verifier for.
 *
 * @example
 * ```ts
 * import type { CaptchaProvider } from 'castgate';
 * const provider: CaptchaProvider = 'turnstile';
 * ```
 */
export type CaptchaProvider = 'recaptcha' | 'turnstile' | 'hcaptcha';

/**
 * Why a verifier could not answer, as a closed list of stable codes: `network` (no reply reached
 * us), `timeout` (`timeoutMs` passed), `aborted` (the caller's signal fired), `http_status` (a
 * non-2xx reply, redirects included: they are never followed), `too_large` (a reply over 16 KB),
 * `not_json`, `bad_reply` (JSON that is not an object with a boolean `success`), and
 * `misconfigured` (the provider named a fault on our side: a wrong secret or site key, a bad
 * request, its own internal error).
 *
 * @example
 * ```ts
 * import { captchaUnavailableReasons } from 'castgate';
 * captchaUnavailableReasons.includes('timeout'); // true
 * ```
 */
export const captchaUnavailableReasons = [
  'network',
  'timeout',
  'aborted',
  'http_status',
  'too_large',
  'not_json',
  'bad_reply',
  'misconfigured',
] as const;

/**
 * One of {@link captchaUnavailableReasons}.
 *
 * @example
 * ```ts
 * import type { CaptchaUnavailableReason } from 'castgate';
 * const reason: CaptchaUnavailableReason = 'http_status';
 * ```
 */
export type CaptchaUnavailableReason = (typeof captchaUnavailableReasons)[number];

const providerLabels = {
  recaptcha: 'reCAPTCHA',
  turnstile: 'Turnstile',
  hcaptcha: 'hCaptcha',
} as const satisfies Record<CaptchaProvider, string>;

const reasonSentences = {
  network: 'could not be reached',
  timeout: 'did not answer in time',
  aborted: 'was abandoned: the caller aborted',
  http_status: 'answered with an unexpected HTTP status',
  too_large: 'answered with a reply over 16 KB',
  not_json: 'answered with something other than JSON',
  bad_reply: 'answered with JSON that has no boolean `success`',
  misconfigured: 'refused our request: check the secret and site key',
} as const satisfies Record<CaptchaUnavailableReason, string>;

/** A provider's error code or a Node error code we are willing to repeat in a message. */
const safeCode = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * What a {@link CaptchaUnavailableError} is built from. Nothing here may hold the secret or the
 * token; codes that do not look like codes are dropped from the message.
 */
export interface CaptchaUnavailableDetails {
  readonly provider: CaptchaProvider;
  readonly reason: CaptchaUnavailableReason;
  /** The HTTP status, for `http_status`. */
  readonly status?: number | undefined;
  /** The provider's `error-codes`, for `misconfigured`. */
  readonly errorCodes?: readonly string[] | undefined;
  /** A system error code such as `ECONNREFUSED`, for `network`. */
  readonly systemCode?: string | undefined;
}

/**
 * The rejection of every castgate verifier when the provider cannot answer: the engine turns it
 * into `captcha_unavailable` (503, failing closed). `code` is always `'captcha_unavailable'`,
 * `reason` says why (one of {@link captchaUnavailableReasons}). The message is for logs; it never
 * contains the secret, the token or the provider's raw reply.
 *
 * @example
 * ```ts
 * import { isCaptchaUnavailableError, turnstileVerifier } from 'castgate';
 * const captcha = turnstileVerifier({ secret: process.env.TURNSTILE_SECRET ?? 'unset' });
 * try {
 *   await captcha.verify({ token: 'token-from-the-widget', remoteIp: '192.0.2.1' });
 * } catch (error) {
 *   if (isCaptchaUnavailableError(error)) console.warn(error.reason, error.message);
 * }
 * ```
 */
export class CaptchaUnavailableError extends Error {
  override readonly name = 'CaptchaUnavailableError';
  readonly code = 'captcha_unavailable';
  readonly provider: CaptchaProvider;
  readonly reason: CaptchaUnavailableReason;
  readonly status: number | undefined;
  readonly errorCodes: readonly string[] | undefined;

  constructor(details: CaptchaUnavailableDetails) {
    super(describe(details));
    this.provider = details.provider;
    this.reason = details.reason;
    this.status = details.status;
    this.errorCodes = details.errorCodes === undefined ? undefined : Object.freeze(details.errorCodes.filter((code) => safeCode.test(code)));
  }
}

function describe(details: CaptchaUnavailableDetails): string {
  const extras: string[] = [];
  if (details.status !== undefined) extras.push(`HTTP ${details.status}`);
  if (details.systemCode !== undefined && safeCode.test(details.systemCode)) extras.push(details.systemCode);
  const codes = (details.errorCodes ?? []).filter((code) => safeCode.test(code));
  if (codes.length > 0) extras.push(codes.join(', '));
  const suffix = extras.length > 0 ? ` (${extras.join('; ')})` : '';
  return `castgate: ${providerLabels[details.provider]} siteverify ${reasonSentences[details.reason]}${suffix}`;
}

/**
 * Tells whether a value is a {@link CaptchaUnavailableError}, across realms and package copies
 * (it checks `name` and `code`, not `instanceof`).
 *
 * @example
 * ```ts
 * import { isCaptchaUnavailableError } from 'castgate';
 * isCaptchaUnavailableError(new Error('x')); // false
 * ```
 */
export function isCaptchaUnavailableError(value: unknown): value is CaptchaUnavailableError {
  return (
    value instanceof Error &&
    value.name === 'CaptchaUnavailableError' &&
    (value as { code?: unknown }).code === 'captcha_unavailable'
  );
}
