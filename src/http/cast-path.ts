/** The config key and the raw query of a cast URL. */
export interface CastPath {
  readonly key: string;
  readonly query: string;
}

const keyPattern = /^[A-Za-z0-9_-]{1,128}$/u;
const marker = '/cast/';

/**
 * Reads `/…/cast/<key>?<query>` without decoding anything: `null` when the path does not end in
 * `/cast/<one segment>`; a segment that cannot be a key (a `%` escape, a dot, too long) answers `''`
 * as the key, which no config has.
 */
export function parseCastPath(url: string): CastPath | null {
  const question = url.indexOf('?');
  const path = question === -1 ? url : url.slice(0, question);
  const at = path.lastIndexOf(marker);
  if (at === -1) return null;
  const segment = path.slice(at + marker.length);
  if (segment.includes('/')) return null;
  return { key: keyPattern.test(segment) ? segment : '', query: question === -1 ? '' : url.slice(question + 1) };
}

/** Whether a path (no query) is one the adapters route to the handler: it ends in `/cast/<one segment>`. */
export function isCastPath(path: string): boolean {
  const at = path.lastIndexOf(marker);
  return at !== -1 && path.indexOf('/', at + marker.length) === -1;
}
