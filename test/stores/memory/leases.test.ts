import { describe, expect, it } from 'vitest';
import { createMemoryLeaseStore, createMemoryStores } from '../../../src/stores/memory/index.js';
import { leaseStoreContract, runContract } from '../../../src/testing/index.js';

describe('leaseStoreContract (castgate/testing): memory', () => {
  runContract(leaseStoreContract, () => createMemoryLeaseStore(), it);
});
describe('leaseStoreContract (castgate/testing): memory, through createMemoryStores', () => {
  runContract(leaseStoreContract, () => createMemoryStores().leases, it);
});

const t0 = 1_700_000_000_000;

describe('memory lease store', () => {
  it('sweeps expired leases and bindings on its own while new keys keep arriving, so memory follows what is live', async () => {
    const store = createMemoryLeaseStore();
    for (let i = 0; i < 3_000; i++) {
      await store.acquire({ key: `early-${i}`, limit: 1, leaseId: 'a', ttlMs: 1_000, nowMs: t0 });
      await store.bind({ configKey: 'demo', sessionId: `s-${i}`, leases: [{ key: `early-${i}`, leaseId: 'a' }], ttlMs: 1_000, nowMs: t0 });
    }
    expect(store.size()).toBe(6_000);
    for (let i = 0; i < 5_000; i++) await store.acquire({ key: `late-${i}`, limit: 1, leaseId: 'a', ttlMs: 1_000, nowMs: t0 + 1_000 });
    expect(store.size()).toBeLessThanOrEqual(5_000 + 1);
    expect(await store.boundTo({ configKey: 'demo', sessionId: 's-0' })).toBeNull();
    expect((await store.acquire({ key: 'late-0', limit: 1, leaseId: 'b', ttlMs: 1_000, nowMs: t0 + 1_000 })).ok).toBe(false);
  });

  it('never sweeps a live lease', async () => {
    const store = createMemoryLeaseStore();
    await store.acquire({ key: 'long', limit: 1, leaseId: 'a', ttlMs: 3_600_000, nowMs: t0 });
    for (let i = 0; i < 5_000; i++) await store.acquire({ key: `short-${i}`, limit: 1, leaseId: 'a', ttlMs: 1, nowMs: t0 + i });
    expect(await store.renew({ key: 'long', leaseId: 'a', ttlMs: 3_600_000, nowMs: t0 + 5_000 })).toBe(true);
  });

  it('keeps a copy of the bound leases: changing the caller\'s array later changes nothing', async () => {
    const store = createMemoryLeaseStore();
    const leases = [{ key: 'cast:demo:live', leaseId: 'l-1' }];
    await store.bind({ configKey: 'demo', sessionId: 's-1', leases, ttlMs: 1_000, nowMs: t0 });
    leases.push({ key: 'x', leaseId: 'y' });
    expect(await store.boundTo({ configKey: 'demo', sessionId: 's-1' })).toEqual({ leases: [{ key: 'cast:demo:live', leaseId: 'l-1' }], ttlMs: 1_000 });
  });
});
