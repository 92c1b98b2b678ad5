/**
 * The longest token {@link isPlausibleCaptchaToken} accepts when given no limit: a ceiling above
 * every provider's real tokens (hCaptcha's run past 4,000 characters and have no documented
 * maximum), low enough that a 10 KB junk token is refused without a network call. Each verifier then applies its
 * own, tighter `maxTokenLength`.
 *
 * @example
 * ```ts
 * import { captchaTokenLengthCeiling } from 'castgate';
 * captchaTokenLengthCeiling; // 8192
 * ```
 */
export const captchaTokenLengthCeiling = 8192;

/** Printable ASCII without the space: `!` (0x21) to `~` (0x7E). */
const printableAsciiWithoutSpace = /^[\x21-\x7e]+$/;

/**
 * Tells whether a captcha token is worth sending to a provider: a string of 1 to `maxLength`
 * characters, all printable ASCII, with no whitespace or control characters. Every real token of
 * reCAPTCHA, Turnstile and hCaptcha has this shape; anything else is refused before any network
 * call (the engine answers `captcha_failed`). Throws a `TypeError` if `maxLength` is not a positive
 * integer (a programmer error).
 *
 * @param token - the value the client sent, of any type
 * @param maxLength - the longest token accepted
 * @defaultValue `maxLength`: {@link captchaTokenLengthCeiling} (8192)
 * @example
 * ```ts
 * import { isPlausibleCaptchaToken } from 'castgate';
 * isPlausibleCaptchaToken('0.abc-DEF_123'); // true
 * isPlausibleCaptchaToken('a\r\nb'); // false
 * isPlausibleCaptchaToken('x'.repeat(3000), 2048); // false
 * ```
 */
export function isPlausibleCaptchaToken(token: unknown, maxLength: number = captchaTokenLengthCeiling): token is string {
  if (!Number.isSafeInteger(maxLength) || maxLength < 1) {
    throw new TypeError('castgate: isPlausibleCaptchaToken needs a positive integer maxLength');
  }
  return typeof token === 'string' && token.length <= maxLength && printableAsciiWithoutSpace.test(token);
}

/**
 * Says, in castgate's words, why a token was refused by {@link isPlausibleCaptchaToken}, or
 * `undefined` when it is plausible. The words never repeat the token.
 */
export function captchaTokenProblem(token: unknown, maxLength: number): string | undefined {
  if (isPlausibleCaptchaToken(token, maxLength)) return undefined;
  if (typeof token !== 'string') return 'token is not a string';
  if (token.length === 0) return 'token is empty';
  if (token.length > maxLength) return `token is longer than ${maxLength} characters`;
  return 'token has characters other than printable ASCII';
}
