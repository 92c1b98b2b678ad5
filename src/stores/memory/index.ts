import type { CastStores } from '../../contract/stores.js';
import { createMemoryLeaseStore, type MemoryLeaseStore } from './leases.js';
import { createMemoryProvisioner, type MemoryProvisionerOptions, type MemorySessionProvisioner } from './provisioner.js';
import { createMemoryQuotaStore, type MemoryQuotaOptions } from './quota.js';
import { createMemoryRateLimitStore, type MemoryRateLimitOptions, type MemoryRateLimitStore } from './rate-limit.js';

/**
 * Options of {@link createMemoryStores}: those of the rate-limit store (`maxKeys`), of the quota
 * store (`maxReservations`) and of the provisioner (`maxSessions`).
 *
 * @example
 * ```ts
 * import type { MemoryStoresOptions } from 'castgate';
 * const options: MemoryStoresOptions = { maxKeys: 10_000, maxReservations: 1_000, maxSessions: 5_000 };
 * ```
 */
export interface MemoryStoresOptions extends MemoryRateLimitOptions, MemoryQuotaOptions, MemoryProvisionerOptions {}

/**
 * The stores {@link createMemoryStores} returns: {@link CastStores} without a captcha verifier, with
 * the memory extras (`rateLimit.prune`, `rateLimit.size`, `sessions.list`, `sessions.end`, `leases.size`).
 *
 * @example
 * ```ts
 * import { createMemoryStores, type MemoryStores } from 'castgate';
 * const stores: MemoryStores = createMemoryStores();
 * ```
 */
export interface MemoryStores extends CastStores {
  readonly rateLimit: MemoryRateLimitStore;
  readonly sessions: MemorySessionProvisioner;
  readonly leases: MemoryLeaseStore;
}

/**
 * Creates the in-memory stores for one process (the embedded default): an exact sliding-window rate
 * limit, a session quota, live-session leases and a provisioner that starts nothing (a stand-in for a real desktop
 * backend). Nothing is shared between processes: with several processes use `castgate/redis`. No
 * timer is held; stale keys are pruned lazily and the key count is capped. Throws a `TypeError` for
 * invalid options.
 *
 * @example
 * ```ts
 * import { createMemoryStores, evaluateCast, parseCastConfig } from 'castgate';
 * const config = parseCastConfig({ name: 'Demo', key: 'demo-0123456789abcdef', imageId: 'chrome', allowAnonymous: true });
 * const stores = createMemoryStores();
 * const decision = await evaluateCast(config, { ip: '192.0.2.1' }, stores);
 * ```
 */
export function createMemoryStores(options: MemoryStoresOptions = {}): MemoryStores {
  const rateLimitOptions: MemoryRateLimitOptions = options.maxKeys === undefined ? {} : { maxKeys: options.maxKeys };
  const quotaOptions: MemoryQuotaOptions = options.maxReservations === undefined ? {} : { maxReservations: options.maxReservations };
  return {
    rateLimit: createMemoryRateLimitStore(rateLimitOptions),
    quota: createMemoryQuotaStore(quotaOptions),
    sessions: createMemoryProvisioner(options.maxSessions === undefined ? {} : { maxSessions: options.maxSessions }),
    leases: createMemoryLeaseStore(),
  };
}

export { createMemoryLeaseStore, createMemoryProvisioner, createMemoryQuotaStore, createMemoryRateLimitStore };
export type { MemoryLeaseStore, MemoryProvisionerOptions, MemoryQuotaOptions, MemoryRateLimitOptions, MemoryRateLimitStore, MemorySessionProvisioner };
export type { MemorySession } from './provisioner.js';
