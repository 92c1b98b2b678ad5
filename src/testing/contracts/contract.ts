/**
 * Makes a fresh store that shares nothing with any store made before (a fresh key prefix or schema
 * is enough); a contract case calls it once or more.
 *
 * @example
 * ```ts
 * import { createMemoryRateLimitStore, type RateLimitStore } from 'castgate';
 * import type { StoreFactory } from 'castgate/testing';
 * const factory: StoreFactory<RateLimitStore> = () => createMemoryRateLimitStore();
 * ```
 */
export type StoreFactory<S> = () => S | Promise<S>;

/**
 * One check of a store contract: `run` makes the stores it needs with the factory and throws (an
 * `AssertionError` of `node:assert`) when the store breaks the contract. It needs no test runner.
 *
 * @example
 * ```ts
 * import { createMemoryQuotaStore } from 'castgate';
 * import { quotaStoreContract } from 'castgate/testing';
 * for (const check of quotaStoreContract) await check.run(() => createMemoryQuotaStore());
 * ```
 */
export interface ContractCase<S> {
  readonly name: string;
  run(factory: StoreFactory<S>): Promise<void>;
}

/**
 * A test runner's own test function: `it` of vitest or jest, `test` of node:test.
 *
 * @example
 * ```ts
 * import { test } from 'node:test';
 * import type { TestFunction } from 'castgate/testing';
 * const register: TestFunction = test;
 * ```
 */
export type TestFunction = (name: string, fn: () => Promise<void>) => unknown;

/**
 * Registers every case as a test of your runner: calls `test(case.name, () => case.run(factory))`
 * once per case, in order.
 *
 * @example
 * ```ts
 * import { describe, it } from 'vitest';
 * import { createMemoryRateLimitStore } from 'castgate';
 * import { rateLimitStoreContract, runContract } from 'castgate/testing';
 * describe('my rate-limit store', () => {
 *   runContract(rateLimitStoreContract, () => createMemoryRateLimitStore(), it);
 * });
 * ```
 */
export function runContract<S>(cases: readonly ContractCase<S>[], factory: StoreFactory<S>, test: TestFunction): void {
  for (const contractCase of cases) test(contractCase.name, () => contractCase.run(factory));
}
