import type { CastStores, LeaseStore } from '../contract/stores.js';
import { maxLeaseTtlMs } from '../stores/validate.js';

/** The default time to live of a live-session lease: two minutes after its last renewal. */
export const defaultLeaseTtlMs = 120_000;

/**
 * Throws a `RangeError` unless `leaseTtlMs` is a whole number of milliseconds from 1 to a hundred
 * years; answers it.
 */
export function checkLeaseTtlMs(leaseTtlMs: unknown): number {
  if (typeof leaseTtlMs !== 'number' || !Number.isSafeInteger(leaseTtlMs) || leaseTtlMs < 1 || leaseTtlMs > maxLeaseTtlMs) {
    throw new RangeError('castgate: leaseTtlMs must be a whole number of milliseconds, at least 1');
  }
  return leaseTtlMs;
}

function leasesOf(stores: unknown): LeaseStore {
  const leases = (stores as Partial<CastStores> | null)?.leases;
  if (typeof leases !== 'object') throw new TypeError('castgate: stores.leases is required to renew or end a live session');
  return leases;
}

function instantOf(now: unknown): number {
  if (now === undefined) return Date.now();
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw new TypeError('castgate: `now` must be a valid Date');
  return now.getTime();
}

/**
 * Identifies a live session: its config's key and the session id the decision answered.
 *
 * @example
 * ```ts
 * import type { CastSessionRef } from 'castgate';
 * const ref: CastSessionRef = { configKey: 'demo-0123456789abcdef', sessionId: 's-42' };
 * ```
 */
export interface CastSessionRef {
  readonly configKey: string;
  readonly sessionId: string;
  /** The instant of the call. @defaultValue the system clock */
  readonly now?: Date;
}

/**
 * Keeps a live session's leases (SPEC §16) alive: renews each lease bound to `{ configKey,
 * sessionId }` for `leaseTtlMs` from `now` (default: the system clock), from any process. Call it
 * well within the TTL while the session runs (e.g. every 30 s with the default 120 s). `leaseTtlMs`
 * defaults to the TTL the session was bound with (the evaluator's), and a value given here becomes
 * the session's TTL from then on. Resolves `true` when every lease was renewed; `false` when the
 * session holds none (never bound, or ended) or one had already expired: an expired lease is not
 * revived, its place may be taken, so the session now runs beyond the cap and the host should end
 * it. Rejects when the lease store fails, or with a `TypeError` for stores without `leases`.
 *
 * @example
 * ```ts
 * import { createMemoryStores, renewCastSession } from 'castgate';
 * const stores = createMemoryStores();
 * const heartbeat = setInterval(() => {
 *   renewCastSession(stores, { configKey: 'demo-0123456789abcdef', sessionId: 's-42' }).catch(console.error);
 * }, 30_000);
 * ```
 */
export async function renewCastSession(
  stores: Pick<CastStores, 'leases'>,
  session: CastSessionRef,
  options: { readonly leaseTtlMs?: number } = {},
): Promise<boolean> {
  const leases = leasesOf(stores);
  const nowMs = instantOf(session.now);
  const override = options.leaseTtlMs === undefined ? undefined : checkLeaseTtlMs(options.leaseTtlMs);
  const { configKey, sessionId } = session;
  const binding = await leases.boundTo({ configKey, sessionId });
  if (binding === null || binding.leases.length === 0) return false;
  const ttlMs = override ?? binding.ttlMs;
  let all = true;
  for (const lease of binding.leases) {
    if (!(await leases.renew({ key: lease.key, leaseId: lease.leaseId, ttlMs, nowMs }))) all = false;
  }
  if (all) await leases.bind({ configKey, sessionId, leases: binding.leases, ttlMs, nowMs });
  return all;
}

/**
 * Ends a live session's leases (SPEC §16), freeing its places under the caps at once; the host ends
 * the session itself. Resolves whether a live lease was found (`false` for a session never bound,
 * already ended, or whose leases had expired). Rejects when the lease store fails, or with a
 * `TypeError` for stores without `leases`.
 *
 * @example
 * ```ts
 * import { createMemoryStores, endCastSession } from 'castgate';
 * const stores = createMemoryStores();
 * const ended = await endCastSession(stores, { configKey: 'demo-0123456789abcdef', sessionId: 's-42' });
 * ```
 */
export async function endCastSession(stores: Pick<CastStores, 'leases'>, session: CastSessionRef): Promise<boolean> {
  const leases = leasesOf(stores);
  const nowMs = instantOf(session.now);
  const binding = await leases.boundTo({ configKey: session.configKey, sessionId: session.sessionId });
  if (binding === null) return false;
  let found = false;
  for (const lease of binding.leases) {
    if (await leases.release({ key: lease.key, leaseId: lease.leaseId, nowMs })) found = true;
  }
  return found;
}
