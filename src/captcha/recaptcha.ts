import type { CaptchaVerifier } from '../contract/stores.js';
import { resolveCaptchaSettings, type CaptchaVerifierOptions } from './options.js';
import { createSiteverifyVerifier, field, finiteScore } from './verifier.js';

/**
 * Options of {@link recaptchaVerifier}: the shared {@link CaptchaVerifierOptions} plus the v3
 * checks. With `action` or `minScore` set the verifier works in v3 mode: a reply without a finite
 * numeric `score` fails. With neither, a v2 reply passes on `success`.
 *
 * @example
 * ```ts
 * import type { RecaptchaVerifierOptions } from 'castgate';
 * const options: RecaptchaVerifierOptions = { secret: process.env.RECAPTCHA_SECRET ?? '', action: 'cast', minScore: 0.7 };
 * ```
 */
export interface RecaptchaVerifierOptions extends CaptchaVerifierOptions {
  /**
   * The v3 action the token must have been made for (`grecaptcha.execute(siteKey, { action })`).
   * @defaultValue no action check
   */
  readonly action?: string | undefined;
  /**
   * The lowest v3 score accepted, from 0 (likely a bot) to 1 (likely a person).
   * @defaultValue 0.5 when `action` is set; no score check when neither `action` nor `minScore` is set
   */
  readonly minScore?: number | undefined;
}

const recaptchaMisconfigurationCodes: ReadonlySet<string> = new Set([
  'missing-input-secret',
  'invalid-input-secret',
  'missing-input-response',
  'bad-request',
]);

/**
 * A {@link CaptchaVerifier} for Google reCAPTCHA (v2 and v3) that POSTs to
 * `https://www.google.com/recaptcha/api/siteverify`. `verify` resolves `success: false` (the engine
 * answers `captcha_failed`) for an implausible token (no network call), a token Google refuses, a
 * hostname outside `hostnames`, a wrong action, a low or missing v3 score, or a stale `challenge_ts`;
 * it rejects with a `CaptchaUnavailableError` (`captcha_unavailable`) when Google cannot answer or
 * reports a bad secret. No retries: a token can be verified once. Throws a `TypeError` for invalid
 * options, e.g. an empty `secret`.
 *
 * @example
 * ```ts
 * import { recaptchaVerifier } from 'castgate';
 * const captcha = recaptchaVerifier({
 *   secret: process.env.RECAPTCHA_SECRET ?? '',
 *   action: 'cast',
 *   hostnames: ['cast.example.com'],
 * });
 * const result = await captcha.verify({ token: 'token-from-the-page', remoteIp: '192.0.2.1' });
 * ```
 */
export function recaptchaVerifier(options: RecaptchaVerifierOptions): CaptchaVerifier {
  const settings = resolveCaptchaSettings('recaptchaVerifier', options, {
    url: 'https://www.google.com/recaptcha/api/siteverify',
    maxAgeSeconds: 120,
    maxTokenLength: 4000,
  });
  const { action, minScore } = options;
  if (action !== undefined && (typeof action !== 'string' || action.length === 0)) {
    throw new TypeError('castgate: recaptchaVerifier needs `action` to be a non-empty string');
  }
  if (minScore !== undefined && !(typeof minScore === 'number' && minScore >= 0 && minScore <= 1)) {
    throw new TypeError('castgate: recaptchaVerifier needs `minScore` to be a number from 0 to 1');
  }
  const scoreNeeded = action !== undefined || minScore !== undefined;
  const lowestScore = minScore ?? 0.5;
  return createSiteverifyVerifier(settings, {
    provider: 'recaptcha',
    misconfigurationCodes: recaptchaMisconfigurationCodes,
    retryOnNetworkError: false,
    extendForm: () => undefined,
    checkSuccess(reply) {
      if (!scoreNeeded) return undefined;
      if (action !== undefined && field(reply, 'action') !== action) return 'token was made for another action';
      const score = finiteScore(reply);
      if (score === undefined) return 'reply has no numeric score';
      return score < lowestScore ? `score is below ${lowestScore}` : undefined;
    },
  });
}
