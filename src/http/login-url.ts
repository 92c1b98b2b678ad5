const placeholderOrigin = 'http://castgate.invalid';

/**
 * Prepares `loginUrl` once: answers a function adding `returnTo` (the cast path and query) to the
 * URL's own query, replacing a `returnTo` it had, keeping its fragment. Throws a `TypeError` for a
 * URL that is neither absolute `http(s):` nor a path starting with `/`.
 */
export function prepareLoginUrl(loginUrl: string): (returnTo: string) => string {
  const relative = loginUrl.startsWith('/') && !loginUrl.startsWith('//');
  let url: URL;
  try {
    url = relative ? new URL(loginUrl, placeholderOrigin) : new URL(loginUrl);
  } catch {
    throw new TypeError('castgate/http: loginUrl must be an absolute http(s) URL or a path starting with "/"');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError('castgate/http: loginUrl must be an absolute http(s) URL or a path starting with "/"');
  }
  url.searchParams.delete('returnTo');
  const hash = url.hash;
  url.hash = '';
  const base = relative ? `${url.pathname}${url.search}` : url.href;
  const separator = url.search === '' ? '?' : '&';
  return (returnTo) => `${base}${separator}returnTo=${encodeURIComponent(returnTo)}${hash}`;
}
