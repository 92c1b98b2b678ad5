// castgate/testing: what a host needs to test its integration and its own stores. A controllable
// clock, test doubles of every store interface (calls recorded; reject, hang, delay on demand), a
// fake captcha verifier, and castgate's store contracts as cases any test runner can run.

export { createTestClock } from './clock.js';
export type { TestClock } from './clock.js';

export { createStoreDouble, InjectedFaultError } from './double.js';
export type { DoubleControls, FaultKind, FaultOptions, MethodInput, MethodName, RecordedCall, StoreDouble } from './double.js';
export {
  createAdmissionStoreDouble,
  createCaptchaVerifierDouble,
  createLeaseStoreDouble,
  createQuotaStoreDouble,
  createRateLimitStoreDouble,
  createSessionProvisionerDouble,
  createTestStores,
} from './doubles.js';
export type {
  AdmissionStoreDouble,
  CaptchaVerifierDouble,
  LeaseStoreDouble,
  QuotaStoreDouble,
  RateLimitStoreDouble,
  SessionProvisionerDouble,
  TestStores,
} from './doubles.js';
export { createFakeCaptchaVerifier } from './fake-captcha.js';
export type { FakeCaptchaOptions } from './fake-captcha.js';

export { runContract } from './contracts/contract.js';
export type { ContractCase, StoreFactory, TestFunction } from './contracts/contract.js';
export { rateLimitStoreContract } from './contracts/rate-limit-store.js';
export { quotaStoreContract } from './contracts/quota-store.js';
export { sessionProvisionerContract } from './contracts/session-provisioner.js';
export { leaseStoreContract } from './contracts/lease-store.js';
export { admissionStoreContract } from './contracts/admission-store.js';
export type { AdmissionStores } from './contracts/admission-store.js';
