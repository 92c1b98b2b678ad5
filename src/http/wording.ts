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

/** The plain sentence shown under a default message, or `undefined` when the message was replaced. */
export function explanationOf(error: CastError, defaults: Readonly<Record<CastErrorCode, string>>): string | undefined {
  if (error.message !== defaults[error.code]) return undefined;
  return explanations[error.code];
}
