// What castgate accepts as an http(s) URL, written once: the config's URLs (`errorUrl`, `kasmUrl`,
// `launcherBackgroundUrl`), a request's `kasm_url`, a captcha verifier's `url`, and (leniently) a
// Referer.

/**
 * C0 and C1 controls, DEL, and every kind of white space: none may appear in a raw URL, because
 * `new URL` silently drops or re-encodes them, so what was checked would not be what was written.
 */
// eslint-disable-next-line no-control-regex
export const controlOrSpace = /[\u0000-\u0020\u007f-\u009f\s]/u;

/** The longest http(s) URL a config or a `kasm_url` parameter may hold, in characters. */
export const maxHttpUrlLength = 2048;

/** Parses an absolute `http:` or `https:` URL with a host (WHATWG `URL`), or answers `null`. */
export function parseHttpUrl(raw: string): URL | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '' ? url : null;
}

/** Why a raw string is not an acceptable http(s) URL. */
export type HttpUrlProblem = 'control_or_space' | 'not_http' | 'user_info';

/**
 * Reads an acceptable http(s) URL: no controls or white space in the raw string
 * ({@link controlOrSpace}), an absolute `http:`/`https:` URL with a host, and no user info
 * (`user:password@`). Answers the parsed `URL`, or why it is not one. Length limits are the caller's.
 */
export function readHttpUrl(raw: string): URL | HttpUrlProblem {
  if (controlOrSpace.test(raw)) return 'control_or_space';
  const url = parseHttpUrl(raw);
  if (url === null) return 'not_http';
  return url.username === '' && url.password === '' ? url : 'user_info';
}
