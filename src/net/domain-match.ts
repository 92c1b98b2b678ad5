import { withoutTrailingDot } from './host.js';
import { parseHttpUrl } from './url.js';

/** An allow-list of normalised domain entries (`example.com`, `*.example.com`), ready for matching. */
export interface DomainMatcher {
  readonly exact: ReadonlySet<string>;
  readonly suffixes: readonly string[];
}

const matchers = new WeakMap<readonly string[], DomainMatcher>();

/** The matcher of a parsed config's entry list, built once per list. */
export function domainMatcherOf(entries: readonly string[]): DomainMatcher {
  let matcher = matchers.get(entries);
  if (matcher === undefined) {
    const exact = new Set<string>();
    const suffixes: string[] = [];
    for (const entry of entries) {
      if (entry.startsWith('*.')) suffixes.push(entry.slice(1));
      else exact.add(entry);
    }
    matcher = { exact, suffixes };
    matchers.set(entries, matcher);
  }
  return matcher;
}

/**
 * Whether a host (lower case, punycode, as WHATWG `URL` gives it) is on the list: equal to a plain
 * entry, or a subdomain of a `*.` entry on a label boundary (never the bare domain, never
 * `badexample.com` or `example.com.evil.net`). One trailing dot of the host is ignored.
 */
export function hostIsListed(host: string, matcher: DomainMatcher): boolean {
  const bare = withoutTrailingDot(host);
  if (matcher.exact.has(bare)) return true;
  for (const suffix of matcher.suffixes) {
    if (bare.length > suffix.length && bare.endsWith(suffix)) return true;
  }
  return false;
}

/** The longest URL castgate parses from a request (Referer, kasm_url). */
export const maxRequestUrlLength = 4096;

// Hosts of recently seen Referers: most requests to a link come from a handful of pages, and a
// WHATWG URL parse costs more than the rest of the referrer guard. Bounded; emptied when full.
const maxCachedHosts = 512;
let cachedHosts: Map<string, string | null> | undefined;

/**
 * The host of an `http:` or `https:` URL given as a raw string, or `null` when it is not one
 * (unparsable, another scheme, too long, no host).
 */
export function httpHostOf(raw: string): string | null {
  if (raw.length === 0 || raw.length > maxRequestUrlLength) return null;
  const cache = (cachedHosts ??= new Map<string, string | null>());
  const cached = cache.get(raw);
  if (cached !== undefined) return cached;
  const host = parseHttpHost(raw);
  if (cache.size >= maxCachedHosts) cache.clear();
  cache.set(raw, host);
  return host;
}

function parseHttpHost(raw: string): string | null {
  return parseHttpUrl(raw)?.hostname ?? null;
}

