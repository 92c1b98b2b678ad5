import { deny, pass, skip, type Guard } from '../contract/guard.js';
import { domainMatcherOf, hostIsListed, httpHostOf } from '../net/domain-match.js';
import { skipsConfigsWhen } from '../engine/config-skips.js';

/**
 * With a non-empty `allowedReferrers`, admits only a Referer that is an `http(s)` URL whose parsed
 * host is listed (exact host, or a subdomain of a `*.` entry on a label boundary; case, port, path
 * and one trailing dot ignored; IDN compared in punycode). An unparsable Referer is
 * `referrer_denied`; a missing one too unless `allowMissingReferrer`. This is anti-hotlinking, not
 * authentication: any non-browser client can send any Referer.
 *
 * @example
 * ```ts
 * import { parseCastConfig } from 'castgate';
 * const config = parseCastConfig({ name: 'Docs', key: 'docs-0123456789abcdef', imageId: 'chrome',
 *   allowAnonymous: true, allowedReferrers: ['example.com', '*.example.org'] });
 * ```
 */
export const referrerGuard: Guard = /* @__PURE__ */ skipsConfigsWhen(
  {
    name: 'referrer',
    check({ config, request }) {
      if (config.allowedReferrers.length === 0) return skip();
      const { referrer } = request;
      if (referrer === null || referrer === '') {
        return config.allowMissingReferrer ? pass({ note: 'no Referer sent; allowed by allowMissingReferrer' }) : deny('referrer_denied');
      }
      const host = httpHostOf(referrer);
      return host !== null && hostIsListed(host, domainMatcherOf(config.allowedReferrers)) ? pass() : deny('referrer_denied');
    },
  },
  (config) => config.allowedReferrers.length === 0,
);
