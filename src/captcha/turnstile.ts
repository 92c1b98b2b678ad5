import type { CaptchaVerifier } from '../contract/stores.js';
import { resolveCaptchaSettings, type CaptchaVerifierOptions } from './options.js';
import { createSiteverifyVerifier, field } from './verifier.js';

/**
 * Options of {@link turnstileVerifier}: the shared {@link CaptchaVerifierOptions} plus `action`.
 *
 * @example
 * ```ts
 * import type { TurnstileVerifierOptions } from 'castgate';
 * const options: TurnstileVerifierOptions = { secret: process.env.TURNSTILE_SECRET ?? '', action: 'cast' };
 * ```
 */
export interface TurnstileVerifierOptions extends CaptchaVerifierOptions {
  /**
   * The widget's `action` the token must carry (Cloudflare recommends checking it).
   * @defaultValue no action check
   */
  readonly action?: string | undefined;
}

const turnstileMisconfigurationCodes: ReadonlySet<string> = new Set([
  'missing-input-secret',
  'invalid-input-secret',
  'invalid-parsed-secret',
  'invalid-widget-id',
  'missing-input-response',
  'bad-request',
  'internal-error',
]);

/**
 * A {@link CaptchaVerifier} for Cloudflare Turnstile that POSTs to
 * `https://challenges.cloudflare.com/turnstile/v0/siteverify` with an `idempotency_key`, so a
 * network error before any reply is retried once within `timeoutMs` without spending the token.
 * `verify` resolves `success: false` (`captcha_failed`) for an implausible token (no network call),
 * a token Cloudflare refuses, a hostname outside `hostnames`, a wrong action or a stale
 * `challenge_ts`; it rejects with a `CaptchaUnavailableError` (`captcha_unavailable`) when
 * Cloudflare cannot answer, reports a bad secret or its own `internal-error`. Throws a `TypeError`
 * for invalid options, e.g. an empty `secret`.
 *
 * @example
 * ```ts
 * import { turnstileVerifier } from 'castgate';
 * const captcha = turnstileVerifier({ secret: process.env.TURNSTILE_SECRET ?? '', action: 'cast' });
 * const result = await captcha.verify({ token: 'token-from-the-widget', remoteIp: '192.0.2.1' });
 * ```
 */
export function turnstileVerifier(options: TurnstileVerifierOptions): CaptchaVerifier {
  const settings = resolveCaptchaSettings('turnstileVerifier', options, {
    url: 'https://challenges.cloudflare.com/turnstile/v0/siteverify',
    maxAgeSeconds: 300,
    maxTokenLength: 2048,
  });
  const { action } = options;
  if (action !== undefined && (typeof action !== 'string' || action.length === 0)) {
    throw new TypeError('castgate: turnstileVerifier needs `action` to be a non-empty string');
  }
  return createSiteverifyVerifier(settings, {
    provider: 'turnstile',
    misconfigurationCodes: turnstileMisconfigurationCodes,
    retryOnNetworkError: true,
    extendForm: (form) => {
      form.set('idempotency_key', globalThis.crypto.randomUUID());
    },
    checkSuccess: (reply) =>
      action !== undefined && field(reply, 'action') !== action ? 'token was made for another action' : undefined,
  });
}
