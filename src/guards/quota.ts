import { deny, pass, skip, type Guard, type GuardContext, type GuardVerdict } from '../contract/guard.js';
import type { QuotaStore } from '../contract/stores.js';
import { checkQuotaTaken } from '../engine/store-answers.js';
import { QuotaCall } from '../engine/store-calls.js';
import { immediateOf } from '../stores/memory/immediate.js';
import { recordUnit, unitOf } from './admitted-units.js';
import { skipsConfigsWhen } from '../engine/config-skips.js';

/**
 * With `sessionsRemaining` set, serves a session only while the config's counter is above zero and
 * takes one unit atomically, else `quota_exhausted` (429). Never negative, never oversold; the unit
 * is given back when provisioning fails. When the rate-limit guard already took the unit with the
 * slot (`stores.admission`), it decides on that answer without a call.
 *
 * @example
 * ```ts
 * import { createMemoryStores, parseCastConfig } from 'castgate';
 * const config = parseCastConfig({ name: 'Launch day', key: 'launch-0123456789abcdef', imageId: 'desktop',
 *   allowAnonymous: true, sessionsRemaining: 100 });
 * const stores = createMemoryStores();
 * await stores.quota.setRemaining(config.key, 250); // an admin tops it up
 * ```
 */
export const quotaGuard: Guard = /* @__PURE__ */ skipsConfigsWhen(
  {
    name: 'quota',
    check(ctx) {
      const { config, stores } = ctx;
      const initial = config.sessionsRemaining;
      if (initial === undefined) return skip();
      const admitted = unitOf(ctx);
      if (admitted !== undefined) return admitted.state === 'taken' ? pass() : deny('quota_exhausted');
      const { quota } = stores;
      const call = new QuotaCall(ctx, config.key, initial);
      // A memory store answers at once: no promise to wait for (see stores/memory/immediate.ts), and
      // its answer is the contract's by construction (no check, no copy).
      const takeNow = immediateOf(quota, 'take');
      if (takeNow !== undefined) return checkedVerdict(ctx, quota, takeNow(call));
      return Promise.resolve(quota.take(call)).then((answer) => checkedVerdict(ctx, quota, checkQuotaTaken(answer)));
    },
  },
  (config) => config.sessionsRemaining === undefined,
);

/** The verdict on a checked `QuotaStore.take` answer: a pass that gives the unit back, or `quota_exhausted`. */
function checkedVerdict(ctx: GuardContext, quota: QuotaStore, taken: { readonly ok: true; readonly reservation: string } | { readonly ok: false }): GuardVerdict {
  if (!taken.ok) return deny('quota_exhausted');
  const configKey = ctx.config.key;
  const { reservation } = taken;
  recordUnit(ctx, { state: 'taken', configKey, reservation });
  return pass({ giveBack: () => quota.giveBack({ configKey, reservation }) });
}
