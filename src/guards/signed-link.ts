import { randomUUID } from 'node:crypto';
import { deny, pass, skip, type Guard, type GuardContext, type GuardVerdict } from '../contract/guard.js';
import { linkKeysOf } from '../engine/context.js';
import { maxLeaseTtlMs } from '../stores/validate.js';
import { unboundParameter } from '../signed-links/bound-params.js';
import { verifyLinkToken } from '../signed-links/verify.js';
import { skipsConfigsWhen } from '../engine/config-skips.js';

/** The lease key that remembers a spent single-use token: one per config and `jti`. */
export function singleUseKeyOf(configKey: string, jti: string): string {
  return `cast:${configKey}:link:${jti}`;
}

/**
 * With `requireSignedLink`, serves only a request whose `linkToken` is a token from
 * `signCastLink` that the evaluator's `linkKeys` verify (HS256, a known `kid`), for this config,
 * within its validity at the decision's instant, and, when it signs `params` (even `{}`), carrying
 * each signed parameter with exactly its signed raw value and no dynamic parameter it does not sign;
 * else `link_invalid` (403). A single-use token is then taken atomically in `stores.leases` until it
 * expires, so one decision spends it (`link_used`, 403, for every other); a later denial gives it
 * back. Runs after `expiry` and `referrer` (stateless checks of the link itself) and before
 * everything that asks the visitor for something (sign-in, a captcha) or takes something.
 *
 * @example
 * ```ts
 * import { createMemoryStores, evaluateCast, parseCastConfig, signCastLink } from 'castgate';
 * const secret = 'a link secret of at least 32 bytes!';
 * const config = parseCastConfig({ name: 'Invite', key: 'invite-0123456789abcdef', imageId: 'desktop', allowAnonymous: true, requireSignedLink: true });
 * const token = await signCastLink({ key: config.key, expiresAt: Date.now() + 3_600_000 }, { secret, kid: 'k1' });
 * const decision = await evaluateCast(config, { ip: '192.0.2.1', linkToken: token }, createMemoryStores(), { linkKeys: { k1: secret } });
 * ```
 */
export const signedLinkGuard: Guard = /* @__PURE__ */ skipsConfigsWhen(
  {
    name: 'signedLink',
    // Synchronous when there is nothing to check: a config without signed links costs no promise here.
    check: (ctx) => (ctx.config.requireSignedLink ? checkSignedLink(ctx) : skip()),
  },
  (config) => !config.requireSignedLink,
);

/** Verifies the token, its bound parameters, and spends a single-use token. */
async function checkSignedLink(ctx: GuardContext): Promise<GuardVerdict> {
  const { config, request, nowMs } = ctx;
  const checked = await verifyLinkToken(request.linkToken, { configKey: config.key, keys: linkKeysOf(ctx), nowMs });
  if (!checked.ok) return deny('link_invalid', { note: `token ${checked.problem}` });
  const { claims } = checked;
  if (claims.params !== undefined) {
    const parameter = unboundParameter(config, request.query, claims.params);
    if (parameter !== undefined) return deny('link_invalid', { note: `parameter ${JSON.stringify(parameter)} is not as signed` });
  }
  if (claims.once !== true || claims.exp === undefined) return pass();
  const { leases } = ctx.stores;
  if (leases === undefined) throw new TypeError('castgate: a single-use signed link needs stores.leases');
  const key = singleUseKeyOf(config.key, claims.jti);
  const leaseId = randomUUID();
  // Remembered until the token expires (a token valid for more than a lease may last is capped there).
  const ttlMs = Math.min(claims.exp * 1000 - nowMs, maxLeaseTtlMs);
  const taken = await leases.acquire({ key, limit: 1, leaseId, ttlMs, nowMs, signal: ctx.signal });
  if (!taken.ok) return deny('link_used');
  return pass({ giveBack: () => leases.release({ key, leaseId }).then(() => undefined), note: 'single use: spent' });
}
