import type { CaptchaResult, CaptchaVerifier } from '../contract/stores.js';

/**
 * Options of {@link createFakeCaptchaVerifier}.
 *
 * @example
 * ```ts
 * import type { FakeCaptchaOptions } from 'castgate/testing';
 * const options: FakeCaptchaOptions = { pass: ['solved'], singleUse: true };
 * ```
 */
export interface FakeCaptchaOptions {
  /** The tokens that pass; every other token fails with `invalid-input-response`. Default: none. */
  readonly pass?: Iterable<string>;
  /** When true, a passing token passes once and then fails with `timeout-or-duplicate`, as real providers answer. Default false. */
  readonly singleUse?: boolean;
}

/**
 * A {@link CaptchaVerifier} that calls no provider: the tokens listed in `pass` succeed, any other
 * fails with the provider error code `invalid-input-response`. For tests and fixtures (it is what
 * `castgate test` uses for a fixtures file's `"captcha": { "pass": [...] }`).
 *
 * @example
 * ```ts
 * import { createMemoryStores } from 'castgate';
 * import { createFakeCaptchaVerifier } from 'castgate/testing';
 * const stores = { ...createMemoryStores(), captcha: createFakeCaptchaVerifier({ pass: ['solved'] }) };
 * ```
 */
export function createFakeCaptchaVerifier(options: FakeCaptchaOptions = {}): CaptchaVerifier {
  const passing = new Set(options.pass ?? []);
  const spent = new Set<string>();
  return {
    verify({ token }): Promise<CaptchaResult> {
      if (typeof token !== 'string' || !passing.has(token)) {
        return Promise.resolve({ success: false, errorCodes: ['invalid-input-response'], reason: 'token not accepted by the fake verifier' });
      }
      if (options.singleUse === true) {
        if (spent.has(token)) return Promise.resolve({ success: false, errorCodes: ['timeout-or-duplicate'], reason: 'token already used' });
        spent.add(token);
      }
      return Promise.resolve({ success: true });
    },
  };
}
