import type { CastError, CastErrorCode } from 'castgate';

// Kasm's messages are kept byte for byte (hosts and Kasm users recognise them), but some are cryptic
// to a visitor ("Invalid URL parameters provided for remoteApp." for a missing file). The pages show a
// plain sentence under them, only while the message is the default one: a host that replaced a message
// (e.g. to translate it) gets exactly its own words.

const explanations: Readonly<Partial<Record<CastErrorCode, string>>> = {
  invalid_request: 'Something in the request could not be used. Open the link again from where you found it.',
  link_expired: 'Whoever shared this link may have a newer one.',
  referrer_denied: 'This link only opens from the website it was published on. Go back to that page and follow the link from there.',
  auth_required: 'Sign in first, then open the link again.',
  missing_parameter: 'The link is missing a piece it needs. Check that the whole link was copied, or ask whoever shared it for a new one.',
  invalid_parameter: 'The link carries a value this service cannot use. Check that the whole link was copied, or ask whoever shared it for a new one.',
  captcha_failed: 'The check did not succeed. Please try it again.',
  rate_limited: 'Too many sessions were started from your network recently.',
  quota_exhausted: 'All the sessions this link offers have been used.',
};

// castgate's own default messages for the captcha codes name reCAPTCHA; a page serving another
// provider's widget names that one instead. Kasm's own "reCAPTCHA Failed" is kept byte for byte (a
// plain sentence under it names the provider), and a message the host replaced is never touched.
const providerMessages: Readonly<Partial<Record<CastErrorCode, (provider: string) => string>>> = {
  captcha_required: (provider) => `Please complete the ${provider} check.`,
  captcha_unavailable: (provider) => `The ${provider} check is unavailable right now. Please try again later.`,
};

const providerExplanations: Readonly<Partial<Record<CastErrorCode, (provider: string) => string>>> = {
  captcha_failed: (provider) => `The ${provider} check did not succeed. Please try it again.`,
};

/**
 * The message a page shows: the decision's own, except that castgate's default captcha messages
 * name the configured provider (`provider`, e.g. "Cloudflare Turnstile") instead of reCAPTCHA.
 */
export function pageMessageOf(error: CastError, defaults: Readonly<Record<CastErrorCode, string>>, provider: string | undefined): string {
  const reworded = provider === undefined || error.message !== defaults[error.code] ? undefined : providerMessages[error.code];
  return reworded === undefined ? error.message : reworded(provider ?? '');
}

/**
 * The plain sentence shown under a default message (naming the configured captcha provider where it
 * speaks of the check), or `undefined` when the message was replaced.
 */
export function explanationOf(error: CastError, defaults: Readonly<Record<CastErrorCode, string>>, provider?: string): string | undefined {
  if (error.message !== defaults[error.code]) return undefined;
  const reworded = provider === undefined ? undefined : providerExplanations[error.code];
  return reworded === undefined ? explanations[error.code] : reworded(provider ?? '');
}
