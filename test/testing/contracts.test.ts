import { test as nodeTest } from 'node:test';
import { describe, expect, it } from 'vitest';
import { createMemoryProvisioner } from '../../src/stores/memory/index.js';
import {
  admissionStoreContract,
  leaseStoreContract,
  quotaStoreContract,
  rateLimitStoreContract,
  runContract,
  sessionProvisionerContract,
  type ContractCase,
  type StoreFactory,
  type TestFunction,
} from '../../src/testing/index.js';
import {
  createComposedAdmissionStores,
  createModelLeaseStore,
  createModelQuotaStore,
  createModelRateLimitStore,
} from './model-stores.js';

/** Runs every case on the factory and answers the names of those that threw. */
async function failingCases<S>(cases: readonly ContractCase<S>[], factory: StoreFactory<S>): Promise<string[]> {
  const failed: string[] = [];
  for (const contractCase of cases) {
    try {
      await contractCase.run(factory);
    } catch {
      failed.push(contractCase.name);
    }
  }
  return failed;
}

describe('runContract', () => {
  it('registers one test per case, under the case name, that runs the case on the factory', async () => {
    const registered: { name: string; fn: () => Promise<void> }[] = [];
    const made: string[] = [];
    const cases: ContractCase<string>[] = [
      { name: 'first', run: async (make) => { made.push(`first:${await make()}`); } },
      { name: 'second', run: async (make) => { made.push(`second:${await make()}`); } },
    ];
    runContract(cases, () => 'store', (name, fn) => registered.push({ name, fn }));
    expect(registered.map((r) => r.name)).toEqual(['first', 'second']);
    expect(made).toEqual([]);
    for (const r of registered) await r.fn();
    expect(made).toEqual(['first:store', 'second:store']);
  });

  it('accepts the test functions of vitest and node:test as they are (checked by the type checker)', () => {
    const runners: TestFunction[] = [it, nodeTest];
    expect(runners).toHaveLength(2);
  });

  it('lets a case fail with an AssertionError of node:assert, which any runner reports', async () => {
    const broken = createModelQuotaStore({ giveBackNothing: true });
    const refund = quotaStoreContract.find((c) => c.name.startsWith('gives a unit back once per reservation'))!;
    await expect(refund.run(() => broken)).rejects.toMatchObject({ name: 'AssertionError' });
  });

  it('names the seed and the steps when a model check fails', async () => {
    const model = rateLimitStoreContract.find((c) => c.name.startsWith('matches the exact sliding-window model'))!;
    await expect(model.run(() => createModelRateLimitStore({ giveBackNothing: true }))).rejects.toThrow(/model check failed at seed \d+ after: limit \d, window \d+, .*giveBack/u);
  });

  it('freezes the case lists', () => {
    for (const cases of [rateLimitStoreContract, quotaStoreContract, sessionProvisionerContract, leaseStoreContract, admissionStoreContract]) {
      expect(Object.isFrozen(cases)).toBe(true);
      expect(cases.length).toBeGreaterThan(5);
    }
  });
});

describe('the contracts hold on correct stores', () => {
  describe('a correct model rate-limit store', () => {
    runContract(rateLimitStoreContract, () => createModelRateLimitStore(), it);
  });
  describe('a correct model quota store', () => {
    runContract(quotaStoreContract, () => createModelQuotaStore(), it);
  });
  describe('a correct model lease store', () => {
    runContract(leaseStoreContract, () => createModelLeaseStore(), it);
  });
  describe('an admission store composed of the memory stores', () => {
    runContract(admissionStoreContract, () => createComposedAdmissionStores(), it);
  });
  describe('the memory provisioner', () => {
    runContract(sessionProvisionerContract, () => createMemoryProvisioner(), it);
  });
});

describe('the contracts catch broken stores', () => {
  it('fails a rate-limit store that reads, then writes without atomicity', async () => {
    const failed = await failingCases(rateLimitStoreContract, () => createModelRateLimitStore({ readThenWrite: true }));
    expect(failed).toEqual(expect.arrayContaining([
      'serves exactly 7 of 200 concurrent takes on one key (limit 7): a read-then-write store oversells here',
      'serves exactly 2 of 40 concurrent takes from one address (limit 2 per 60 s)',
      'frees every slot given back concurrently: 20 give-backs at once leave 20 free slots',
    ]));
  });

  it('fails a rate-limit store whose giveBack gives nothing back', async () => {
    const failed = await failingCases(rateLimitStoreContract, () => createModelRateLimitStore({ giveBackNothing: true }));
    expect(failed).toEqual(expect.arrayContaining([
      'frees every slot given back concurrently: 20 give-backs at once leave 20 free slots',
      'never oversells while give-backs and takes interleave concurrently',
      'gives back exactly the slot of the reservation, not another one',
      'gives back idempotently: twice frees one slot, not two',
    ]));
  });

  it('fails a quota store that reads, then writes without atomicity', async () => {
    const failed = await failingCases(quotaStoreContract, () => createModelQuotaStore({ readThenWrite: true }));
    expect(failed).toEqual(expect.arrayContaining([
      'serves exactly 50 of 200 concurrent takes when the quota is 50, each with its own remaining count: a read-then-write store oversells here',
      'gives back every unit of 30 concurrent give-backs: none is lost to a race',
    ]));
  });

  it('fails a quota store whose giveBack gives nothing back', async () => {
    const failed = await failingCases(quotaStoreContract, () => createModelQuotaStore({ giveBackNothing: true }));
    expect(failed).toEqual(expect.arrayContaining([
      'gives back every unit of 30 concurrent give-backs: none is lost to a race',
      'never oversells while give-backs and takes interleave concurrently',
      'gives a unit back once per reservation: twice is once, and never above where it started',
      'lets a given-back unit be served again',
    ]));
  });

  it('fails a lease store that reads, then writes without atomicity, and one whose release keeps the lease', async () => {
    expect(await failingCases(leaseStoreContract, () => createModelLeaseStore({ readThenWrite: true }))).toEqual(expect.arrayContaining([
      'grants exactly 3 of 30 concurrent acquires (limit 3): a read-then-write store over-grants here',
      'counts one release of a lease released 10 times at once: exactly one answers true, one slot frees',
    ]));
    expect(await failingCases(leaseStoreContract, () => createModelLeaseStore({ giveBackNothing: true }))).toEqual(expect.arrayContaining([
      'releases a live lease once: the slot frees, a second release, an unknown lease and another key answer false',
      'frees every lease released concurrently: 10 releases at once leave 10 free slots',
    ]));
  });

  it('fails a lease store that counts with input it cannot use, instead of rejecting with a TypeError', async () => {
    expect(await failingCases(leaseStoreContract, () => createModelLeaseStore({ noInputChecks: true }))).toEqual([
      'rejects input it cannot use (TypeError), taking nothing: a limit of 0 or 1.5, an empty key or lease id, a ttl of 0, NaN or infinite time',
    ]);
  });

  it('fails, in the model check, a lease store that revives expired leases or keeps a session\'s first binding', async () => {
    expect(await failingCases(leaseStoreContract, () => createModelLeaseStore({ revivesExpired: true }))).toContain(
      'matches a plain lease model for seeded sequences of acquires, renewals, releases, bindings and time steps',
    );
    expect(await failingCases(leaseStoreContract, () => createModelLeaseStore({ keepsFirstBinding: true }))).toEqual([
      'matches a plain lease model for seeded sequences of acquires, renewals, releases, bindings and time steps',
    ]);
  });
});
