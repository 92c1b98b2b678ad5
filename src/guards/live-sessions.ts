import { randomUUID } from 'node:crypto';
import { deny, pass, skip, type Guard, type GuardContext, type GuardVerdict } from '../contract/guard.js';
import type { LeaseRef, LeaseStore } from '../contract/stores.js';
import { holdLeases, leaseTtlMsOf } from '../engine/context.js';
import { skipsConfigsWhen } from '../engine/config-skips.js';

/** The lease key of a config's live sessions. */
export function liveKeyOf(configKey: string): string {
  return `cast:${configKey}:live`;
}

/** The lease key of one client's live sessions of a config (the client is its rate-limit bucket). */
export function liveClientKeyOf(configKey: string, clientKey: string): string {
  return `cast:${configKey}:live:${clientKey}`;
}

/** Releases what was held, newest first; never rejects (a lease not released expires on its own). */
async function releaseAll(leases: LeaseStore, held: readonly LeaseRef[]): Promise<void> {
  for (let i = held.length - 1; i >= 0; i--) {
    const lease = held[i] as LeaseRef;
    await leases.release(lease).catch(() => false);
  }
}

/**
 * With `maxLiveSessions` (per link) or `maxLiveSessionsPerClient` (per client: the rate-limit
 * bucket), serves a new session only while fewer live sessions exist, else `live_limit` (429). A live
 * session holds a lease in `stores.leases` (the per-client one first, then the link's), taken
 * atomically with the evaluator's `leaseTtlMs`; after provisioning the engine binds the session id to
 * its leases, so the host renews them with `renewCastSession` and ends them with `endCastSession`.
 * The leases are given back when provisioning fails. A resume takes none (it finishes earlier).
 *
 * @example
 * ```ts
 * import { parseCastConfig } from 'castgate';
 * // at most 20 desktops at once, 2 per client address
 * const config = parseCastConfig({ name: 'Demo', key: 'demo-0123456789abcdef', imageId: 'desktop', allowAnonymous: true,
 *   maxLiveSessions: 20, maxLiveSessionsPerClient: 2 });
 * ```
 */
export const liveSessionsGuard: Guard = /* @__PURE__ */ skipsConfigsWhen(
  {
    name: 'liveSessions',
    // Synchronous when there is nothing to cap: a config without live caps costs no promise here.
    check: (ctx) => (ctx.config.maxLiveSessions === undefined && ctx.config.maxLiveSessionsPerClient === undefined ? skip() : takeLeases(ctx)),
  },
  (config) => config.maxLiveSessions === undefined && config.maxLiveSessionsPerClient === undefined,
);

/** Takes the per-client lease, then the link's (both or neither). */
async function takeLeases(ctx: GuardContext): Promise<GuardVerdict> {
  const { config, request, nowMs } = ctx;
  const perLink = config.maxLiveSessions;
  const perClient = config.maxLiveSessionsPerClient;
  const { leases } = ctx.stores;
  if (leases === undefined) throw new TypeError(`castgate: config "${config.key}" caps live sessions, so stores.leases is required`);
  const leaseId = randomUUID();
  const ttlMs = leaseTtlMsOf(ctx);
  const wanted: { key: string; limit: number; scope: string }[] = [];
  if (perClient !== undefined) wanted.push({ key: liveClientKeyOf(config.key, request.clientKey), limit: perClient, scope: 'client' });
  if (perLink !== undefined) wanted.push({ key: liveKeyOf(config.key), limit: perLink, scope: 'link' });
  const held: LeaseRef[] = [];
  for (const { key, limit, scope } of wanted) {
    let taken: Awaited<ReturnType<LeaseStore['acquire']>>;
    try {
      taken = await leases.acquire({ key, limit, leaseId, ttlMs, nowMs, signal: ctx.signal });
    } catch (error) {
      await releaseAll(leases, held);
      throw error;
    }
    if (!taken.ok) {
      await releaseAll(leases, held);
      return deny('live_limit', { note: `${limit} live per ${scope}` });
    }
    held.push({ key, leaseId });
  }
  holdLeases(ctx, held);
  return pass({ giveBack: () => releaseAll(leases, held) });
}
