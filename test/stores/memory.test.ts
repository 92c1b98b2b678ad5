import { describe, expect, it } from 'vitest';
import type { LaunchPlan } from '../../src/contract/launch-plan.js';
import {
  createMemoryProvisioner,
  createMemoryQuotaStore,
  createMemoryRateLimitStore,
  createMemoryStores,
} from '../../src/stores/memory/index.js';
import { describeQuotaStore } from '../contracts/quota-store.js';
import { describeRateLimitStore } from '../contracts/rate-limit-store.js';

describeRateLimitStore('memory', () => createMemoryRateLimitStore());
describeRateLimitStore('memory (through createMemoryStores)', () => createMemoryStores().rateLimit);
describeQuotaStore('memory', () => createMemoryQuotaStore());
describeQuotaStore('memory (through createMemoryStores)', () => createMemoryStores().quota);

const t0 = 1_700_000_000_000;

function planFor(user: LaunchPlan['user']): LaunchPlan {
  return {
    imageId: 'desktop',
    env: {},
    sessionOptions: { disableControlPanel: false, disableTips: false, enableSharing: false, disableFixedResolution: false },
    user,
    persistentProfile: !user.anonymous,
  };
}

const anonymousPlan = planFor({ anonymous: true, groupIds: ['all-users', 'guests'] });
const signedInPlan = planFor({ anonymous: false, id: 'u-42', groupIds: [] });

describe('memory rate-limit store', () => {
  it('drops keys whose window has passed, on its own, while new addresses keep arriving', async () => {
    const store = createMemoryRateLimitStore();
    for (let i = 0; i < 3_000; i++) await store.take({ key: `early-${i}`, limit: 1, windowMs: 1_000, nowMs: t0 });
    expect(store.size).toBe(3_000);
    for (let i = 0; i < 5_000; i++) await store.take({ key: `late-${i}`, limit: 1, windowMs: 1_000, nowMs: t0 + 1_000 });
    expect(store.size).toBe(5_000);
    expect((await store.take({ key: 'late-0', limit: 1, windowMs: 1_000, nowMs: t0 + 1_000 })).ok).toBe(false);
  });

  it('prunes on demand exactly the keys whose every slot has freed', async () => {
    const store = createMemoryRateLimitStore();
    await store.take({ key: 'short', limit: 2, windowMs: 1_000, nowMs: t0 });
    await store.take({ key: 'short', limit: 2, windowMs: 1_000, nowMs: t0 + 500 });
    await store.take({ key: 'long', limit: 2, windowMs: 60_000, nowMs: t0 });
    expect(store.prune(t0 + 1_499)).toBe(0);
    expect(store.prune(t0 + 1_500)).toBe(1);
    expect(store.size).toBe(1);
    expect((await store.take({ key: 'long', limit: 1, windowMs: 60_000, nowMs: t0 + 1_500 })).ok).toBe(false);
  });

  it('drops a key once its last slot is given back', async () => {
    const store = createMemoryRateLimitStore();
    const taken = await store.take({ key: 'k', limit: 1, windowMs: 1_000, nowMs: t0 });
    if (!taken.ok) throw new Error('expected a slot');
    await store.giveBack({ key: 'k', reservation: taken.reservation });
    expect(store.size).toBe(0);
  });

  it('caps the key count, evicting the least recently used key (maxKeys 3)', async () => {
    const store = createMemoryRateLimitStore({ maxKeys: 3 });
    const take = (key: string) => store.take({ key, limit: 1, windowMs: 60_000, nowMs: t0 });
    await take('a');
    await take('b');
    await take('c');
    expect((await take('a')).ok).toBe(false); // a is now the most recently used
    await take('d'); // evicts b, the least recently used
    expect(store.size).toBe(3);
    expect((await take('a')).ok).toBe(false);
    expect((await take('d')).ok).toBe(false);
    expect((await take('b')).ok).toBe(true); // b was forgotten
  });

  it('stays within maxKeys under a spray of 20,000 distinct addresses', async () => {
    const store = createMemoryRateLimitStore({ maxKeys: 1_000 });
    for (let i = 0; i < 20_000; i++) {
      await store.take({ key: `cast:trial:v4:10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, limit: 1, windowMs: 60_000, nowMs: t0 + i });
    }
    expect(store.size).toBe(1_000);
  });

  it('reads time only from nowMs: a window at the epoch behaves like any other', async () => {
    const store = createMemoryRateLimitStore();
    const at = (nowMs: number) => ({ key: 'epoch', limit: 1, windowMs: 10, nowMs });
    expect((await store.take(at(0))).ok).toBe(true);
    expect(await store.take(at(9))).toEqual({ ok: false, retryAfterMs: 1 });
    expect((await store.take(at(10))).ok).toBe(true);
  });

  it('refuses options it cannot honour', () => {
    expect(() => createMemoryRateLimitStore({ maxKeys: 0 })).toThrow(TypeError);
    expect(() => createMemoryStores({ maxKeys: 1.5 })).toThrow(TypeError);
    expect(() => createMemoryStores({ maxReservations: -1 })).toThrow(TypeError);
  });
});

describe('memory stores', () => {
  it('hold no timer that keeps the process alive', async () => {
    const timersBefore = process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    const stores = createMemoryStores();
    for (let i = 0; i < 2_000; i++) await stores.rateLimit.take({ key: `k${i}`, limit: 1, windowMs: 10, nowMs: t0 + i });
    await stores.quota.take({ configKey: 'c', initial: 1 });
    await stores.sessions.provision({ configKey: 'c', plan: anonymousPlan });
    expect(process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length).toBe(timersBefore);
  });

  it('return a rate limit, a quota and a provisioner, and no captcha verifier', () => {
    const stores = createMemoryStores();
    expect(Object.keys(stores).sort()).toEqual(['quota', 'rateLimit', 'sessions']);
  });
});

describe('memory quota store', () => {
  it('forgets the oldest outstanding reservation past maxReservations: its late give-back adds nothing', async () => {
    const quota = createMemoryQuotaStore({ maxReservations: 2 });
    const reservations: string[] = [];
    for (let i = 0; i < 3; i++) {
      const taken = await quota.take({ configKey: 'c', initial: 10 });
      if (!taken.ok) throw new Error('expected a unit');
      reservations.push(taken.reservation);
    }
    await quota.giveBack({ configKey: 'c', reservation: reservations[0]! });
    expect(await quota.remaining('c')).toBe(7);
    await quota.giveBack({ configKey: 'c', reservation: reservations[2]! });
    expect(await quota.remaining('c')).toBe(8);
  });
});

describe('memory provisioner (a stand-in for a desktop backend)', () => {
  it('creates a fresh anonymous user for every anonymous plan', async () => {
    const sessions = createMemoryProvisioner();
    const first = await sessions.provision({ configKey: 'trial', plan: anonymousPlan });
    const second = await sessions.provision({ configKey: 'trial', plan: anonymousPlan });
    expect(first.userId).toMatch(/^anon-[0-9a-f-]{36}$/);
    expect(second.userId).not.toBe(first.userId);
    expect(second.id).not.toBe(first.id);
  });

  it("runs a signed-in plan as the plan's user", async () => {
    const sessions = createMemoryProvisioner();
    const session = await sessions.provision({ configKey: 'excel', plan: signedInPlan });
    expect(session.userId).toBe('u-42');
    expect(session.id).toMatch(/^session-/);
  });

  it("finds a signed-in user's running session on that config until it ends", async () => {
    const sessions = createMemoryProvisioner();
    expect(await sessions.findRunning({ configKey: 'excel', userId: 'u-42' })).toBeNull();
    const session = await sessions.provision({ configKey: 'excel', plan: signedInPlan });
    expect(await sessions.findRunning({ configKey: 'excel', userId: 'u-42' })).toEqual(session);
    expect(await sessions.findRunning({ configKey: 'word', userId: 'u-42' })).toBeNull();
    expect(await sessions.findRunning({ configKey: 'excel', userId: 'u-7' })).toBeNull();
    expect(sessions.end(session.id)).toBe(true);
    expect(sessions.end(session.id)).toBe(false);
    expect(await sessions.findRunning({ configKey: 'excel', userId: 'u-42' })).toBeNull();
  });

  it('finds the newest of two sessions, then the older one once the newest ends', async () => {
    const sessions = createMemoryProvisioner();
    const older = await sessions.provision({ configKey: 'excel', plan: signedInPlan });
    const newer = await sessions.provision({ configKey: 'excel', plan: signedInPlan });
    expect(await sessions.findRunning({ configKey: 'excel', userId: 'u-42' })).toEqual(newer);
    sessions.end(newer.id);
    expect(await sessions.findRunning({ configKey: 'excel', userId: 'u-42' })).toEqual(older);
  });

  it('keeps (config, user) pairs apart when the names run together', async () => {
    const sessions = createMemoryProvisioner();
    await sessions.provision({ configKey: 'a:b', plan: planFor({ anonymous: false, id: 'c', groupIds: [] }) });
    expect(await sessions.findRunning({ configKey: 'a', userId: 'b:c' })).toBeNull();
  });

  it('lists what it created, with the config and the plan', async () => {
    const sessions = createMemoryProvisioner();
    const session = await sessions.provision({ configKey: 'excel', plan: signedInPlan });
    expect(sessions.list()).toEqual([{ ...session, configKey: 'excel', plan: signedInPlan }]);
  });

  it('creates nothing when the signal is already aborted', async () => {
    const sessions = createMemoryProvisioner();
    const controller = new AbortController();
    controller.abort(new Error('gave up'));
    await expect(sessions.provision({ configKey: 'excel', plan: signedInPlan, signal: controller.signal })).rejects.toThrow('gave up');
    expect(sessions.list()).toEqual([]);
  });

  it('refuses a signed-in plan without a user id', async () => {
    const sessions = createMemoryProvisioner();
    await expect(sessions.provision({ configKey: 'excel', plan: planFor({ anonymous: false, groupIds: [] }) })).rejects.toThrow(TypeError);
  });
});
