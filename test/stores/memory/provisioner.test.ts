import { describe, expect, it } from 'vitest';
import { anonymousPlan, planFor, signedInPlan } from '../../helpers/launch-plans.js';
import { createMemoryProvisioner, createMemoryStores } from '../../../src/stores/memory/index.js';
import { runContract, sessionProvisionerContract } from '../../../src/testing/index.js';

describe('SessionProvisioner contract: memory', () => {
  runContract(sessionProvisionerContract, () => createMemoryProvisioner(), it);
});
describe('SessionProvisioner contract: memory (through createMemoryStores, maxSessions 20)', () => {
  runContract(sessionProvisionerContract, () => createMemoryStores({ maxSessions: 20 }).sessions, it);
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

  it('names sessions and anonymous users with distinct random version 4 UUIDs', async () => {
    const sessions = createMemoryProvisioner({ maxSessions: 100 });
    const uuid = '[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}';
    const made = [];
    for (let i = 0; i < 1000; i++) made.push(await sessions.provision({ configKey: 'trial', plan: anonymousPlan }));
    for (const session of made) {
      expect(session.id).toMatch(new RegExp(`^session-${uuid}$`, 'u'));
      expect(session.userId).toMatch(new RegExp(`^anon-${uuid}$`, 'u'));
    }
    const ids = new Set(made.flatMap((session) => [session.id.slice('session-'.length), session.userId.slice('anon-'.length)]));
    expect(ids.size).toBe(2000);
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

  it('refuses a signed-in plan without a user id', async () => {
    const sessions = createMemoryProvisioner();
    await expect(sessions.provision({ configKey: 'excel', plan: planFor({ anonymous: false, groupIds: [] }) })).rejects.toThrow(TypeError);
  });
});

describe('memory provisioner: bounded (maxSessions)', () => {
  it('forgets the oldest anonymous sessions first, keeping signed-in ones findable', async () => {
    const sessions = createMemoryProvisioner({ maxSessions: 3 });
    const signedIn = await sessions.provision({ configKey: 'excel', plan: signedInPlan });
    const anonymous = [];
    for (let i = 0; i < 5; i++) anonymous.push(await sessions.provision({ configKey: 'excel', plan: anonymousPlan }));
    expect(sessions.list().map((s) => s.id)).toEqual([signedIn.id, anonymous[3]!.id, anonymous[4]!.id]);
    expect(await sessions.findRunning({ configKey: 'excel', userId: 'u-42' })).toEqual(signedIn);
  });

  it('then forgets the oldest signed-in session', async () => {
    const sessions = createMemoryProvisioner({ maxSessions: 2 });
    const first = await sessions.provision({ configKey: 'excel', plan: signedInPlan });
    const second = await sessions.provision({ configKey: 'word', plan: signedInPlan });
    const third = await sessions.provision({ configKey: 'ppt', plan: signedInPlan });
    expect(sessions.list().map((s) => s.id)).toEqual([second.id, third.id]);
    expect(await sessions.findRunning({ configKey: 'excel', userId: 'u-42' })).toBeNull();
    expect(sessions.end(first.id)).toBe(false);
  });

  it('keeps at most maxSessions (default 10,000) however many it creates', async () => {
    const sessions = createMemoryStores().sessions;
    for (let i = 0; i < 12_000; i++) await sessions.provision({ configKey: 'demo', plan: anonymousPlan });
    expect(sessions.list()).toHaveLength(10_000);
  });

  it('never finds an anonymous session (anonymous sessions are never resumed)', async () => {
    const sessions = createMemoryProvisioner();
    const session = await sessions.provision({ configKey: 'demo', plan: anonymousPlan });
    expect(await sessions.findRunning({ configKey: 'demo', userId: session.userId })).toBeNull();
  });

  it('refuses options it cannot honour', () => {
    expect(() => createMemoryProvisioner({ maxSessions: 0 })).toThrow(TypeError);
    expect(() => createMemoryStores({ maxSessions: 2.5 })).toThrow(TypeError);
  });
});
