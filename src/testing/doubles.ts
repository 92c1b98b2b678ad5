import type { AdmissionStore, CaptchaVerifier, LeaseStore, QuotaStore, RateLimitStore, SessionProvisioner } from '../contract/stores.js';
import { createMemoryLeaseStore } from '../stores/memory/leases.js';
import { createMemoryProvisioner } from '../stores/memory/provisioner.js';
import { createMemoryQuotaStore } from '../stores/memory/quota.js';
import { createMemoryRateLimitStore } from '../stores/memory/rate-limit.js';
import { createStoreDouble, type StoreDouble } from './double.js';
import { createFakeCaptchaVerifier } from './fake-captcha.js';

/**
 * A {@link RateLimitStore} double (`take`, `peek`, `giveBack` recorded and fault-injectable).
 *
 * @example
 * ```ts
 * import type { RateLimitStoreDouble } from 'castgate/testing';
 * const expectNoTake = (d: RateLimitStoreDouble) => d.callsTo('take').length === 0;
 * ```
 */
export type RateLimitStoreDouble<S extends RateLimitStore = RateLimitStore> = StoreDouble<S, 'take' | 'peek' | 'giveBack'>;
/**
 * A {@link QuotaStore} double (`take`, `giveBack`, `remaining`, `setRemaining`, and `commit` when the
 * store underneath has it).
 *
 * @example
 * ```ts
 * import type { QuotaStoreDouble } from 'castgate/testing';
 * const taken = (d: QuotaStoreDouble) => d.callsTo('take').length;
 * ```
 */
export type QuotaStoreDouble<S extends QuotaStore = QuotaStore> = StoreDouble<S, 'take' | 'giveBack' | 'remaining' | 'setRemaining' | 'commit'>;
/**
 * A {@link SessionProvisioner} double (`findRunning`, `provision`).
 *
 * @example
 * ```ts
 * import type { SessionProvisionerDouble } from 'castgate/testing';
 * const plans = (d: SessionProvisionerDouble) => d.callsTo('provision').map((input) => input.plan);
 * ```
 */
export type SessionProvisionerDouble<S extends SessionProvisioner = SessionProvisioner> = StoreDouble<S, 'findRunning' | 'provision'>;
/**
 * A {@link CaptchaVerifier} double (`verify`).
 *
 * @example
 * ```ts
 * import type { CaptchaVerifierDouble } from 'castgate/testing';
 * const tokens = (d: CaptchaVerifierDouble) => d.callsTo('verify').map((input) => input.token);
 * ```
 */
export type CaptchaVerifierDouble<S extends CaptchaVerifier = CaptchaVerifier> = StoreDouble<S, 'verify'>;
/**
 * A {@link LeaseStore} double (`acquire`, `renew`, `release`, `bind`, `boundTo`).
 *
 * @example
 * ```ts
 * import type { LeaseStoreDouble } from 'castgate/testing';
 * const acquired = (d: LeaseStoreDouble) => d.callsTo('acquire').length;
 * ```
 */
export type LeaseStoreDouble<S extends LeaseStore = LeaseStore> = StoreDouble<S, 'acquire' | 'renew' | 'release' | 'bind' | 'boundTo'>;
/**
 * An {@link AdmissionStore} double (`take`, `giveBack`).
 *
 * @example
 * ```ts
 * import type { AdmissionStoreDouble } from 'castgate/testing';
 * const combined = (d: AdmissionStoreDouble) => d.callsTo('take').length;
 * ```
 */
export type AdmissionStoreDouble<S extends AdmissionStore = AdmissionStore> = StoreDouble<S, 'take' | 'giveBack'>;

/**
 * A rate-limit store double over `inner` (castgate's memory store when absent).
 *
 * @example
 * ```ts
 * import { createRateLimitStoreDouble } from 'castgate/testing';
 * const rateLimit = createRateLimitStoreDouble();
 * rateLimit.reject(new Error('READONLY You can\'t write against a read only replica.'), { method: 'take' });
 * ```
 */
export function createRateLimitStoreDouble<S extends RateLimitStore = RateLimitStore>(inner?: S): RateLimitStoreDouble<S> {
  return createStoreDouble((inner ?? createMemoryRateLimitStore()) as S, ['take', 'peek', 'giveBack']);
}

/**
 * A quota store double over `inner` (castgate's memory store when absent).
 *
 * @example
 * ```ts
 * import { createQuotaStoreDouble } from 'castgate/testing';
 * const quota = createQuotaStoreDouble();
 * quota.hang({ method: 'take', times: 1 }); // the next take never answers: the evaluator's deadline decides
 * ```
 */
export function createQuotaStoreDouble<S extends QuotaStore = QuotaStore>(inner?: S): QuotaStoreDouble<S> {
  return createStoreDouble((inner ?? createMemoryQuotaStore()) as S, ['take', 'giveBack', 'remaining', 'setRemaining', 'commit']);
}

/**
 * A session provisioner double over `inner` (castgate's memory provisioner when absent).
 *
 * @example
 * ```ts
 * import { createSessionProvisionerDouble } from 'castgate/testing';
 * const sessions = createSessionProvisionerDouble();
 * sessions.reject(new Error('no capacity'), { method: 'provision', times: 1 });
 * ```
 */
export function createSessionProvisionerDouble<S extends SessionProvisioner = SessionProvisioner>(inner?: S): SessionProvisionerDouble<S> {
  return createStoreDouble((inner ?? createMemoryProvisioner()) as S, ['findRunning', 'provision']);
}

/**
 * A captcha verifier double over `inner` (a fake verifier that passes no token when absent).
 *
 * @example
 * ```ts
 * import { createCaptchaVerifierDouble, createFakeCaptchaVerifier } from 'castgate/testing';
 * const captcha = createCaptchaVerifierDouble(createFakeCaptchaVerifier({ pass: ['solved'] }));
 * captcha.delay(7_000); // slower than the evaluator's captchaTimeoutMs
 * ```
 */
export function createCaptchaVerifierDouble<S extends CaptchaVerifier = CaptchaVerifier>(inner?: S): CaptchaVerifierDouble<S> {
  return createStoreDouble((inner ?? createFakeCaptchaVerifier()) as S, ['verify']);
}

/**
 * A lease store double over `inner` (castgate's memory lease store when absent; or a backend's
 * `leases`, or your own): `acquire`, `renew`, `release`, `bind` and `boundTo` are recorded and take
 * faults, so a test can see which leases a decision took and what a lease-store outage does.
 *
 * @example
 * ```ts
 * import { evaluateCast, parseCastConfig } from 'castgate';
 * import { createLeaseStoreDouble, createTestStores } from 'castgate/testing';
 * const config = parseCastConfig({ name: 'Demo', key: 'demo-0123456789abcdef', imageId: 'chrome', allowAnonymous: true, maxLiveSessions: 2 });
 * const leases = createLeaseStoreDouble();
 * leases.reject(new Error('ECONNRESET'), { method: 'acquire', times: 1 });
 * const decision = await evaluateCast(config, { ip: '192.0.2.1' }, { ...createTestStores(), leases }); // store_unavailable
 * const acquired = leases.callsTo('acquire').map((input) => input.key);
 * ```
 */
export function createLeaseStoreDouble<S extends LeaseStore = LeaseStore>(inner?: S): LeaseStoreDouble<S> {
  return createStoreDouble((inner ?? createMemoryLeaseStore()) as S, ['acquire', 'renew', 'release', 'bind', 'boundTo']);
}

/**
 * An admission store double over `inner` (the `admission` of a backend's stores object).
 *
 * @example
 * ```ts
 * import type { AdmissionStore } from 'castgate';
 * import { createAdmissionStoreDouble } from 'castgate/testing';
 * declare const realAdmission: AdmissionStore;
 * const admission = createAdmissionStoreDouble(realAdmission);
 * admission.delay(100, { method: 'giveBack' });
 * ```
 */
export function createAdmissionStoreDouble<S extends AdmissionStore>(inner: S): AdmissionStoreDouble<S> {
  return createStoreDouble(inner, ['take', 'giveBack']);
}

/**
 * The stores {@link createTestStores} returns: doubles of the memory stores (lease store included)
 * and of the fake verifier.
 *
 * @example
 * ```ts
 * import { createTestStores, type TestStores } from 'castgate/testing';
 * const stores: TestStores = createTestStores();
 * ```
 */
export interface TestStores {
  readonly rateLimit: RateLimitStoreDouble;
  readonly quota: QuotaStoreDouble;
  readonly sessions: SessionProvisionerDouble;
  readonly captcha: CaptchaVerifierDouble;
  readonly leases: LeaseStoreDouble;
}

/**
 * A fresh set of stores for `evaluateCast` in tests: castgate's memory stores (rate limit, quota,
 * provisioner, leases) and a fake captcha verifier (passing the `captchaTokens` given), each behind a
 * double that records calls and takes faults.
 *
 * @example
 * ```ts
 * import { evaluateCast, parseCastConfig } from 'castgate';
 * import { createTestStores } from 'castgate/testing';
 * const config = parseCastConfig({ name: 'Demo', key: 'demo-0123456789abcdef', imageId: 'chrome', allowAnonymous: true, sessionsRemaining: 5 });
 * const stores = createTestStores();
 * stores.quota.reject(new Error('ECONNREFUSED'), { method: 'take', times: 1 });
 * const decision = await evaluateCast(config, { ip: '192.0.2.1' }, stores); // store_unavailable
 * ```
 */
export function createTestStores(options: { captchaTokens?: Iterable<string> } = {}): TestStores {
  return {
    rateLimit: createRateLimitStoreDouble(),
    quota: createQuotaStoreDouble(),
    sessions: createSessionProvisionerDouble(),
    captcha: createCaptchaVerifierDouble(createFakeCaptchaVerifier({ pass: options.captchaTokens ?? [] })),
    leases: createLeaseStoreDouble(),
  };
}
