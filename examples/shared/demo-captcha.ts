import type { CaptchaVerifier } from 'castgate';
import { demoCaptchaToken } from './demo-widget.js';

/**
 * An offline captcha verifier for the demo, paired with the offline widget: it accepts exactly
 * {@link demoCaptchaToken} and answers `success: false` for any other token. It protects nothing
 * (the token is public): it only lets a newcomer see the captcha flow without network access.
 *
 * @example
 * ```ts
 * const stores = { ...createMemoryStores(), captcha: demoCaptchaVerifier() };
 * ```
 */
export function demoCaptchaVerifier(): CaptchaVerifier {
  return {
    verify: ({ token }) =>
      Promise.resolve(token === demoCaptchaToken ? { success: true } : { success: false, errorCodes: ['invalid-input-response'], reason: 'not the demo token' }),
  };
}
