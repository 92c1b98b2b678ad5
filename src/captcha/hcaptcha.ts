import type { CaptchaVerifier } from '../contract/stores.js';
import { resolveCaptchaSettings, type CaptchaVerifierOptions } from './options.js';
import { createSiteverifyVerifier, finiteScore } from './verifier.js';

/**
 * Options of {@link hcaptchaVerifier}: the shared {@link CaptchaVerifierOptions} plus `sitekey`
 * and, for hCaptcha Enterprise, `maxScore`. hCaptcha's score measures risk (0 no risk, 1 a
 * confirmed threat), the opposite of reCAPTCHA's, so the threshold is a maximum: passing `minScore`
 * is a type error and throws a `TypeError`.
 *
 * @example
 * ```ts
 * import type { HcaptchaVerifierOptions } from 'castgate';
 * const options: HcaptchaVerifierOptions = {
 *   secret: process.env.HCAPTCHA_SECRET ?? '',
 *   sitekey: '10000000-ffff-ffff-ffff-000000000001',
 * };
 * ```
 */
export interface HcaptchaVerifierOptions extends CaptchaVerifierOptions {
  /**
   * The site key the token must belong to, sent as `sitekey` (hCaptcha recommends it).
   * @defaultValue not sent
   */
  readonly sitekey?: string | undefined;
  /**
   * hCaptcha Enterprise: the highest risk score accepted (0 to 1). When set, a reply without a
   * finite numeric `score` fails.
   * @defaultValue no score check
   */
  readonly maxScore?: number | undefined;
  /** Not an hCaptcha option: its score is a risk score, so use `maxScore`. */
  readonly minScore?: never;
}

const hcaptchaMisconfigurationCodes: ReadonlySet<string> = new Set([
  'missing-input-secret',
  'invalid-input-secret',
  'missing-input-response',
  'bad-request',
  'sitekey-secret-mismatch',
  'invalid-sitekey',
  'missing-remoteip',
  'invalid-remoteip',
  'not-using-dummy-passcode',
]);

/**
 * A {@link CaptchaVerifier} for hCaptcha that POSTs to `https://api.hcaptcha.com/siteverify`
 * (with `sitekey` when set). `verify` resolves `success: false` (`captcha_failed`) for an
 * implausible token (no network call), a token hCaptcha refuses, a hostname outside `hostnames`, a
 * risk score above `maxScore` (or none when `maxScore` is set) or a stale `challenge_ts`; it rejects
 * with a `CaptchaUnavailableError` (`captcha_unavailable`) when hCaptcha cannot answer or reports a
 * fault on our side (`invalid-input-secret`, `sitekey-secret-mismatch`, `invalid-sitekey`, ...). No
 * retries: a token can be verified once. Throws a `TypeError` for invalid options, e.g. an empty
 * `secret`.
 *
 * @example
 * ```ts
 * import { hcaptchaVerifier } from 'castgate';
 * const captcha = hcaptchaVerifier({ secret: process.env.HCAPTCHA_SECRET ?? '', sitekey: process.env.HCAPTCHA_SITEKEY });
 * const result = await captcha.verify({ token: 'token-from-the-widget', remoteIp: '192.0.2.1' });
 * ```
 */
export function hcaptchaVerifier(options: HcaptchaVerifierOptions): CaptchaVerifier {
  const settings = resolveCaptchaSettings('hcaptchaVerifier', options, {
    url: 'https://api.hcaptcha.com/siteverify',
    maxAgeSeconds: 120,
    maxTokenLength: 8192,
  });
  const { sitekey, maxScore } = options;
  if ((options as { minScore?: unknown }).minScore !== undefined) {
    throw new TypeError('castgate: hcaptchaVerifier takes `maxScore`, not `minScore`: hCaptcha scores measure risk (higher is riskier)');
  }
  if (sitekey !== undefined && (typeof sitekey !== 'string' || sitekey.length === 0)) {
    throw new TypeError('castgate: hcaptchaVerifier needs `sitekey` to be a non-empty string');
  }
  if (maxScore !== undefined && !(typeof maxScore === 'number' && maxScore >= 0 && maxScore <= 1)) {
    throw new TypeError('castgate: hcaptchaVerifier needs `maxScore` to be a number from 0 to 1');
  }
  return createSiteverifyVerifier(settings, {
    provider: 'hcaptcha',
    misconfigurationCodes: hcaptchaMisconfigurationCodes,
    retryOnNetworkError: false,
    extendForm: (form) => {
      if (sitekey !== undefined) form.set('sitekey', sitekey);
    },
    checkSuccess(reply) {
      if (maxScore === undefined) return undefined;
      const score = finiteScore(reply);
      if (score === undefined) return 'reply has no numeric score';
      return score > maxScore ? `risk score is above ${maxScore}` : undefined;
    },
  });
}
