import { compareAsc } from 'date-fns';
import { validUntilMsOf } from '../config/parse.js';
import { deny, pass, skip, type Guard } from '../contract/guard.js';
import { skipsConfigsWhen } from '../engine/config-skips.js';

/**
 * Denies a link whose `validUntil` is reached (`now >= validUntil`, compared as instants) with
 * `link_expired` (410). Skips configs without `validUntil`.
 *
 * @example
 * ```ts
 * import { createCastEvaluator, defaultGuards, expiryGuard } from 'castgate';
 * const neverExpires = createCastEvaluator({ guards: defaultGuards.filter((guard) => guard !== expiryGuard) });
 * ```
 */
export const expiryGuard: Guard = /* @__PURE__ */ skipsConfigsWhen(
  {
    name: 'expiry',
    check({ config, nowMs }) {
      // The instant captured at parse time: mutating `config.validUntil` later changes nothing.
      const validUntilMs = validUntilMsOf(config);
      if (validUntilMs === undefined) return skip();
      return compareAsc(nowMs, validUntilMs) >= 0 ? deny('link_expired') : pass();
    },
  },
  (config) => validUntilMsOf(config) === undefined,
);
