/** Characters that make `new URL` read something other than a bare host (path, query, user info, port, escapes). */
const notAHost = /[\s/\\?#@:%]/;

/**
 * Normalises a hostname for comparison: lower case, IDN in punycode, no trailing dot, as the WHATWG
 * URL parser writes it. Answers `undefined` for anything that is not a bare hostname (a path, a
 * port, user info, percent escapes, whitespace, an empty string), so a look-alike such as
 * `example.com/evil` never normalises to `example.com`.
 */
export function normalizeCaptchaHostname(input: string): string | undefined {
  if (input.length === 0 || input.length > 256 || notAHost.test(input)) return undefined;
  let host: string;
  try {
    host = new URL(`http://${input}`).hostname;
  } catch {
    return undefined;
  }
  if (host.endsWith('.')) host = host.slice(0, -1);
  return host.length === 0 || host.startsWith('.') ? undefined : host;
}
