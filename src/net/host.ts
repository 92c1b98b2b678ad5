/** Characters that make `new URL` read something other than a bare host (path, query, user info, port, escapes). */
const notAHost = /[\s/\\?#@:%]/u;

/** `host` without one trailing dot (`example.com.` and `example.com` are the same host). */
export function withoutTrailingDot(host: string): string {
  return host.endsWith('.') ? host.slice(0, -1) : host;
}

/**
 * Normalises a bare host name for comparison as the WHATWG URL parser writes it: lower case, IDN in
 * punycode, IPv4 in dotted decimal, one trailing dot dropped. Answers `undefined` for anything that
 * is not a bare host name (a scheme, a path, a port, user info, percent escapes, white space, empty
 * labels at either end, more than `maxLength` characters), so a look-alike such as
 * `example.com/evil` never normalises to `example.com`.
 */
export function normalizeHostname(input: string, maxLength = 256): string | undefined {
  if (input.length === 0 || input.length > maxLength || notAHost.test(input)) return undefined;
  let host: string;
  try {
    host = new URL(`http://${withoutTrailingDot(input)}`).hostname;
  } catch {
    return undefined;
  }
  return host.length === 0 || host.startsWith('.') || host.endsWith('.') ? undefined : host;
}
