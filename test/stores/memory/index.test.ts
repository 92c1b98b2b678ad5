import { describe, expect, it } from 'vitest';
import { anonymousPlan } from '../../helpers/launch-plans.js';
import { createMemoryStores } from '../../../src/stores/memory/index.js';

const t0 = 1_700_000_000_000;


describe('memory stores', () => {
  it('hold no timer that keeps the process alive', async () => {
    const timersBefore = process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    const stores = createMemoryStores();
    for (let i = 0; i < 2_000; i++) await stores.rateLimit.take({ key: `k${i}`, limit: 1, windowMs: 10, nowMs: t0 + i });
    await stores.quota.take({ configKey: 'c', initial: 1 });
    await stores.sessions.provision({ configKey: 'c', plan: anonymousPlan });
    expect(process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length).toBe(timersBefore);
  });

  it('return a rate limit, a quota, a provisioner and leases, and no captcha verifier', () => {
    const stores = createMemoryStores();
    expect(Object.keys(stores).sort()).toEqual(['leases', 'quota', 'rateLimit', 'sessions']);
  });
});

